"""users.json and channels.json -> PersonSeen and CommunityCreated events."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.slack.export import bot_ids, community_events, person_events
from adapters.slack.export_schema import CHANNELS, USERS
from bot.events import CommunityCreated, PersonSeen
from tests.support import slack_export as sample
from tests.support.slack_export import BOT, DATAJAM, DATASETS, JAVIER, LENA, MAYA, user

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def people(raw: list[dict[str, object]]) -> dict[str, PersonSeen]:
    events = person_events("T061A2UFL", USERS.validate_python(raw), NOW)
    return {e.person: e for e in events if isinstance(e, PersonSeen)}


def test_people_carry_profile_fields_only() -> None:
    seen = people(sample.USERS)
    assert (seen[MAYA].display_name, seen[MAYA].locale, seen[MAYA].tz) == (
        "Maya",
        "en-US",
        "America/Chicago",
    )
    assert (seen[JAVIER].display_name, seen[JAVIER].tz) == ("javier", "Europe/Paris")
    assert (seen[LENA].deleted, seen[LENA].tz, seen[BOT].is_bot) == (True, None, True)
    assert all(e.occurred_at == NOW and e.platform == "slack" for e in seen.values())
    assert bot_ids(USERS.validate_python(sample.USERS)) == {BOT, "USLACKBOT"}


def test_person_key_changes_only_with_the_profile() -> None:
    before = people([user(MAYA, "maya")])[MAYA]
    same = people([user(MAYA, "maya", is_admin=True)])[MAYA]
    moved = people([user(MAYA, "maya", tz="Europe/Paris")])[MAYA]
    assert before.key == same.key
    assert before.key.startswith(f"{MAYA}:profile:")
    assert moved.key != before.key


def test_profile_update_time_dates_the_event() -> None:
    seen = people([user(MAYA, "maya", updated=1467331200)])[MAYA]
    assert seen.occurred_at == datetime(2016, 7, 1, tzinfo=UTC)


def test_channels_become_public_communities_created_at_their_creation() -> None:
    events = community_events("T061A2UFL", CHANNELS.validate_python(sample.CHANNELS))
    assert [
        (e.key, e.community, e.name, e.creator, e.is_private, e.occurred_at)
        for e in events
        if isinstance(e, CommunityCreated)
    ] == [
        (f"{DATAJAM}:created", DATAJAM, "datajam", MAYA, False, datetime(2016, 7, 1, tzinfo=UTC)),
        (
            f"{DATASETS}:created",
            DATASETS,
            "datasets",
            MAYA,
            False,
            datetime(2016, 7, 1, tzinfo=UTC),
        ),
    ]
