"""Slack roster sync of a large workspace, beside live ingest.

A real `engage serve` subprocess syncs a fake Slack workspace (default 20,000 people and
2,000 channels: #general with everyone, the others heavy-tailed) paged at 200 like Slack,
with Slack's tier limits enforced by the fake (429 + Retry-After) and paced by Engage.
Both run Slack's minutes faster by the factor `--pace` (the fake's minute lasts
60 × pace seconds, its Retry-After is in Slack seconds and Engage waits it × pace
through `ENGAGE_ROSTER_PACE`), so the wall time stays bounded by the rate limits, as in
production, only scaled. The sync starts as in production: the bot joins a channel.

Figures: wall time of the first sync (and as Slack would take it: wall / pace), the
server's CPU time during it, inbox rows written by a second sync (goal: none; the sync
only updates its own bookkeeping in `meta`: progress and the time of the sync), and
ingest req/s without a sync and during one (goal ≥ 0.9×).

Run: `python -m bench.roster [--people 20000] [--channels 2000] [--pace 0.02]
[--requests 1500] [--postgres URL]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import tempfile
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, text

from bench.cpu import postgres_cpu_seconds, process_cpu_seconds
from bench.harness import print_table, scratch_postgres, scratch_sqlite
from bench.slack_ingest import drain, env, send_all, slack_event
from tests.support.fake_slack import BOT_USER, TEAM, FakeSlack, slack_user
from tests.support.processes import EngageProcess, start_engage

TIERS = {"users.list": 20, "conversations.list": 20, "conversations.info": 50}
TIERS["conversations.members"] = 100
SYNCED = f"roster.synced_at.slack.{TEAM}"
ROSTER_ROWS = "SELECT count(*) FROM inbox_event WHERE kind NOT IN ('message', 'reaction_added')"


@dataclass
class Figures:
    database: str
    wall: float = 0.0
    cpu: float = 0.0
    postgres_cpu: float = 0.0
    pages: int = 0
    rate_limited: int = 0
    inbox_first: int = 0
    inbox_second: int = 0
    alone: float = 0.0
    during: float = 0.0
    ingest_inside_sync: bool = False


def workspace(fake: FakeSlack, people: int, channels: int) -> int:
    """Fill the fake; return the number of memberships."""
    rng = random.Random(7)
    users = [f"U{index:08d}" for index in range(people)]
    for user in users:
        fake.users[user] = slack_user(user, tz=rng.choice(["UTC", "Europe/Paris"]))
    fake.users[BOT_USER] = slack_user(BOT_USER) | {"is_bot": True}
    fake.add_channel("C00GENERAL", "general", [*users, BOT_USER])
    total = people
    for index in range(channels - 1):
        size = min(people, int(3 / max(rng.random(), 1e-4) ** 0.9))
        members = rng.sample(users, size)
        fake.add_channel(f"C{index:08d}", f"topic-{index}", members, archived=index % 50 == 0)
        total += size
    return total


def bot_joins(serial: int) -> str:
    body = json.loads(slack_event(0))
    body["event_id"] = f"Ev0ROSTER{serial:06d}"
    body["event"] = {
        "type": "member_joined_channel",
        "user": BOT_USER,
        "channel": "C00GENERAL",
        "channel_type": "C",
        "team": TEAM,
        "event_ts": f"{time.time():.6f}",
    }
    return json.dumps(body)


def scalar(url: str, query: str) -> Any:
    engine = create_engine(url)
    with engine.connect() as connection:
        value = connection.execute(text(query)).scalar()
    engine.dispose()
    return value


async def synced(url: str, after: str | None, within: float) -> str:
    """Wait until the sync records a time other than `after` (polling the database)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = await asyncio.to_thread(
            scalar, url, f"SELECT value FROM meta WHERE key = '{SYNCED}'"
        )
        if value is not None and value != after:
            return str(value)
        await asyncio.sleep(0.25)
    raise TimeoutError("the roster sync did not finish in time")


