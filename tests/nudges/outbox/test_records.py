"""Outcomes are written only to the claim that earned them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bot.delivery import Delivered
from bot.services import Services
from nudges.outbox.records import Claim, Decision, claim_due, expire_leases, record
from tests.support.outbox import add_community, add_people, add_workspace, outbox, queue_suggestion

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


async def claimed(services: Services) -> Claim:
    def seed_and_claim(session: Session) -> Claim:
        workspace = add_workspace(session)
        (person,) = add_people(session, workspace, "U0ALICE01")
        queue_suggestion(session, person, add_community(session, workspace), not_before=NOW)
        (claim,) = claim_due(session, NOW, ["slack"], 10, LEASE)
        return claim

    return await services.database.write(seed_and_claim)


async def test_a_late_success_turns_unknown_into_sent(services: Services) -> None:
    claim = await claimed(services)
    later = NOW + LEASE * 2
    assert await services.database.write(lambda s: expire_leases(s, later)) == 1
    sent = Decision("sent", delivered=Delivered("D0ALICE01", "1712000000.000100"))
    assert await services.database.write(lambda s: record(s, claim, sent, later))
    (row,) = (await services.database.read(outbox)).values()
    assert (row.state, row.sent_at) == ("sent", later)


async def test_a_late_failure_leaves_unknown_alone(services: Services) -> None:
    claim = await claimed(services)
    later = NOW + LEASE * 2
    await services.database.write(lambda s: expire_leases(s, later))
    retry = Decision("pending", last_error="http_503", not_before=later)
    assert not await services.database.write(lambda s: record(s, claim, retry, later))
    (row,) = (await services.database.read(outbox)).values()
    assert row.state == "unknown"


async def test_a_stale_claim_cannot_overwrite_a_newer_one(services: Services) -> None:
    stale = await claimed(services)
    retry = Decision("pending", last_error="http_503", not_before=NOW)
    assert await services.database.write(lambda s: record(s, stale, retry, NOW))
    fresh = await services.database.write(lambda s: claim_due(s, NOW, ["slack"], 10, LEASE))
    assert [claim.attempts for claim in fresh] == [2]
    dead = Decision("dead", last_error="permanent: user_not_found")
    assert not await services.database.write(lambda s: record(s, stale, dead, NOW))
    (row,) = (await services.database.read(outbox)).values()
    assert (row.state, row.attempts) == ("sending", 2)
