"""What an operator watches on a running install, read from the database in one cheap,
indexed transaction: the outbox's queue, the inbox's backlog, each roster's last sync.

Every replica reads the same rows, so these figures are database-wide: identical on
every replica (alert on `max`, never on `sum`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from bot.clock import as_utc
from bot.storage.tables import INBOX_EVENT, META, OUTBOX

QUEUED = ("pending", "sending")
ROSTER_SYNCED = "roster.synced_at."
"""Meta keys `roster.synced_at.<platform>.<workspace external id>`, ISO-8601 UTC values."""


@dataclass(frozen=True)
class Figures:
    outbox_depth: int
    outbox_oldest_age: float
    """Seconds the longest-waiting due message has waited past its `not_before`; 0 if none."""
    ingest_lag: float
    """Seconds since the oldest inbox event not yet folded arrived; 0 if none."""
    roster_sync_ages: dict[tuple[str, str], float] = field(default_factory=dict)
    """(platform, workspace) → seconds since its roster was last synced."""


def read_figures(session: Session, now: datetime) -> Figures:
    connection = session.connection()
    depth = connection.execute(
        select(func.count()).select_from(OUTBOX).where(OUTBOX.c.state.in_(QUEUED))
    ).scalar_one()
    oldest_due = connection.execute(
        select(func.min(OUTBOX.c.not_before)).where(
            OUTBOX.c.state == "pending", OUTBOX.c.not_before <= now
        )
    ).scalar_one()
    oldest_sending = connection.execute(
        select(func.min(OUTBOX.c.not_before)).where(OUTBOX.c.state == "sending")
    ).scalar_one()
    waiting = [moment for moment in (oldest_due, oldest_sending) if moment is not None]
    first_pending = (
        select(INBOX_EVENT.c.received_at)
        .where(INBOX_EVENT.c.processed.is_(False), INBOX_EVENT.c.quarantined_at.is_(None))
        .order_by(INBOX_EVENT.c.id)
        .limit(1)
    )
    arrived = connection.execute(first_pending).scalar_one_or_none()
    synced = [
        (str(key), str(value))
        for key, value in connection.execute(
            select(META.c.key, META.c.value).where(META.c.key.startswith(ROSTER_SYNCED))
        )
    ]
    return Figures(
        outbox_depth=int(depth),
        outbox_oldest_age=_age(now, min(waiting)) if waiting else 0.0,
        ingest_lag=_age(now, arrived) if arrived is not None else 0.0,
        roster_sync_ages=_sync_ages(now, synced),
    )


def _sync_ages(now: datetime, rows: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
    ages: dict[tuple[str, str], float] = {}
    for key, value in rows:
        platform, _, workspace = key.removeprefix(ROSTER_SYNCED).partition(".")
        try:
            synced_at = datetime.fromisoformat(value)
        except ValueError:
            continue
        if platform and workspace:
            ages[(platform, workspace)] = _age(now, synced_at)
    return ages


def _age(now: datetime, then: datetime) -> float:
    return max((now - as_utc(then)).total_seconds(), 0.0)
