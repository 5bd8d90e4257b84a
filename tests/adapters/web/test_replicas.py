"""Several replicas, one truth: real `engage serve` processes behind a round-robin proxy.

On PostgreSQL three servers share the database. Signed Slack events and Teams activities
arrive through the proxy, each retried (Slack's `X-Slack-Retry-Num`, Teams' same activity)
so that the retry lands on another replica. The leader plans one suggestion for each of
twelve people; Slack is slow to answer, so every replica is sending one of them when the
leader is SIGKILLed. Then: every event is recorded once, no observation ever shows two
leaders, a standby leads within the lease, nobody is sent a suggestion twice and nobody is
over budget.

On SQLite one server owns the file: a second one refuses to start, and a server started
after the owner's SIGKILL leads at once (the same story with one replica at a time).
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from slack_sdk.signature import SignatureVerifier
from sqlmodel import Session, col, select

from bot.events import as_utc
from bot.services import Services
from bot.storage.models import BudgetSlot, InboxEvent, Outbox, Person, SchedulerLease, Suggestion
from tests.adapters.teams.activities import APP_ID, GARDEN, TENANT, activity
from tests.adapters.teams.fake_connector import FakeConnector
from tests.adapters.teams.test_app_auth import Issuer
from tests.nudges.scheduler.test_two_servers_plan import PLANNED, sent_per_person
from tests.support.fake_slack import BOT_TOKEN, FakeSlack
from tests.support.live_workspace import NEWCOMERS, load_live_workspace
from tests.support.processes import EngageProcess, start_engage
from tests.support.round_robin import RoundRobinProxy

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
LEASE_SECONDS = 3.0
DELIVERY_LEASE_SECONDS = 12.0
STARTUP_SECONDS = 120.0
"""Three servers starting at once on a busy CI machine take a while to import and migrate."""
ROLE = re.compile(r"scheduler: (leader|standby)")
POST = "chat.postMessage"
T = TypeVar("T")
SLACK_CHANNEL = "C0REPLICA"


@dataclass
class Replica:
    server: EngageProcess
    port: int
    first_role: str
    drain: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int:
        return self.server.process.pid

    @property
    def running(self) -> bool:
        return self.server.process.returncode is None

    def keep_reading(self) -> None:
        """Read the log as it comes (a full pipe would block the server)."""
        self.drain = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.server.process.stderr is not None
        while raw := await self.server.process.stderr.readline():
            self.server.lines.append(raw.decode())

    async def logged(
        self, pattern: re.Pattern[str], within: float, since: int = 0
    ) -> re.Match[str]:
        """The first line from the `since`-th on that matches, once it is written."""

        async def seen() -> re.Match[str] | None:
            return next(filter(None, map(pattern.search, self.server.lines[since:])), None)

        return await poll(seen, within, f"pid {self.pid} never logged {pattern.pattern}")

    async def stop(self) -> tuple[int, str]:
        self.server.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.server.process.wait(), 30)
        if self.drain is not None:
            await self.drain
        return code, "".join(self.server.lines)


@dataclass
class Observation:
    roles: dict[int, str]
    """pid → role, as each replica's /readyz and engage_leader said."""
    holder_pid: int | None


