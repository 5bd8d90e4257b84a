"""Folding: pending inbox rows -> daily rollups, memberships, communities and people.

Each batch is one transaction that applies the rows' effects and marks them processed,
so a crash repeats a batch whole or not at all, and folding twice changes nothing. On
PostgreSQL an advisory lock keeps folders from different processes one at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Table, select, text, update
from sqlmodel import Session

from bot.clock import as_utc
from bot.storage.models import Community, InboxEvent, Person
from bot.tracker.directory import Directory
from bot.tracker.memberships import apply_membership_changes, ensure_members
from bot.tracker.rollups import RollupDeltas

INBOX: Table = InboxEvent.__table__  # type: ignore[attr-defined]
FOLD_LOCK = 0x656E6761
BATCH = 5000
COMMUNITY_FLAGS = {
    "community_archived": {"is_archived": True},
    "community_unarchived": {"is_archived": False},
    "community_deleted": {"is_deleted": True, "is_archived": True},
}
PERSON_FIELDS = ("display_name", "locale", "tz", "department", "is_bot", "deleted")


@dataclass
class _Batch:
    deltas: RollupDeltas = field(default_factory=RollupDeltas)
    implied_members: dict[tuple[int, int], datetime] = field(default_factory=dict)
    membership_changes: list[tuple[datetime, int, int, str]] = field(default_factory=list)
    community_updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    person_updates: dict[int, dict[str, Any]] = field(default_factory=dict)


def fold_batch(session: Session, directory: Directory, limit: int = BATCH) -> int:
    """Fold up to `limit` pending rows in the caller's transaction; return how many."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FOLD_LOCK})
    rows = connection.execute(
        select(INBOX).where(INBOX.c.processed.is_(False)).order_by(INBOX.c.id).limit(limit)
    ).all()
    if not rows:
        return 0
    _resolve(session, directory, rows)
    batch = _Batch()
    for row in rows:
        _apply(row, directory, batch)
    batch.deltas.write(session)
    _write_memberships(session, batch)
    _write_attributes(session, batch)
    ids = [row.id for row in rows]
    for start in range(0, len(ids), 1000):
        connection.execute(
            update(INBOX).where(INBOX.c.id.in_(ids[start : start + 1000])).values(processed=True)
        )
    return len(rows)


def _resolve(session: Session, directory: Directory, rows: Sequence[Row[Any]]) -> None:
    directory.workspace_ids(session, {(row.platform, row.workspace) for row in rows})
    people: dict[tuple[int, str], datetime] = {}
    communities = set()
    for row in rows:
        workspace_id = directory.workspaces[(row.platform, row.workspace)]
        moment = as_utc(row.occurred_at)
        for external in (row.person, row.target_person, (row.attrs or {}).get("creator")):
            if external:
                key = (workspace_id, external)
                people[key] = min(moment, people.get(key, moment))
        if row.community:
            communities.add((workspace_id, row.community))
    directory.person_ids(session, people)
    directory.community_ids(session, communities)


def _apply(row: Row[Any], directory: Directory, batch: _Batch) -> None:
    workspace_id = directory.workspaces[(row.platform, row.workspace)]
    attrs: dict[str, Any] = row.attrs or {}
    occurred = as_utc(row.occurred_at)
    day: date = occurred.date()
    person = directory.people.get((workspace_id, row.person)) if row.person else None
    community = directory.communities.get((workspace_id, row.community)) if row.community else None
    kind = row.kind
    if kind == "person_seen" and person is not None:
        fields = {name: attrs[name] for name in PERSON_FIELDS if name in attrs}
        batch.person_updates.setdefault(person, {}).update(fields)
    if community is None:
        return
    if kind.startswith("community_"):
        _community_change(kind, attrs, community, occurred, workspace_id, directory, batch)
        return
    if person is None:
        return
    if kind == "message":
        batch.deltas.add(day, community, person, "replies" if attrs.get("is_reply") else "posts")
        batch.implied_members.setdefault((person, community), occurred)
    elif kind in ("reaction_added", "reaction_removed"):
        step = 1 if kind == "reaction_added" else -1
        batch.deltas.add(day, community, person, "reactions_given", step)
        receiver = row.target_person
        receiver_id = directory.people.get((workspace_id, receiver)) if receiver else None
        if receiver_id is not None and receiver_id != person:
            batch.deltas.add(day, community, receiver_id, "reactions_received", step)
    elif kind in ("member_joined", "member_left"):
        joined = kind == "member_joined"
        batch.deltas.add(day, community, person, "joins" if joined else "leaves")
        state = "member" if joined else "left"
        batch.membership_changes.append((occurred, person, community, state))


def _community_change(
    kind: str,
    attrs: dict[str, Any],
    community: int,
    occurred: datetime,
    workspace_id: int,
    directory: Directory,
    batch: _Batch,
) -> None:
    changes = batch.community_updates.setdefault(community, {})
    if kind == "community_created":
        creator = attrs.get("creator")
        changes.update(name=attrs.get("name", ""), is_private=bool(attrs.get("is_private")))
        changes["created_at"] = occurred
        if creator:
            changes["creator_id"] = directory.people.get((workspace_id, creator))
    elif kind == "community_renamed":
        changes["name"] = attrs.get("name", "")
    else:
        changes.update(COMMUNITY_FLAGS[kind])


def _write_memberships(session: Session, batch: _Batch) -> None:
    ensure_members(session, batch.implied_members)
    apply_membership_changes(session, sorted(batch.membership_changes))


def _write_attributes(session: Session, batch: _Batch) -> None:
    for community_id, changes in batch.community_updates.items():
        community = session.get(Community, community_id)
        if community is not None:
            for name, value in changes.items():
                setattr(community, name, value)
    for person_id, changes in batch.person_updates.items():
        person = session.get(Person, person_id)
        if person is not None:
            for name, value in changes.items():
                setattr(person, name, value)
    session.flush()
