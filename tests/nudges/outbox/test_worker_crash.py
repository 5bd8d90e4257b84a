"""A delivering process SIGKILLed mid-send: after a restart no message goes out twice.

Both processes deliver through the real Slack gateway: the first (`engage run-job
deliver`) talks to a Web API that never answers and is killed while its rows are
`sending`; the second (`engage serve`) talks to the fake Slack Web API.
"""

from __future__ import annotations

import asyncio
import re
import signal
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlmodel import Session

from bot.services import Services
from tests.support.fake_slack import BOT_TOKEN, FakeSlack
from tests.support.outbox import add_community, add_people, add_workspace, outbox, queue_suggestion
from tests.support.processes import start_engage

USERS = tuple(f"U0PERSON{i}" for i in range(6))
CONCURRENCY = 3
LEASE_SECONDS = 5


class SilentSlack:
    """A Web API that records who a DM was opened for, then never answers."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.enough = asyncio.Event()
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        self.server = TestServer(app, host="127.0.0.1", port=0)

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "conversations.open":
            params = {**request.query, **(await request.post())}
            self.opened.append(str(params["users"]))
            if len(self.opened) >= CONCURRENCY:
                self.enough.set()
        await asyncio.Event().wait()
        raise AssertionError("never answers")


@pytest.fixture
async def silent_slack() -> AsyncIterator[SilentSlack]:
    silent = SilentSlack()
    await silent.server.start_server()
    yield silent
    await silent.server.close()


def slack_env(database_url: str, api_url: str) -> dict[str, str]:
    return {
        "ENGAGE_DATABASE_URL": database_url,
        "ENGAGE_PORT": "0",
        "ENGAGE_PLATFORMS": "slack",
        "ENGAGE_SLACK_API_URL": api_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5",
        "ENGAGE_DELIVERY_CONCURRENCY": str(CONCURRENCY),
        "ENGAGE_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
        "ENGAGE_DELIVER_INTERVAL_SECONDS": "0.5",
    }


async def test_sigkill_while_sending_then_restart_sends_nothing_twice(
    services: Services, database_url: str, tmp_path: Path, silent_slack: SilentSlack
) -> None:
    def seed(session: Session) -> dict[int, str]:
        workspace = add_workspace(session)
        people = add_people(session, workspace, *USERS)
        community = add_community(session, workspace)
        for person in people:
            queue_suggestion(session, person, community)
        return dict(zip(people, USERS, strict=True))

    names = await services.database.write(seed)
    silent_url = f"http://127.0.0.1:{silent_slack.server.port}/api/"
    first = await start_engage(
        "run-job", "deliver", env=slack_env(database_url, silent_url), cwd=str(tmp_path)
    )
    await asyncio.wait_for(silent_slack.enough.wait(), 30)
    before_kill = await services.database.read(outbox)
    first.process.send_signal(signal.SIGKILL)
    assert await asyncio.wait_for(first.process.wait(), 30) == -signal.SIGKILL
    in_flight = {names[p] for p, row in before_kill.items() if row.state == "sending"}
    assert sorted(in_flight) == sorted(silent_slack.opened)
    assert Counter(row.state for row in before_kill.values()) == {"sending": 3, "pending": 3}

    async with FakeSlack() as slack:
        server = await start_engage(
            "serve", env=slack_env(database_url, slack.api_url), cwd=str(tmp_path)
        )
        await server.wait_for_line(re.compile("left sending by a stopped process"), 60)
        posted = await slack.wait_for("chat.postMessage", 3)
        server.process.send_signal(signal.SIGTERM)
        code, log = await server.finish()
        opened = [str(call.params["users"]) for call in slack.calls_to("conversations.open")]
    assert code == 0, log
    assert sorted(opened) == sorted(set(USERS) - in_flight)
    assert len(posted) == 3
    assert Counter(silent_slack.opened + opened) == Counter(USERS)
    rows = await services.database.read(outbox)
    assert {names[p]: row.state for p, row in rows.items()} == {
        name: "unknown" if name in in_flight else "sent" for name in USERS
    }
