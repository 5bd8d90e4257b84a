"""A full planning cycle by real `engage serve` processes on the real clock, through the
Slack gateway to the fake Slack Web API: the leader plans and the servers deliver one
suggestion to each person whose window is open; when the leader is SIGKILLed, the other
takes over within the lease and plans again, which sends nobody anything more this week.

On PostgreSQL two servers share the database. On SQLite a second server refuses to
start, so the killed leader is succeeded by a server restarted on the same file.
"""

from __future__ import annotations

import re
import signal
import time
from collections import Counter
from pathlib import Path

from sqlmodel import Session, select

from bot.services import Services
from bot.storage.models import Outbox, Person, Suggestion
from tests.nudges.scheduler.test_leadership import ROLE, health_role
from tests.support.fake_slack import BOT_TOKEN, FakeSlack
from tests.support.live_workspace import AWAY, NEWCOMERS, load_live_workspace
from tests.support.processes import EngageProcess, start_engage

LEASE_SECONDS = 2.0
PLANNED = re.compile(r"job plan: planned (\d+) suggestion")
LEADER = re.compile(r"scheduler: leader")


def slack_env(database_url: str, api_url: str) -> dict[str, str]:
    return {
        "ENGAGE_DATABASE_URL": database_url,
        "ENGAGE_PORT": "0",
        "ENGAGE_PLATFORMS": "slack",
        "ENGAGE_SLACK_API_URL": api_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5",
        "ENGAGE_LEADER_LEASE_SECONDS": str(LEASE_SECONDS),
        "ENGAGE_DELIVER_INTERVAL_SECONDS": "0.5",
    }


async def serve(env: dict[str, str], tmp_path: Path) -> tuple[EngageProcess, str, int]:
    server = await start_engage("serve", env=env, cwd=str(tmp_path))
    role = (await server.wait_for_line(ROLE)).group(1)
    return server, role, await server.port()


async def said(server: EngageProcess, pattern: re.Pattern[str], within: float) -> re.Match[str]:
    """A line the server printed already, or the next one that matches."""
    for line in server.lines:
        if match := pattern.search(line):
            return match
    return await server.wait_for_line(pattern, within)


def sent_per_person(slack: FakeSlack) -> Counter[str]:
    """chat.postMessage calls per person (the fake opens DM `D…` for user `U…`)."""
    return Counter(
        "U" + str(call.params["channel"])[1:] for call in slack.calls_to("chat.postMessage")
    )


def rows_per_person(session: Session) -> tuple[Counter[str], Counter[str], Counter[str]]:
    names = {person.id: person.external_id for person in session.exec(select(Person))}
    suggestions = Counter(names[row.person_id] for row in session.exec(select(Suggestion)))
    outbox = list(session.exec(select(Outbox)))
    return (
        suggestions,
        Counter(names[row.person_id] for row in outbox),
        Counter(row.state for row in outbox),
    )


async def test_one_leader_plans_one_suggestion_each_and_a_successor_sends_no_more(
    services: Services, database_url: str, tmp_path: Path
) -> None:
    await load_live_workspace(services)
    everyone_once = Counter(NEWCOMERS)
    sqlite = database_url.startswith("sqlite")
    async with FakeSlack() as slack:
        env = slack_env(database_url, slack.api_url)
        first, first_role, first_port = await serve(env, tmp_path)
        assert first_role == "leader"
        assert int((await said(first, PLANNED, 60)).group(1)) == len(NEWCOMERS)
        if sqlite:
            code, log = await (await start_engage("serve", env=env, cwd=str(tmp_path))).finish()
            assert code != 0
            assert "already using" in log
        else:
            second, second_role, second_port = await serve(env, tmp_path)
            assert second_role == "standby"
        await slack.wait_for("chat.postMessage", len(NEWCOMERS), within=60)
        assert await health_role(first_port) == "leader"
        if not sqlite:
            assert await health_role(second_port) == "standby"
        assert sent_per_person(slack) == everyone_once
        assert await services.database.read(rows_per_person) == (
            everyone_once,
            everyone_once,
            Counter({"sent": len(NEWCOMERS)}),
        )

        first.process.send_signal(signal.SIGKILL)
        since = time.monotonic()
        await first.process.wait()
        if sqlite:
            second, _, second_port = await serve(env, tmp_path)
            since = time.monotonic()
        await said(second, LEADER, LEASE_SECONDS * 5)
        takeover = time.monotonic() - since
        assert takeover < LEASE_SECONDS * 2, f"took {takeover:.2f} s"
        assert await health_role(second_port) == "leader"
        assert int((await said(second, PLANNED, 60)).group(1)) == 0

        second.process.send_signal(signal.SIGTERM)
        code, log = await second.finish()
        assert code == 0, log
        assert sent_per_person(slack) == everyone_once
    assert not set(AWAY) & set(sent_per_person(slack))
    assert await services.database.read(rows_per_person) == (
        everyone_once,
        everyone_once,
        Counter({"sent": len(NEWCOMERS)}),
    )
