"""External ids -> internal ids for workspaces, people and communities, created on first sight."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, select, update
from sqlmodel import Session

from bot.events import utcnow
from bot.storage.bulk import insert_ignoring_conflicts
from bot.storage.tables import COMMUNITY, PERSON, WORKSPACE

CHUNK = 500


class Directory:
    """Resolves ids within one transaction; keeps what it learned for later batches."""

    def __init__(self) -> None:
        self.workspaces: dict[tuple[str, str], int] = {}
        self.people: dict[tuple[int, str], int] = {}
        self.communities: dict[tuple[int, str], int] = {}
        self.first_seen: dict[tuple[int, str], datetime] = {}
        """Stored first_seen_at of people resolved here, so only earlier news is written."""
        self.memberships: set[tuple[int, int]] = set()
        """(person id, community id) pairs known to have a membership row."""

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

    def person_ids(self, session: Session, first_seen: dict[tuple[int, str], datetime]) -> None:
        """Resolve people; `first_seen` (earliest event per person) may move back in time."""
        self._resolve(session, PERSON, self.people, first_seen, {"is_bot": False, "deleted": False})
        earlier = []
        for key, moment in first_seen.items():
            stored = self.first_seen.get(key)
            if stored is None or moment < stored:
                earlier.append({"person": self.people[key], "moment": moment})
                if stored is not None:
                    self.first_seen[key] = moment
        if earlier:
            session.connection().execute(
                update(PERSON)
                .where(
                    PERSON.c.id == bindparam("person"), PERSON.c.first_seen_at > bindparam("moment")
                )
                .values(first_seen_at=bindparam("moment")),
                earlier,
            )

    def community_ids(self, session: Session, keys: Iterable[tuple[int, str]]) -> None:
        defaults = {"name": "", "is_private": False, "is_archived": False, "is_deleted": False}
        self._resolve(session, COMMUNITY, self.communities, keys, defaults)

    def _resolve(
        self,
        session: Session,
        table: Table,
        known: dict[tuple[int, str], int],
        keys: Iterable[tuple[int, str]] | dict[tuple[int, str], datetime],
        defaults: dict[str, Any],
    ) -> None:
        moments = keys if isinstance(keys, dict) else {}
        missing = sorted(set(keys) - known.keys())
        connection = session.connection()
        for start in range(0, len(missing), CHUNK):
            chunk = missing[start : start + CHUNK]
            insert_ignoring_conflicts(
                connection,
                table,
                [
                    {
                        "workspace_id": w,
                        "external_id": e,
                        **defaults,
                        **_first_seen(table, moments, (w, e)),
                    }
                    for w, e in chunk
                ],
            )
            for workspace_id in {w for w, _ in chunk}:
                externals = [e for w, e in chunk if w == workspace_id]
                columns = [table.c.id, table.c.external_id]
                if table is PERSON:
                    columns.append(PERSON.c.first_seen_at)
                query = select(*columns).where(
                    and_(table.c.workspace_id == workspace_id, table.c.external_id.in_(externals))
                )
                for row in connection.execute(query):
                    known[(workspace_id, row.external_id)] = row.id
                    if table is PERSON:
                        self.first_seen[(workspace_id, row.external_id)] = row.first_seen_at


def _first_seen(
    table: Table, moments: dict[tuple[int, str], datetime], key: tuple[int, str]
) -> dict[str, datetime]:
    if table is not PERSON:
        return {}
    return {"first_seen_at": moments.get(key) or utcnow()}
