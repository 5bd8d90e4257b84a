"""Fuzzing `/api/messages`: activities whose fields have any type get a 2xx or a 4xx, never
a 500 or a traceback, and what was stored before stays as it was. With a valid token from
the local issuer for activities that need no turn (a turn would fetch the bot's own token
from Microsoft), and without an app id (as in dev) for every activity, turns included,
which then answer through the fake connector."""

from __future__ import annotations

import copy
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlmodel import Session

from adapters.teams.app import needs_turn
from adapters.teams.ingest import text_field
from bot.services import Services
from bot.settings import load_settings
from bot.storage.tables import INBOX_EVENT
from tests.adapters.teams.activities import APP_ID, FIXTURES, activity
from tests.adapters.teams.conftest import TeamsServer, serve_teams
from tests.adapters.teams.fake_connector import FakeConnector
from tests.adapters.teams.test_app_auth import Issuer, issuer

__all__ = ["issuer"]  # fixture

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
    columns = [column for column in INBOX_EVENT.c if column.name != "processed"]
    return [
        tuple(row) for row in session.execute(select(*columns).order_by(INBOX_EVENT.c.id)).all()
    ]


FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
Mutation = tuple[str, list[tuple[str | None, str, Any]]]


async def assert_harmless(
    server: TeamsServer, sent: dict[str, Any], headers: dict[str, str], caplog: Any
) -> None:
    if not await server.services.database.read(stored):
        first = activity("channel_message", text_field(sent, "serviceUrl") or "")
        assert (await server.post(first, headers)).status == 200
    before = await server.services.database.read(stored)
    caplog.clear()
    answer = await server.post(sent, headers)
    assert answer.status < 500
    assert [record.getMessage() for record in caplog.records if record.exc_info] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    after = await server.services.database.read(stored)
    assert after[: len(before)] == before


@pytest.fixture
async def secured(database_url: str, issuer: Issuer) -> AsyncIterator[TeamsServer]:
    authenticated = load_settings(
        env_file=None, database_url=database_url, port=0, teams_app_id=APP_ID,
        teams_app_password="a-real-looking-client-secret",
        teams_openid_metadata_url=issuer.metadata_url,
    )  # fmt: skip
    services = Services.build(authenticated)
    try:
        async with serve_teams(services) as server:
            yield server
    finally:
        await services.stop()


@FUZZ
@given(mutation=mutations())
async def test_authenticated_activities_of_any_shape_never_get_a_500(
    secured: TeamsServer,
    connector: FakeConnector,
    issuer: Issuer,
    caplog: pytest.LogCaptureFixture,
    mutation: Mutation,
) -> None:
    sent = mutated(*mutation, connector.url)
    assume(not needs_turn(sent))  # a turn would fetch the bot's own token from Microsoft
    token = {"Authorization": f"Bearer {issuer.token(text_field(sent, 'serviceUrl'))}"}
    await assert_harmless(secured, sent, token, caplog)


@FUZZ
@given(mutation=mutations())
async def test_activities_of_any_shape_and_their_turns_never_get_a_500(
    teams: TeamsServer,
    connector: FakeConnector,
    caplog: pytest.LogCaptureFixture,
    mutation: Mutation,
) -> None:
    await assert_harmless(teams, mutated(*mutation, connector.url), {}, caplog)
