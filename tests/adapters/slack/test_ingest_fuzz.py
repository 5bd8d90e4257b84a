"""Fuzzing `/slack/events`: signed, mutated Events API envelopes and unsigned garbage get a
2xx or a 4xx, never a 500 or a traceback, and what was stored before stays as it was."""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlmodel import Session

from bot.services import Services
from bot.storage.tables import INBOX_EVENT
from tests.adapters.slack.conftest import FIXTURES, Slack, fixture

EVENTS = sorted(path.stem for path in (FIXTURES / "events").glob("*.json"))
FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
DELETE = object()


@st.composite
def mutated_envelopes(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(fixture(f"events/{draw(st.sampled_from(EVENTS))}"))
    for _ in range(draw(st.integers(1, 3))):
        target = body
        if isinstance(body.get("event"), dict) and draw(st.booleans()):
            target = body["event"]
        key = draw(st.sampled_from(sorted(target)) | st.text(max_size=6))
        value = draw(JSON | st.just(DELETE))
        if value is DELETE:
            target.pop(key, None)
        else:
            target[key] = value
    return body


REQUESTS = st.one_of(
    mutated_envelopes(),
    st.dictionaries(st.text(max_size=8), JSON, max_size=4).map(
        lambda extra: {"type": "event_callback", **extra}
    ),
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(
                ["block_actions", "view_submission", "shortcut", "url_verification"]
            )
        },
        optional={"team": JSON, "user": JSON, "view": JSON, "actions": JSON, "channel": JSON},
    ),
)


def stored(session: Session) -> list[tuple[Any, ...]]:
    """Every inbox row as recorded (folding only marks rows processed)."""
    columns = [column for column in INBOX_EVENT.c if column.name != "processed"]
    return [
        tuple(row) for row in session.execute(select(*columns).order_by(INBOX_EVENT.c.id)).all()
    ]


@pytest.fixture
async def before(slack: Slack, services: Services) -> list[tuple[Any, ...]]:
    assert (await slack.event(fixture("events/message"))).status == 200
    return await services.database.read(stored)


def assert_clean(caplog: pytest.LogCaptureFixture, status: int) -> None:
    assert status < 500
    assert [record.getMessage() for record in caplog.records if record.exc_info] == []
    assert [
        record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR
    ] == []


@FUZZ
@given(body=REQUESTS)
async def test_signed_envelopes_of_any_shape_never_get_a_500(
    slack: Slack,
    services: Services,
    before: list[tuple[Any, ...]],
    caplog: pytest.LogCaptureFixture,
    body: dict[str, Any],
) -> None:
    caplog.clear()
    response = await slack.post(json.dumps(body), "application/json")
    assert_clean(caplog, response.status)
    after = await services.database.read(stored)
    assert after[: len(before)] == before


@FUZZ
@given(
    body=st.binary(max_size=64) | st.text(max_size=64).map(str.encode),
    content_type=st.sampled_from(
        ["application/json", "application/x-www-form-urlencoded", "text/plain"]
    ),
    signed=st.booleans(),
)
async def test_garbage_never_gets_a_500(
    slack: Slack,
    services: Services,
    before: list[tuple[Any, ...]],
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    content_type: str,
    signed: bool,
) -> None:
    caplog.clear()
    if signed:
        response = await slack.post(body.decode("utf-8", "replace"), content_type)
    else:
        response = await slack.client.post(
            "/slack/events", data=body, headers={"Content-Type": content_type}
        )
    assert_clean(caplog, response.status)
    after = await services.database.read(stored)
    assert after[: len(before)] == before
