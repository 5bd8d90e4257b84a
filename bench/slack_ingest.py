"""Slack ingest rate: `engage serve` vs a bare Bolt AsyncApp with a no-op listener.

Each server is a real subprocess started the same way, one at a time, with its Web API
pointed at an in-process fake Slack. Signed `message` and `reaction_added` events (unique
ids) go over HTTP from N concurrent clients; the table gives requests/s, p50/p99 latency,
the ratios to bare Bolt, the CPU each server used per request (PostgreSQL's own processes
apart), and the rows Engage stored (every event must be there).

Run: `python -m bench.slack_ingest [--requests 4000] [--clients 16] [--postgres URL]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import aiohttp
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import create_engine, text

from bench.cpu import postgres_cpu_seconds, process_cpu_seconds
from bench.harness import percentile, print_table, scratch_postgres, scratch_sqlite
from tests.support.fake_slack import BOT_TOKEN, TEAM, FakeSlack
from tests.support.processes import EngageProcess, engage_env, start_engage

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BARE = re.compile(r"Bare Bolt listening on http://([\d.]+):(\d+)")
ROOT = Path(__file__).resolve().parents[1]
_serial = count(1)


@dataclass
class Outcome:
    name: str
    requests: int
    seconds: float
    latencies: list[float]
    failures: int
    stored: int | None = None
    server_cpu: float = 0.0
    postgres_cpu: float = 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def p(self, share: float) -> float:
        return percentile(self.latencies, share) * 1000


def slack_event(index: int) -> str:
    """A realistic Events API body: 3 messages for each reaction, 200 people, 20 channels."""
    serial = next(_serial)
    ts = f"{int(time.time()) - 3600}.{serial:06d}"
    person, channel = f"U07P{index % 200:04d}", f"C07CH{index % 20:03d}"
    if index % 4 == 3:
        event: dict[str, Any] = {
            "type": "reaction_added",
            "user": person,
            "reaction": "tada",
            "item_user": f"U07P{(index + 7) % 200:04d}",
            "item": {"type": "message", "channel": channel, "ts": ts},
            "event_ts": ts,
        }
    else:
        event = {
            "type": "message",
            "user": person,
            "text": "metadata only, never stored",
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
            "channel_type": "channel",
            "team": TEAM,
        }
    return json.dumps(
        {
            "token": "Jhj5dZrVaK7ZwHHjRyZWjbDl",
            "team_id": TEAM,
            "api_app_id": "A07ENGAGE01",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev07B{serial:09d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": "U07ENGAGEBOT", "is_bot": True}],
        }
    )


async def send_all(url: str, bodies: list[str], clients: int) -> Outcome:
    verifier = SignatureVerifier(SECRET)
    queue = iter(bodies)
    latencies: list[float] = []
    failures = 0

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal failures
        for body in queue:
            stamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body),
            }
            started = time.perf_counter()
            async with session.post(url, data=body.encode(), headers=headers) as response:
                await response.read()
                failures += response.status != 200
            latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(clients)))
        seconds = time.perf_counter() - started
    return Outcome("", len(bodies), seconds, latencies, failures)


async def run_target(
    name: str, process: EngageProcess, port: int, args: argparse.Namespace
) -> Outcome:
    url = f"http://127.0.0.1:{port}/slack/events"
    draining = asyncio.create_task(drain(process))
    try:
        await send_all(url, [slack_event(i) for i in range(args.warmup)], args.clients)
        bodies = [slack_event(i) for i in range(args.requests)]
        server, postgres = process_cpu_seconds(process.process.pid), postgres_cpu_seconds()
        outcome = await send_all(url, bodies, args.clients)
        outcome.server_cpu = process_cpu_seconds(process.process.pid) - server
        outcome.postgres_cpu = postgres_cpu_seconds() - postgres
    finally:
        process.process.send_signal(signal.SIGTERM)
        await draining
        await process.process.wait()
    outcome.name = name
    return outcome


async def drain(process: EngageProcess) -> None:
    """Keep reading the server's log so that a full pipe never blocks it."""
    assert process.process.stderr is not None
    while line := await process.process.stderr.readline():
        process.lines.append(line.decode())


def env(fake: FakeSlack, database_url: str = "") -> dict[str, str]:
    values = {
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "ENGAGE_SLACK_API_URL": fake.api_url,
        "ENGAGE_PLATFORMS": "slack",
        "ENGAGE_PORT": "0",
        "ENGAGE_LOG_LEVEL": "INFO",
    }
    return values | ({"ENGAGE_DATABASE_URL": database_url} if database_url else {})


async def bare_bolt(fake: FakeSlack, args: argparse.Namespace) -> Outcome:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.bare_bolt",
        env=engage_env(env(fake)),
        cwd=ROOT,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    running = EngageProcess(process)
    port = int((await running.wait_for_line(BARE)).group(2))
    return await run_target("bare Bolt", running, port, args)


async def engage(name: str, fake: FakeSlack, url: str, args: argparse.Namespace) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="engage-slack-bench-") as directory:
        process = await start_engage("serve", env=env(fake, url), cwd=directory)
        outcome = await run_target(name, process, await process.port(), args)
    outcome.stored = stored_events(url)
    return outcome


def stored_events(database_url: str) -> int:
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        query = "SELECT count(*) FROM inbox_event WHERE kind IN ('message', 'reaction_added')"
        stored = int(connection.execute(text(query)).scalar_one())
    engine.dispose()
    return stored


async def main(args: argparse.Namespace) -> None:
    outcomes: list[Outcome] = []
    async with FakeSlack() as fake:
        for _ in range(args.rounds):
            outcomes.append(await bare_bolt(fake, args))
            with scratch_sqlite() as url:
                outcomes.append(await engage("engage serve (SQLite)", fake, url, args))
            if args.postgres:
                with scratch_postgres(args.postgres) as url:
                    outcomes.append(await engage("engage serve (PostgreSQL)", fake, url, args))
    report(outcomes, args)


def report(outcomes: list[Outcome], args: argparse.Namespace) -> None:
    bare = [outcome for outcome in outcomes if outcome.name == "bare Bolt"]
    bare_rate = sum(o.rate for o in bare) / len(bare)
    bare_p99 = sum(o.p(0.99) for o in bare) / len(bare)
    rows = []
    for outcome in outcomes:
        sent = args.warmup + args.requests
        stored = "—" if outcome.stored is None else f"{outcome.stored}/{sent}"
        rows.append(
            [
                outcome.name,
                f"{outcome.rate:,.0f}",
                f"{outcome.p(0.50):.1f}",
                f"{outcome.p(0.99):.1f}",
                f"{outcome.rate / bare_rate:.2f}×",
                f"{outcome.p(0.99) / bare_p99:.2f}×",
                f"{outcome.server_cpu / outcome.requests * 1e6:.0f}",
                f"{outcome.postgres_cpu / outcome.requests * 1e6:.0f}",
                str(outcome.failures),
                stored,
            ]
        )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    title = (
        f"Slack ingest: {args.requests} signed events, {args.clients} concurrent clients "
        f"(load average {load}; PostgreSQL CPU counts every server process)"
    )
    headers = ["server", "req/s", "p50 ms", "p99 ms", "req/s vs bare", "p99 vs bare"]
    headers += ["server CPU µs/req", "PostgreSQL CPU µs/req", "non-200"]
    print_table(title, [*headers, "events stored"], rows)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--warmup", type=int, default=400)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--postgres", help="PostgreSQL server URL (a scratch database is made)")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
