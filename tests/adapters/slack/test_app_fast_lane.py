"""The fast lane: refusals and plain events from known people answered without Bolt; the
rest left to Bolt."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text

from adapters.slack.app import FastLane
from adapters.slack.people import People
from adapters.web.app import Rejections
from bot.services import Services
from tests.adapters.slack.conftest import SIGNING_SECRET, Slack, fixture, inbox
from tests.support.fake_slack import TEAM


def signed(body: str, *, age: int = 0, secret: str = SIGNING_SECRET) -> dict[str, str]:
    stamp = str(int(time.time()) - age)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def lane_knowing(services: Services, *people: str) -> FastLane:
    known = People(services.tracker)
    for person in people:
        known.remember(TEAM, {"id": person})
    return FastLane(SIGNING_SECRET, services.tracker, known, Rejections())


async def test_a_plain_event_from_known_people_is_recorded_before_the_answer(
    services: Services,
) -> None:
    lane = lane_knowing(services, "U1", "U5")
    body = json.dumps(fixture("events/reaction_added"))
    assert await lane.answer(body.encode(), signed(body)) == 200
    assert [(row.kind, row.person) for row in await inbox(services)] == [("reaction_added", "U5")]
    assert await lane.answer(body.encode(), signed(body)) == 200
    assert len(await inbox(services)) == 1


def _with_event(name: str, **changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(fixture(name))
    body["event"].update(changes)
    return body


LEFT_TO_BOLT: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "unknown person": (_with_event("events/message", user="U404"), {}),
    "unknown author of the message reacted to": (
        _with_event("events/reaction_added", item_user="U404"),
        {},
    ),
    "own listener": (fixture("events/app_home_opened"), {}),
    "uninstall": (fixture("events/app_uninstalled"), {}),
    "url verification": (fixture("url_verification"), {}),
    "event without a type": (fixture("events/message") | {"event": {"user": "U1"}}, {}),
}


@pytest.mark.parametrize("case", LEFT_TO_BOLT)
async def test_other_requests_are_left_to_bolt_untouched(services: Services, case: str) -> None:
    lane = lane_knowing(services, "U1", "U5")
    payload, signing = LEFT_TO_BOLT[case]
    body = json.dumps(payload)
    assert await lane.answer(body.encode(), signed(body, **signing)) is None
    assert await inbox(services) == []


async def test_signed_form_requests_are_left_to_bolt(services: Services) -> None:
    lane = lane_knowing(services, "U1")
    form = "payload=%7B%7D"
    assert await lane.answer(form.encode(), signed(form)) is None
    assert await inbox(services) == []


@pytest.mark.parametrize(
    ("signing", "status"),
    [
        ({"secret": "0" * 32}, 401),
        ({"age": 301}, 401),
        (None, 401),
        ({}, 200),
    ],
    ids=["bad-signature", "signed-301-seconds-ago", "unsigned", "signed"],
)
async def test_requests_are_verified_before_anything_else(
    services: Services, signing: dict[str, Any] | None, status: int
) -> None:
    lane = lane_knowing(services, "U1")
    body = json.dumps(fixture("events/message"))
    headers = {} if signing is None else signed(body, **signing)
    assert await lane.answer(body.encode(), headers) == status
    assert len(await inbox(services)) == (1 if status == 200 else 0)


@pytest.mark.parametrize(
    "body",
    [
        ('{"type": "event_callback", "event": {', "application/json"),
        ("[1, 2]", "application/json"),
        ('{"a": ' * 100_000 + "1" + "}" * 100_000, "application/json"),
        ("payload=%7Bnot", "application/x-www-form-urlencoded"),
    ],
    ids=["truncated-json", "json-array", "nested-too-deep", "form-payload-not-json"],
)
async def test_an_authentic_body_that_cannot_be_decoded_gets_400(
    services: Services, body: tuple[str, str]
) -> None:
    lane = lane_knowing(services, "U1")
    text, content_type = body
    assert await lane.answer(text.encode(), signed(text) | {"Content-Type": content_type}) == 400


async def test_an_event_that_cannot_be_stored_answers_500(services: Services) -> None:
    lane = lane_knowing(services, "U1")
    await services.database.write(lambda session: session.execute(text("DROP TABLE inbox_event")))
    body = json.dumps(fixture("events/message"))
    assert await lane.answer(body.encode(), signed(body)) == 500


async def test_known_people_are_recorded_and_bad_signatures_still_get_401(
    slack: Slack, services: Services
) -> None:
    first = fixture("events/message")
    assert (await slack.event(first)).status == 200
    await slack.fake.wait_for("users.info")
    second = _with_event("events/message", ts="1774360999.000100", event_ts="1774360999.000100")
    second["event_id"] = "Ev07Q00002XK2"
    assert (await slack.event(second)).status == 200
    refused = _with_event("events/message", ts="1774361000.000100")
    refused["event_id"] = "Ev07Q00003XK2"
    assert (await slack.event(refused, signature="v0=" + "0" * 64)).status == 401
    messages = [row.event_key for row in await inbox(services) if row.kind == "message"]
    assert messages == ["C1:1774360931.000200", "C1:1774360999.000100"]
    assert len(slack.fake.calls_to("users.info")) == 1
