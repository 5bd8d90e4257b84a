"""Retention beyond the raw inbox: rollups, delivered messages (and audit, where it exists)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, delete
from sqlmodel import Session, SQLModel

from bot.settings import Settings

FINISHED_OUTBOX_STATES = ("sent", "dead", "unknown")


@dataclass(frozen=True)
class RetentionReport:
    rollups: int
    outbox: int
    audit: int


def apply_retention(session: Session, settings: Settings, now: datetime) -> RetentionReport:
    """Delete rows past their limit, each limit read from settings."""
    tables = SQLModel.metadata.tables
    connection = session.connection()
    daily: Table = tables["daily_activity"]
    rollup_horizon = (now - timedelta(days=settings.rollup_retention_days)).date()
    rollups = connection.execute(delete(daily).where(daily.c.day < rollup_horizon)).rowcount
    days: Table = tables["community_day"]
    connection.execute(delete(days).where(days.c.day < rollup_horizon))
    outbox_table: Table = tables["outbox"]
    outbox_horizon = now - timedelta(days=settings.outbox_retention_days)
    outbox = connection.execute(
        delete(outbox_table).where(
            outbox_table.c.state.in_(FINISHED_OUTBOX_STATES),
            outbox_table.c.created_at < outbox_horizon,
        )
    ).rowcount
    audit = 0
    if "audit" in tables:  # the audit log arrives with animators' roles
        audit_table: Table = tables["audit"]
        audit_horizon = now - timedelta(days=settings.audit_retention_days)
        audit = connection.execute(
            delete(audit_table).where(audit_table.c.created_at < audit_horizon)
        ).rowcount
    return RetentionReport(rollups=max(rollups, 0), outbox=max(outbox, 0), audit=max(audit, 0))
