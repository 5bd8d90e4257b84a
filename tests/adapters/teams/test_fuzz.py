"""Fuzzing `/api/messages`: activities whose fields have any type get a 2xx or a 4xx, never
a 500 or a traceback, and what was stored before stays as it was. The server runs without
an app id (as in dev), so that the turns it runs answer through the fake connector without
fetching a token from Microsoft; `test_request_logs` covers the token checks."""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlmodel import Session

from bot.storage.models import InboxEvent
from tests.adapters.teams.activities import FIXTURES, activity
from tests.adapters.teams.conftest import TeamsServer
from tests.adapters.teams.fake_connector import FakeConnector

INBOX = InboxEvent.__table__  # type: ignore[attr-defined]
NAMES = sorted(path.stem for path in FIXTURES.glob("*.json"))
NESTED = ("from", "conversation", "channelData", "recipient", "value")
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
DELETE = object()


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, list[tuple[str | None, str, Any]]]:
    name = draw(st.sampled_from(NAMES))
    changes = []
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.none() | st.sampled_from(NESTED))
        key = draw(st.sampled_from(["type", "id", "from", "entities", "membersAdded",
                                    "membersRemoved", "reactionsAdded", "timestamp", "text",
                                    "value", "name", "conversation", "channelData", "tenant",
                                    "team", "channel", "eventType", "action"]))  # fmt: skip
        changes.append((where, key, draw(JSON | st.just(DELETE))))
    return name, changes


def mutated(name: str, changes: list[tuple[str | None, str, Any]], url: str) -> dict[str, Any]:
    sent = activity(name, url)
    for where, key, value in changes:
        target = sent if where is None else sent.get(where)
        if not isinstance(target, dict):
            continue
        if value is DELETE:
            target.pop(key, None)
        else:
            target[key] = copy.deepcopy(value)
    return sent


def stored(session: Session) -> list[tuple[Any, ...]]:
    columns = [column for column in INBOX.c if column.name != "processed"]
    return [tuple(row) for row in session.execute(select(*columns).order_by(INBOX.c.id)).all()]


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutation=mutations())
async def test_activities_of_any_shape_never_get_a_500(
    teams: TeamsServer,
    connector: FakeConnector,
    caplog: pytest.LogCaptureFixture,
    mutation: tuple[str, list[tuple[str | None, str, Any]]],
) -> None:
    if not await teams.services.database.read(stored):
        assert (await teams.post(activity("channel_message", connector.url))).status == 200
    before = await teams.services.database.read(stored)
    caplog.clear()
    answer = await teams.post(mutated(*mutation, connector.url))
    assert answer.status < 500
    assert [record.getMessage() for record in caplog.records if record.exc_info] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    after = await teams.services.database.read(stored)
    assert after[: len(before)] == before
