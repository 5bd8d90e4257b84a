"""Queuing is idempotent by dedup key, in the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from bot.services import Services
from bot.storage.models import Outbox
from nudges.outbox import enqueue
from tests.support.outbox import add_people, add_workspace

LATER = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)


async def test_one_row_per_dedup_key(services: Services) -> None:
    def queue_twice(session: Session) -> list[bool]:
        (person,) = add_people(session, add_workspace(session), "U0ALICE01")
        key = f"suggestion:{person}:7:2026-W14"
        first = enqueue(session, key, "suggestion", person, {"card": {"blocks": []}}, LATER)
        again = enqueue(session, key, "suggestion", person, {"card": {"blocks": [1]}})
        return [first, again]

    assert await services.database.write(queue_twice) == [True, False]
    rows = await services.database.read(lambda session: list(session.exec(select(Outbox))))
    assert len(rows) == 1
    row = rows[0]
    assert (row.state, row.kind, row.attempts, row.not_before) == (
        "pending",
        "suggestion",
        0,
        LATER,
    )
    assert row.payload == {"card": {"blocks": []}, "kind": "suggestion"}


async def test_a_key_queued_by_an_earlier_transaction_is_not_queued_again(
    services: Services,
) -> None:
    person_ids = await services.database.write(
        lambda session: add_people(session, add_workspace(session), "U0ALICE01")
    )
    key = f"digest:{person_ids[0]}:2026-W14"

    def queue(session: Session) -> bool:
        return enqueue(session, key, "digest", person_ids[0], {"card": {"blocks": []}})

    assert [await services.database.write(queue) for _ in range(3)] == [True, False, False]
