"""Retention removes exactly the rows past their limit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from bot.privacy.rights import apply_retention
from bot.services import Services
from bot.storage.models import DailyActivity, Outbox, Person
from tests.support.events import post

NOW = datetime(2027, 5, 4, 12, tzinfo=UTC)


async def test_rollups_and_finished_messages_past_their_limit_go(services: Services) -> None:
    limit = NOW.date() - timedelta(days=400)
    days = [limit - timedelta(days=1), limit, limit + timedelta(days=1)]
    await services.tracker.record([post("U1", "C1", day.isoformat()) for day in days])
    await services.tracker.fold()

    def add_outbox(session: Session) -> None:
        person = session.exec(select(Person)).one()
        assert person.id is not None
        for number, (state, age) in enumerate(
            [("sent", 91), ("sent", 89), ("dead", 120), ("pending", 200), ("unknown", 95)]
        ):
            session.add(
                Outbox(
                    dedup_key=f"k{number}",
                    kind="suggestion",
                    person_id=person.id,
                    state=state,
                    created_at=NOW - timedelta(days=age),
                )
            )

    await services.database.write(add_outbox)
    report = await services.database.write(
        lambda session: apply_retention(session, services.settings, NOW)
    )
    assert (report.rollups, report.outbox) == (1, 3)

    def remaining(session: Session) -> tuple[list[date], list[str]]:
        days = sorted(row.day for row in session.exec(select(DailyActivity)))
        keys = sorted(row.dedup_key for row in session.exec(select(Outbox)))
        return days, keys

    assert await services.database.read(remaining) == (days[1:], ["k1", "k3"])
