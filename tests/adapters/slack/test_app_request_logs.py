"""Requests Engage refuses, logged as `engage serve` logs at DEBUG: no body, no text, no user id."""

from __future__ import annotations

import json
from typing import Any

from bot.settings import Settings
from tests.adapters.slack.conftest import Slack, fixture
from tests.support.logs import DebugLog, debug_log

__all__ = ["debug_log"]  # fixture
CANARY = "canary-7f3e"
CANARY_USER = "U0CANARY7F3E"


def carrying_the_canary() -> dict[str, Any]:
    body = fixture("events/message")
    body["event"].update(text=CANARY, user=CANARY_USER)
    return body


def bad_types() -> dict[str, Any]:
    body = carrying_the_canary()
    body["event"]["ts"] = CANARY
    return body


async def refused(slack: Slack) -> list[int]:
    signed = json.dumps(carrying_the_canary())
    statuses = [
        await slack.post(signed, "application/json", signature="v0=" + "0" * 64),
        await slack.post(signed, "application/json", age=600),
        await slack.post(signed[:-9], "application/json"),
        await slack.post(signed[:-9], "application/json", signature="v0=" + "1" * 64),
        await slack.event(bad_types()),
        await slack.event({"type": CANARY, "user": CANARY_USER, "value": CANARY}),
        await slack.post(f"payload={CANARY}", "application/x-www-form-urlencoded"),
    ]
    return [response.status for response in statuses]


async def test_no_refused_request_leaves_its_body_in_the_log(
    settings: Settings, slack: Slack, debug_log: DebugLog
) -> None:
    debug_log.start(settings)
    statuses = await refused(slack)
    log = debug_log.text()
    assert " DEBUG " in log
    assert statuses == [401, 401, 400, 401, 200, 404, 400]
    assert [line for line in log.splitlines() if CANARY in line or CANARY_USER in line] == []
    assert "Traceback" not in log