@dataclass
class Cluster:
    services: Services
    env: dict[str, str]
    cwd: str
    replicas: list[Replica] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    processes: list[EngageProcess] = field(default_factory=list)

    async def __aenter__(self) -> Cluster:
        return self

    async def __aexit__(self, *_: object) -> None:
        """A failed test leaves no server behind."""
        for server in self.processes:
            if server.process.returncode is None:
                server.process.kill()
                await server.process.wait()

    async def start(self, count: int) -> list[Replica]:
        started = await asyncio.gather(*(self._start_one() for _ in range(count)))
        self.replicas += started
        return list(started)

    async def _start_one(self) -> Replica:
        server = await start_engage("serve", env=self.env, cwd=self.cwd)
        self.processes.append(server)
        role = (await server.wait_for_line(ROLE, within=STARTUP_SECONDS)).group(1)
        replica = Replica(server, await server.port(), role)
        replica.keep_reading()
        return replica

    async def leader(self, within: float) -> Replica:
        """The one replica that says it leads, once one does."""
        return await poll(self._the_leader, within, "no replica leads")

    async def _the_leader(self) -> Replica | None:
        observation = await self.observe()
        leaders = [pid for pid, role in observation.roles.items() if role == "leader"]
        return next((r for r in self.replicas if r.pid in leaders), None)

    async def observe(self) -> Observation:
        """Every live replica's role (its readiness JSON and its metric, which must agree),
        recorded for the one-leader check with the lease row, unless the lease changed
        hands while the replicas were asked (then they were not asked at one moment)."""
        while True:
            before = await self._lease()
            answers = await self._roles()
            if (lease := await self._lease()) == before:
                break
        roles: dict[int, str] = {}
        for pid, (ready, gauge) in answers.items():
            said_leader = ready["scheduler"] == "leader"
            assert gauge == (1.0 if said_leader else 0.0), (ready, gauge)
            roles[pid] = ready["scheduler"]
        observation = Observation(roles, int(lease[0].split(":")[1]) if lease else None)
        self.observations.append(observation)
        return observation

    async def _lease(self) -> tuple[str, datetime] | None:
        def read(session: Session) -> tuple[str, datetime] | None:
            lease = session.get(SchedulerLease, "scheduler")
            return (lease.holder, lease.acquired_at) if lease is not None else None

        return await self.services.database.read(read)

    async def _roles(self) -> dict[int, tuple[dict[str, Any], float | None]]:
        """Each live replica's readiness JSON and leader metric, asked one after the other:
        they agree unless a role changed between the two (the lease row says so)."""
        roles: dict[int, tuple[dict[str, Any], float | None]] = {}
        async with aiohttp.ClientSession() as session:
            for replica in self.replicas:
                if not replica.running:
                    continue
                base = f"http://127.0.0.1:{replica.port}"
                async with session.get(f"{base}/readyz") as response:
                    assert response.status == 200, await response.text()
                    ready = await response.json()
                async with session.get(f"{base}/metrics") as response:
                    gauge = metric(await response.text(), "engage_leader")
                assert ready["migrations"] == "current"
                roles[replica.pid] = (ready, gauge)
        return roles


