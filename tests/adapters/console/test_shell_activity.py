from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from adapters.console.shell import ConsoleClock, posted, reacted, record_and_fold
from bot.events import utcnow
from bot.services import Services
from bot.storage.models import DailyActivity


async def test_activity_dated_by_the_console_clock_is_counted(services: Services) -> None:
    ahead = utcnow() + timedelta(days=10)
    services.clock = ConsoleClock(ahead)
    events = [
        posted("console", "demo", "U1", "C1", ahead),
        reacted("console", "demo", "U2", "C1", ahead),
    ]
    assert await record_and_fold(services, events) == 2

    def totals(session: Session) -> tuple[int, int]:
        row = session.exec(
            select(func.sum(DailyActivity.posts), func.sum(DailyActivity.reactions_given))  # type: ignore[call-overload]
        ).one()
        return int(row[0]), int(row[1])

    assert await services.database.read(totals) == (1, 1)


async def test_each_event_gets_its_own_key() -> None:
    at = datetime(2026, 4, 7, tzinfo=UTC)
    assert posted("console", "w", "U1", "C1", at).key != posted("console", "w", "U1", "C1", at).key
