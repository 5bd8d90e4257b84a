"""Rows behind Slack installs: lookups by (enterprise, team), and the workspace's active flag."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, select

from bot.events import utcnow
from bot.storage.bulk import insert_ignoring_conflicts
from bot.storage.models import SlackInstallation
from bot.storage.tables import WORKSPACE

Key = tuple[str, str]


def install_key(enterprise_id: str | None, team_id: str | None, org_wide: bool | None) -> Key:
    return (enterprise_id or "", "" if org_wide else team_id or "")


def install_row(
    session: Session, key: Key, *, active: bool | None = None
) -> SlackInstallation | None:
    query = select(SlackInstallation).where(
        SlackInstallation.enterprise_key == key[0], SlackInstallation.team_key == key[1]
    )
    if active is not None:
        query = query.where(SlackInstallation.active == active)
    return session.exec(query).first()


def mark_workspace(
    session: Session, team_id: str, *, active: bool, name: str | None = None
) -> None:
    connection = session.connection()
    now = utcnow()
    row = {"platform": "slack", "external_id": team_id, "name": "", "active": active}
    insert_ignoring_conflicts(connection, WORKSPACE, [{**row, "created_at": now}])
    values: dict[str, object] = {"active": active} | ({"name": name} if name else {})
    connection.execute(
        update(WORKSPACE)
        .where(WORKSPACE.c.platform == "slack", WORKSPACE.c.external_id == team_id)
        .values(**values)
    )