async def poll(check: Callable[[], Awaitable[T | None]], within: float, what: str) -> T:
    """Re-check observable state until it holds, or fail after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        if (found := await check()) is not None:
            return found
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.05)  # the interval between looks, not a synchronisation


def metric(body: str, name: str) -> float | None:
    for line in body.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return None


def samples(body: str, name: str) -> dict[str, float]:
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in body.splitlines()
        if line.startswith(name)
    }


class Senders:
    """What Slack and Teams send: signed requests through the proxy, and their retries."""

    def __init__(self, proxy: RoundRobinProxy, issuer: Issuer, connector: FakeConnector) -> None:
        self.proxy, self.issuer, self.connector = proxy, issuer, connector
        self.verifier = SignatureVerifier(SIGNING_SECRET)
        self.slack_keys: set[str] = set()
        self.teams_ids: set[str] = set()
        self.retries_elsewhere = 0

    async def slack_event(self, session: aiohttp.ClientSession, serial: int) -> None:
        ts = f"1774360{serial:03d}.000100"
        body = json.dumps(
            {
                "token": "Jhj5dZrVaK7ZwHHjRyZWjbDl",
                "team_id": "T024BE7LD",
                "api_app_id": "A07ENGAGE01",
                "type": "event_callback",
                "event_id": f"Ev07REPLICA{serial:03d}",
                "event_time": 1774360000 + serial,
                "event": {
                    "type": "message",
                    "user": NEWCOMERS[serial % len(NEWCOMERS)],
                    "text": "not kept",
                    "ts": ts,
                    "channel": SLACK_CHANNEL,
                    "event_ts": ts,
                    "channel_type": "channel",
                },
            }
        )
        for attempt in (0, 1):
            retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
            timestamp = str(int(time.time()))
            headers: dict[str, str] = {
                "Content-Type": "application/json",
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": str(
                    self.verifier.generate_signature(timestamp=timestamp, body=body)
                ),
                **(retry if attempt else {}),
            }
            async with session.post(
                f"{self.proxy.url}/slack/events", data=body.encode(), headers=headers
            ) as response:
                assert response.status == 200, await response.text()
        self._count_retry_elsewhere()
        self.slack_keys.add(f"{SLACK_CHANNEL}:{ts}")

    async def teams_activity(self, session: aiohttp.ClientSession, serial: int) -> None:
        identifier = f"17746{serial:08d}"
        sent = activity(
            "channel_message",
            self.connector.url,
            id=identifier,
            conversation={
                "isGroup": True,
                "conversationType": "channel",
                "tenantId": TENANT,
                "id": f"{GARDEN};messageid={identifier}",
            },
        )
        for _ in (0, 1):
            token = self.issuer.token(self.connector.url)
            async with session.post(
                f"{self.proxy.url}/api/messages",
                json=sent,
                headers={"Authorization": f"Bearer {token}"},
            ) as response:
                assert response.status in (200, 201), await response.text()
        self._count_retry_elsewhere()
        self.teams_ids.add(identifier)

    def _count_retry_elsewhere(self) -> None:
        first, retry = self.proxy.answered_by[-2:]
        self.retries_elsewhere += first != retry

    async def send(self, serials: range) -> None:
        async with aiohttp.ClientSession() as session:
            for serial in serials:
                await self.slack_event(session, serial)
                await self.teams_activity(session, serial)


async def queued(services: Services) -> int | None:
    """The number of outbox rows once the plan has queued one per newcomer."""

    def count(session: Session) -> int:
        return len(session.exec(select(Outbox.id)).all())

    rows = await services.database.read(count)
    return rows if rows == len(NEWCOMERS) else None


def recorded(session: Session) -> tuple[Counter[str], Counter[str]]:
    """Inbox messages per key: Slack's in the test channel, Teams' in the tenant."""
    rows = session.exec(select(InboxEvent).where(InboxEvent.kind == "message")).all()
    slack = Counter(row.event_key for row in rows if row.community == SLACK_CHANNEL)
    teams = Counter(row.event_key for row in rows if row.workspace == TENANT)
    return slack, teams


def budgets(session: Session) -> tuple[Counter[str], Counter[str], Counter[str]]:
    """Suggestions and budget slots per newcomer, and outbox rows by state."""
    names = {
        person.id: person.external_id
        for person in session.exec(select(Person).where(col(Person.external_id).in_(NEWCOMERS)))
    }
    suggestions = Counter(names[row.person_id] for row in session.exec(select(Suggestion)))
    slots = Counter(names[row.person_id] for row in session.exec(select(BudgetSlot)))
    states = Counter(row.state for row in session.exec(select(Outbox)))
    return suggestions, slots, states


@asynccontextmanager
async def platforms() -> AsyncIterator[tuple[FakeSlack, FakeConnector, Issuer]]:
    connector, issuer = FakeConnector(), Issuer()
    await connector.start()
    await issuer.start()
    try:
        async with FakeSlack() as slack:
            yield slack, connector, issuer
    finally:
        await connector.close()
        assert issuer.server is not None
        await issuer.server.close()


def environment(database_url: str, slack: FakeSlack, issuer: Issuer) -> dict[str, str]:
    return {
        "ENGAGE_DATABASE_URL": database_url,
        "ENGAGE_PORT": "0",
        "ENGAGE_PLATFORMS": "slack,teams",
        "ENGAGE_SLACK_API_URL": slack.api_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "MicrosoftAppId": APP_ID,
        "MicrosoftAppPassword": "a-real-looking-client-secret",
        "ENGAGE_TEAMS_OPENID_METADATA_URL": issuer.metadata_url,
        "ENGAGE_LEADER_LEASE_SECONDS": str(LEASE_SECONDS),
        "ENGAGE_DELIVER_INTERVAL_SECONDS": "0.3",
        "ENGAGE_DELIVERY_CONCURRENCY": "1",
        "ENGAGE_DELIVERY_LEASE_SECONDS": str(DELIVERY_LEASE_SECONDS),
    }


async def test_replicas_record_once_lead_one_at_a_time_and_send_nothing_twice(
    services: Services, database_url: str, tmp_path: Path
) -> None:
    await load_live_workspace(services)
    sqlite = database_url.startswith("sqlite")
    count = 1 if sqlite else 3
    async with platforms() as (slack, connector, issuer):
        slack.hold(POST)
        env = environment(database_url, slack, issuer)
        async with Cluster(services, env, str(tmp_path)) as cluster:
            await cluster.start(count)
            if sqlite:
                refused = await start_engage("serve", env=cluster.env, cwd=str(tmp_path))
                code, log = await refused.finish()
                assert code != 0
                assert "already using" in log
            await poll(lambda: queued(services), 60, "nothing planned")

            async with RoundRobinProxy([r.port for r in cluster.replicas]) as proxy:
                senders = Senders(proxy, issuer, connector)
                await senders.send(range(0, 6))
                # Mid-delivery: every replica is waiting for Slack to answer one message.
                await slack.wait_for(POST, count, within=30)
                leader = await cluster.leader(within=LEASE_SECONDS * 2)
                before_kill = len(cluster.observations)
                lines = {replica.pid: len(replica.server.lines) for replica in cluster.replicas}
                leader.server.process.send_signal(signal.SIGKILL)
                killed_at = datetime.now(UTC)
                await leader.server.process.wait()
                slack.release(POST)
                if sqlite:  # alone on the file, it leads at once despite the killed one's lease
                    (replacement,) = await cluster.start(1)
                    assert replacement.first_role == "leader"
                    proxy.backends[:] = [replacement.port]
                successor = await cluster.leader(within=LEASE_SECONDS * 5)
                led_again = len(cluster.observations) - 1
                assert successor.pid != leader.pid
                lease = await services.database.read(
                    lambda session: session.get(SchedulerLease, "scheduler")
                )
                assert lease is not None
                assert f":{successor.pid}:" in lease.holder
                if not sqlite:  # when the successor took the lease, by its own clock
                    takeover = (as_utc(lease.acquired_at) - killed_at).total_seconds()
                    assert takeover < LEASE_SECONDS * 2, f"took {takeover:.2f} s"
                await senders.send(range(6, 12))
                replanned = await successor.logged(PLANNED, 60, lines.get(successor.pid, 0))
                assert int(replanned.group(1)) == 0

                await slack.wait_for(POST, len(NEWCOMERS), within=30)

                async def settled() -> tuple[Counter[str], Counter[str], Counter[str]] | None:
                    await cluster.observe()
                    counts = await services.database.read(budgets)
                    return counts if not set(counts[2]) & {"pending", "sending"} else None

                suggestions, slots, states = await poll(
                    settled, DELIVERY_LEASE_SECONDS * 2, "outbox still sending"
                )
                survivors = [replica for replica in cluster.replicas if replica.running]
                async with aiohttp.ClientSession() as session:
                    bodies = []
                    for replica in survivors:
                        url = f"http://127.0.0.1:{replica.port}/metrics"
                        async with session.get(url) as answer:
                            bodies.append(await answer.text())

            for code, log in await asyncio.gather(*(replica.stop() for replica in survivors)):
                assert code == 0, log

    everyone_once = Counter(NEWCOMERS)
    assert sent_per_person(slack) == everyone_once
    assert suggestions == everyone_once
    assert all(slots[person] <= 1 for person in NEWCOMERS)
    assert set(states) <= {"sent", "unknown"}
    assert states["unknown"] >= 1  # the killed leader's message, never sent again
    assert sum(states.values()) == len(NEWCOMERS)

    slack_events, teams_events = await services.database.read(recorded)
    assert set(slack_events) == senders.slack_keys
    assert set(slack_events.values()) == {1}
    assert len(teams_events) == len(senders.teams_ids) == 12
    assert set(teams_events.values()) == {1}
    if not sqlite:
        assert senders.retries_elsewhere == 24

    leaders = [
        [pid for pid, role in observation.roles.items() if role == "leader"]
        for observation in cluster.observations
    ]
    # A lease leaves no leader for a moment when one dies or freezes, never two.
    assert all(len(one) <= 1 for one in leaders)
    assert len(leaders[before_kill - 1]) == len(leaders[led_again]) == len(leaders[-1]) == 1
    for observation, one in zip(cluster.observations, leaders, strict=True):
        assert one == [] or observation.holder_pid == one[0], observation
    leading = [metric(body, "engage_leader") == 1.0 for body in bodies]
    assert leading.count(True) == 1
    assert [metric(body, "engage_fold_lag_seconds") is not None for body in bodies] == leading
    assert all(metric(body, "engage_outbox_depth") == 0.0 for body in bodies)
    sent = sum(
        samples(body, "engage_deliveries_total").get('engage_deliveries_total{outcome="sent"}', 0)
        for body in bodies
    )
    assert sent == states["sent"]
