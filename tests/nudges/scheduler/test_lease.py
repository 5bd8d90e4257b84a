"""The leader lease: one holder at a time, takeover after expiry, hand-over on resign."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bot.services import Services
from bot.storage.models import SchedulerLease
from nudges.scheduler import SCHEDULER, release, resign, try_lead

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
TTL = timedelta(seconds=15)


async def lead(services: Services, holder: str, now: datetime) -> bool:
    return await services.database.write(lambda session: try_lead(session, holder, now, TTL))


async def test_first_holder_leads_and_renews_while_others_wait(services: Services) -> None:
    assert await lead(services, "a", T0)
    assert not await lead(services, "b", T0 + timedelta(seconds=1))
    assert await lead(services, "a", T0 + timedelta(seconds=10))
    assert not await lead(services, "b", T0 + timedelta(seconds=24))
    lease = await services.database.read(lambda session: session.get(SchedulerLease, SCHEDULER))
    assert lease is not None
    assert (lease.holder, lease.expires_at, lease.acquired_at) == (
        "a",
        T0 + timedelta(seconds=25),
        T0,
    )


async def test_an_expired_lease_is_taken_over_and_the_old_leader_steps_down(
    services: Services,
) -> None:
    assert await lead(services, "a", T0)
    after = T0 + TTL + timedelta(microseconds=1)
    assert await lead(services, "b", after)
    assert not await lead(services, "a", after + timedelta(seconds=1))
    lease = await services.database.read(lambda session: session.get(SchedulerLease, SCHEDULER))
    assert lease is not None
    assert (lease.holder, lease.acquired_at) == ("b", after)


async def test_resigning_hands_over_at_once(services: Services) -> None:
    assert await lead(services, "a", T0)
    assert not await services.database.write(lambda s: resign(s, "b", T0))
    assert await services.database.write(lambda s: resign(s, "a", T0 + timedelta(seconds=1)))
    assert await lead(services, "b", T0 + timedelta(seconds=1))


def _holder(session: Session) -> str | None:
    lease = session.get(SchedulerLease, SCHEDULER)
    return lease.holder if lease else None


async def test_many_contenders_at_once_elect_exactly_one(services: Services) -> None:
    wins = await asyncio.gather(*(lead(services, f"p{i}", T0) for i in range(8)))
    assert sum(wins) == 1
    assert await services.database.read(_holder) == f"p{wins.index(True)}"
    later = T0 + TTL * 2
    takeovers = await asyncio.gather(*(lead(services, f"q{i}", later) for i in range(8)))
    assert sum(takeovers) == 1
    assert await services.database.read(_holder) == f"q{takeovers.index(True)}"


async def test_a_released_lease_is_free_even_to_a_clock_behind(services: Services) -> None:
    async def take(holder: str, now: datetime) -> bool:
        return await services.database.write(
            lambda session: try_lead(session, holder, now, TTL, name="plan:1")
        )

    assert await take("a", T0)
    assert not await take("b", T0 - timedelta(seconds=30))
    assert not await services.database.write(lambda session: release(session, "b", "plan:1"))
    assert await services.database.write(lambda session: release(session, "a", "plan:1"))
    assert await take("b", T0 - timedelta(seconds=30))


async def test_a_holder_alone_on_the_database_takes_a_live_lease_at_once(
    services: Services,
) -> None:
    assert await lead(services, "killed", T0)
    later = T0 + timedelta(seconds=1)
    assert not await lead(services, "restarted", later)
    assert await services.database.write(
        lambda session: try_lead(session, "restarted", later, TTL, alone=True)
    )
    lease = await services.database.read(lambda session: session.get(SchedulerLease, SCHEDULER))
    assert lease is not None
    assert (lease.holder, lease.expires_at, lease.acquired_at) == ("restarted", later + TTL, later)