async def measure(name: str, fake: FakeSlack, url: str, args: argparse.Namespace) -> Figures:
    figures = Figures(name)
    port_env = env(fake, url) | {"ENGAGE_ROSTER_PACE": str(args.pace)}
    event_url = ""
    with tempfile.TemporaryDirectory(prefix="engage-roster-bench-") as directory:
        process: EngageProcess = await start_engage("serve", env=port_env, cwd=directory)
        event_url = f"http://127.0.0.1:{await process.port()}/slack/events"
        draining = asyncio.create_task(drain(process))
        try:
            await send_all(event_url, [slack_event(i) for i in range(200)], args.clients)
            bodies = [slack_event(i) for i in range(args.requests)]
            figures.alone = (await send_all(event_url, bodies, args.clients)).rate

            calls_before = len(fake.calls)
            cpu, postgres = process_cpu_seconds(process.process.pid), postgres_cpu_seconds()
            started = time.perf_counter()
            await send_all(event_url, [bot_joins(1)], 1)
            bodies = [slack_event(i) for i in range(args.requests)]
            figures.during = (await send_all(event_url, bodies, args.clients)).rate
            stamp = await asyncio.to_thread(
                scalar, url, f"SELECT value FROM meta WHERE key = '{SYNCED}'"
            )
            figures.ingest_inside_sync = stamp is None
            first = await synced(url, None, args.timeout)
            figures.wall = time.perf_counter() - started
            figures.cpu = process_cpu_seconds(process.process.pid) - cpu
            figures.postgres_cpu = postgres_cpu_seconds() - postgres
            figures.pages = len(fake.calls) - calls_before
            figures.rate_limited = fake.refused
            await asyncio.sleep(3)  # let the scheduler's fold catch up
            inbox = ROSTER_ROWS
            figures.inbox_first = await asyncio.to_thread(scalar, url, inbox)

            await send_all(event_url, [bot_joins(2)], 1)
            await synced(url, first, args.timeout)
            figures.inbox_second = await asyncio.to_thread(scalar, url, inbox)
            figures.inbox_second -= figures.inbox_first
        finally:
            process.process.send_signal(signal.SIGTERM)
            await draining
            await process.process.wait()
    return figures


async def main(args: argparse.Namespace) -> None:
    results = []
    async with FakeSlack() as fake:
        memberships = workspace(fake, args.people, args.channels)
        fake.tiers = TIERS
        fake.tier_minute = 60 * args.pace
        with scratch_sqlite() as url:
            results.append(await measure("SQLite", fake, url, args))
        if args.postgres:
            fake.refused = 0
            with scratch_postgres(args.postgres) as url:
                results.append(await measure("PostgreSQL", fake, url, args))
    rows = [
        [
            f.database,
            f"{f.wall:.1f}",
            f"{f.wall / args.pace / 60:.0f}",
            f"{f.cpu:.1f}",
            f"{f.postgres_cpu:.1f}",
            f"{f.pages:,}",
            f"{f.rate_limited}",
            f"{f.inbox_first:,}",
            f"{f.inbox_second}",
            f"{f.alone:,.0f}",
            f"{f.during:,.0f}",
            f"{f.during / f.alone:.2f}×" + ("" if f.ingest_inside_sync else " (sync ended first)"),
        ]
        for f in results
    ]
    headers = ["database", "wall s", "as Slack min", "server CPU s", "PostgreSQL CPU s"]
    headers += ["API calls", "429s", "roster inbox rows", "2nd sync inbox rows"]
    headers += ["ingest req/s alone", "during sync", "ratio"]
    title = (
        f"Roster sync: {args.people:,} people, {args.channels:,} channels, "
        f"{memberships:,} memberships, pages of 200, Slack tiers with time × {args.pace} "
        f"(Retry-After and pacing scaled down {1 / args.pace:.0f}×)"
    )
    print_table(title, headers, rows)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--channels", type=int, default=2_000)
    parser.add_argument("--pace", type=float, default=0.02)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--postgres", help="PostgreSQL server URL (a scratch database is made)")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
