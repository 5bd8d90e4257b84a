"""External ids -> internal ids for workspaces, people and communities, created on first sight."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, and_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from bot.clock import utcnow
from bot.storage.models import Community, Person, Workspace

WORKSPACE: Table = Workspace.__table__  # type: ignore[attr-defined]
PERSON: Table = Person.__table__  # type: ignore[attr-defined]
COMMUNITY: Table = Community.__table__  # type: ignore[attr-defined]
CHUNK = 500


def insert_ignoring_conflicts(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(dialect.insert(table).on_conflict_do_nothing(), list(rows))


class Directory:
    """Resolves ids within one transaction; keeps what it learned for later batches."""

    def __init__(self) -> None:
        self.workspaces: dict[tuple[str, str], int] = {}
        self.people: dict[tuple[int, str], int] = {}
        self.communities: dict[tuple[int, str], int] = {}

    def workspace_ids(self, session: Session, keys: Iterable[tuple[str, str]]) -> None:
        missing = sorted(set(keys) - self.workspaces.keys())
        if not missing:
            return
        connection = session.connection()
        now = utcnow()
        insert_ignoring_conflicts(
            connection,
            WORKSPACE,
            [
                {"platform": p, "external_id": e, "name": "", "active": True, "created_at": now}
                for p, e in missing
            ],
        )
        for platform in {p for p, _ in missing}:
            externals = [e for p, e in missing if p == platform]
            query = select(WORKSPACE.c.id, WORKSPACE.c.external_id).where(
                and_(WORKSPACE.c.platform == platform, WORKSPACE.c.external_id.in_(externals))
            )
            for row in connection.execute(query):
                self.workspaces[(platform, row.external_id)] = row.id

    def person_ids(self, session: Session, keys: Iterable[tuple[int, str]]) -> None:
        self._resolve(session, PERSON, self.people, keys, {"is_bot": False, "deleted": False})

    def community_ids(self, session: Session, keys: Iterable[tuple[int, str]]) -> None:
        defaults = {"name": "", "is_private": False, "is_archived": False, "is_deleted": False}
        self._resolve(session, COMMUNITY, self.communities, keys, defaults)

    def _resolve(
        self,
        session: Session,
        table: Table,
        known: dict[tuple[int, str], int],
        keys: Iterable[tuple[int, str]],
        defaults: dict[str, Any],
    ) -> None:
        missing = sorted(set(keys) - known.keys())
        connection = session.connection()
        for start in range(0, len(missing), CHUNK):
            chunk = missing[start : start + CHUNK]
            extra = {"first_seen_at": utcnow()} if table is PERSON else {}
            insert_ignoring_conflicts(
                connection,
                table,
                [{"workspace_id": w, "external_id": e, **defaults, **extra} for w, e in chunk],
            )
            for workspace_id in {w for w, _ in chunk}:
                externals = [e for w, e in chunk if w == workspace_id]
                query = select(table.c.id, table.c.external_id).where(
                    and_(table.c.workspace_id == workspace_id, table.c.external_id.in_(externals))
                )
                for row in connection.execute(query):
                    known[(workspace_id, row.external_id)] = row.id
