"""Durable ingest over real HTTP: recorded before the 2xx, once, never from bots."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from bot.services import Services
from bot.storage.models import Community, DailyActivity, InboxEvent
from tests.adapters.slack.conftest import Slack, fixture, inbox
from tests.support.fake_slack import BOT_USER

EVENT_KINDS = [
    ("message", ["message"]),
    ("message_reply", ["message"]),
    ("message_thread_broadcast", ["message"]),
    ("message_file_share", ["message"]),
    ("message_channel_join", ["member_joined"]),
    ("message_channel_leave", ["member_left"]),
    ("message_changed", []),
    ("message_deleted", []),
    ("reaction_added", ["reaction_added"]),
    ("reaction_removed", ["reaction_removed"]),
    ("member_joined_channel", ["member_joined"]),
    ("member_left_channel", ["member_left"]),
    ("channel_created", ["community_created"]),
    ("channel_rename", ["community_renamed"]),
    ("channel_archive", ["community_archived"]),
    ("channel_unarchive", ["community_unarchived"]),
    ("channel_deleted", ["community_deleted"]),
    ("team_join", ["person_seen"]),
    ("user_change", ["person_seen"]),
    ("app_home_opened", ["person_seen"]),
    ("app_uninstalled", []),
    ("tokens_revoked", []),
]


async def test_url_verification_answers_the_challenge(slack: Slack) -> None:
    body = fixture("url_verification")
    response = await slack.event(body)
    assert response.status == 200
    assert (await response.json()) == {"challenge": body["challenge"]}


@pytest.mark.parametrize(("name", "kinds"), EVENT_KINDS)
async def test_each_event_kind_is_recorded_before_the_answer(
    slack: Slack, services: Services, name: str, kinds: list[str]
) -> None:
    response = await slack.event(fixture(f"events/{name}"))
    assert response.status == 200
    assert [row.kind for row in await inbox(services) if not _looked_up(row, name)] == kinds


def _looked_up(row: InboxEvent, name: str) -> bool:
    """Profiles fetched from users.info in the background, after the answer."""
    return ":profile:" in row.event_key and name not in ("team_join", "user_change")


async def test_a_retried_event_has_one_effect(slack: Slack, services: Services) -> None:
    body = fixture("events/message")
    statuses = [(await slack.event(body)).status]
    for attempt in (1, 2, 3):
        headers = {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"}
        statuses.append((await slack.event(body, headers=headers)).status)
    await services.tracker.fold()

    def posts(session: Session) -> list[int]:
        return [row.posts for row in session.exec(select(DailyActivity))]

    assert statuses == [200] * 4
    assert [row.event_key for row in await inbox(services) if row.kind == "message"] == [
        "C1:1774360931.000200"
    ]
    assert await services.database.read(posts) == [1]


async def test_a_join_seen_twice_is_one_join(slack: Slack, services: Services) -> None:
    await slack.event(fixture("events/message_channel_join"))
    await slack.event(fixture("events/member_joined_channel"))
    joins = [row for row in await inbox(services) if row.kind == "member_joined"]
    assert [(row.person, row.community) for row in joins] == [("U16", "C1")]


async def test_bad_signature_is_refused_and_nothing_stored(
    slack: Slack, services: Services
) -> None:
    response = await slack.event(fixture("events/message"), signature="v0=" + "0" * 64)
    assert response.status == 401
    assert await inbox(services) == []


async def test_a_request_signed_301_seconds_ago_is_refused(
    slack: Slack, services: Services
) -> None:
    response = await slack.event(fixture("events/message"), age=301)
    assert response.status == 401
    assert await inbox(services) == []


async def test_an_event_survives_a_listener_that_fails_after_the_ack(
    slack: Slack, services: Services
) -> None:
    slack.fake.fail_next("views.publish", "internal_error", status=500)
    response = await slack.event(fixture("events/app_home_opened"))
    assert response.status == 200
    await slack.fake.wait_for("views.publish")
    seen = [row for row in await inbox(services) if row.kind == "person_seen"]
    assert [row.event_key for row in seen][:1] == [fixture("events/app_home_opened")["event_id"]]


@pytest.mark.parametrize("name", ["message_bot", "message_app", "own_bot"])
async def test_bot_messages_are_ignored(slack: Slack, services: Services, name: str) -> None:
    if name == "own_bot":
        body = copy.deepcopy(fixture("events/message"))
        body["event"]["user"] = BOT_USER
    else:
        body = fixture(f"events/{name}")
    response = await slack.event(body)
    assert response.status == 200
    assert [row.kind for row in await inbox(services) if row.kind != "person_seen"] == []


async def test_an_event_without_a_feature_still_gets_a_2xx(
    slack: Slack, services: Services
) -> None:
    body = copy.deepcopy(fixture("events/channel_archive"))
    body["event"] = {"type": "pin_added", "user": "U1", "channel_id": "C1", "event_ts": "1.2"}
    response = await slack.event(body)
    assert response.status == 200
    # the person's profile may be looked up in the background; no activity is recorded
    assert [row.kind for row in await inbox(services) if row.kind != "person_seen"] == []


async def test_an_event_that_cannot_be_stored_is_not_acknowledged(
    slack: Slack, services: Services
) -> None:
    await services.database.write(lambda session: session.execute(text("DROP TABLE inbox_event")))
    response = await slack.event(fixture("events/message"))
    assert response.status == 500


async def test_a_channel_renamed_with_a_nul_folds_under_its_name_without_it(
    slack: Slack, services: Services
) -> None:
    rename = copy.deepcopy(fixture("events/channel_rename"))
    rename["event"]["channel"]["name"] = "gen\u0000eral\ud800"
    message = copy.deepcopy(fixture("events/message"))
    message["event"]["user"] = "U1\u0000"
    assert [(await slack.event(body)).status for body in (rename, message)] == [200, 200]
    await services.tracker.fold()

    def folded(session: Session) -> tuple[list[str], list[int]]:
        names = session.exec(select(Community.name).where(Community.external_id == "C07ALLOTMENT"))
        return list(names), [row.posts for row in session.exec(select(DailyActivity))]

    assert await services.database.read(folded) == (["general"], [1])
    assert {row.person for row in await inbox(services) if row.kind == "message"} == {"U1"}
