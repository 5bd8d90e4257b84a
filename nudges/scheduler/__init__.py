"""Background jobs on APScheduler, run by one elected leader among `engage serve`
processes (`nudges.scheduler.service`); here, the lease rows that elect it, and that let
one planning pass at a time work on a workspace.

Leader election with a lease row, on SQLite and PostgreSQL alike. Why a lease row rather
than a PostgreSQL advisory lock: a session lock is released only when the server notices
its connection is gone, which after a host crash or a network cut can take as long as TCP
keepalive; a lease expires at a known time. The leader renews `expires_at` every third of
the lease; anyone may take a lease that has expired. Both steps are one conditional
UPDATE, so two contenders can never both win (PostgreSQL re-checks the WHERE clause on
the locked row; SQLite has one writer at a time). A leader that cannot renew steps down
at once, so it stops scheduling before a successor's lease begins. Times come from the
processes' clocks: keep hosts NTP-synchronised, far within the lease. Every job is
idempotent, so the brief overlap of a frozen, then resumed, leader (at most one renewal
interval) does no harm.

A process that knows it is alone on the database (SQLite's single-process lock) takes
the lease whoever holds it: a lease left by a killed predecessor is stale by definition.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, update
from sqlmodel import Session

from bot.storage.bulk import insert_ignoring_taken
from bot.storage.tables import SCHEDULER_LEASE

SCHEDULER = "scheduler"


def try_lead(
    session: Session,
    holder: str,
    now: datetime,
    ttl: timedelta,
    name: str = SCHEDULER,
    *,
    alone: bool = False,
) -> bool:
    """Take or renew the lease; True when `holder` leads until `now + ttl`."""
    connection = session.connection()
    created = connection.execute(
        insert_ignoring_taken(connection, SCHEDULER_LEASE, ["name"])
        .values(name=name, holder=holder, expires_at=now + ttl, acquired_at=now)
        .returning(SCHEDULER_LEASE.c.name)
    )
    if created.first() is not None:
        return True
    takeable = (
        []
        if alone
        else [or_(SCHEDULER_LEASE.c.holder == holder, SCHEDULER_LEASE.c.expires_at < now)]
    )
    renewed = connection.execute(
        update(SCHEDULER_LEASE)
        .where(SCHEDULER_LEASE.c.name == name, *takeable)
        .values(
            holder=holder,
            expires_at=now + ttl,
            acquired_at=case(
                (SCHEDULER_LEASE.c.holder == holder, SCHEDULER_LEASE.c.acquired_at), else_=now
            ),
        )
    )
    return renewed.rowcount == 1


def resign(session: Session, holder: str, now: datetime, name: str = SCHEDULER) -> bool:
    """Give the lease up (on a clean stop) so a standby takes over at its next check."""
    result = session.connection().execute(
        update(SCHEDULER_LEASE)
        .where(SCHEDULER_LEASE.c.name == name, SCHEDULER_LEASE.c.holder == holder)
        .values(expires_at=now - timedelta(microseconds=1))
    )
    return result.rowcount == 1


def release(session: Session, holder: str, name: str) -> bool:
    """Drop a lease held for one task (such as a planning pass) when the task ends: free
    at once for anyone, whatever their clock says."""
    result = session.connection().execute(
        delete(SCHEDULER_LEASE).where(
            SCHEDULER_LEASE.c.name == name, SCHEDULER_LEASE.c.holder == holder
        )
    )
    return result.rowcount == 1
