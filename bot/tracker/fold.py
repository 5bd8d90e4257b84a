"""Folding: pending inbox rows -> daily rollups, memberships, communities and people.

Each batch is one transaction that applies the rows' effects and marks them processed,
so a crash repeats a batch whole or not at all, and folding twice changes nothing. On
PostgreSQL an advisory lock keeps folders from different processes one at a time. Rows
whose content cannot be folded raise, and are quarantined (`bot.tracker.quarantine`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Select, Table, bindparam, case, select, text, update
from sqlmodel import Session

from bot.events import as_utc
from bot.identity import link_people
from bot.storage.tables import COMMUNITY, INBOX_EVENT, PERSON
from bot.tracker.directory import Directory
from bot.tracker.memberships import apply_membership_changes, ensure_members
from bot.tracker.quarantine import UnfoldableEventError
from bot.tracker.rollups import RollupDeltas
from bot.tracker.rows import storable
from bot.tracker.trace_store import update_traces

FOLD_LOCK = 0x656E6761
BATCH = 5000
COMMUNITY_FLAGS = {
    "community_archived": {"is_archived": True},
    "community_unarchived": {"is_archived": False},
    "community_deleted": {"is_deleted": True, "is_archived": True},
}
PERSON_FIELDS = (
    "display_name",
    "locale",
    "tz",
    "department",
    "is_bot",
    "deleted",
    "email_hash",
)
KINDS_WITH_ATTRS = ("person_seen", "community_created", "community_renamed", "member_joined")
"""The kinds whose `attrs` folding reads; other rows skip decoding JSON."""
PERSON_LENGTHS = {
    name: length for name in PERSON_FIELDS if (length := getattr(PERSON.c[name].type, "length", 0))
}
ATTRIBUTE_TYPES: dict[str, type | tuple[type, ...]] = {
    "display_name": (str, type(None)),
    "locale": (str, type(None)),
    "tz": (str, type(None)),
    "department": (str, type(None)),
    "is_bot": bool,
    "deleted": bool,
    "email_hash": (str, type(None)),
    "name": str,
    "is_private": bool,
    "creator": (str, type(None)),
    "source": (str, type(None)),
}
# _resolve and _apply unpack these columns in this order.
PENDING: Select[Any] = (
    select(
        INBOX_EVENT.c.id,
        INBOX_EVENT.c.platform,
        INBOX_EVENT.c.workspace,
        INBOX_EVENT.c.kind,
        INBOX_EVENT.c.person,
        INBOX_EVENT.c.community,
        INBOX_EVENT.c.target_person,
        INBOX_EVENT.c.occurred_at,
        case((INBOX_EVENT.c.kind.in_(KINDS_WITH_ATTRS), INBOX_EVENT.c.attrs)).label("attrs"),
        # Read in the database for messages only: PostgreSQL's `->>` fails on a JSON
        # value holding `\u0000`, which rows stored by earlier versions may have.
        case((INBOX_EVENT.c.kind == "message", INBOX_EVENT.c.attrs["is_reply"].as_boolean())).label(
            "is_reply"
        ),
    )
    .where(INBOX_EVENT.c.processed.is_(False), INBOX_EVENT.c.quarantined_at.is_(None))
    .order_by(INBOX_EVENT.c.id)
)


@dataclass
class _Batch:
    deltas: RollupDeltas = field(default_factory=RollupDeltas)
    implied_members: dict[tuple[int, int], datetime] = field(default_factory=dict)
    membership_changes: list[tuple[datetime, int, int, str, str]] = field(default_factory=list)
    community_updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    person_updates: dict[int, dict[str, Any]] = field(default_factory=dict)


def fold_batch(
    session: Session, directory: Directory, limit: int = BATCH, ids: Sequence[int] | None = None
) -> int:
    """Fold up to `limit` pending rows (of `ids`, if given) in the caller's transaction;
    return how many."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FOLD_LOCK})
    query = PENDING if ids is None else PENDING.where(INBOX_EVENT.c.id.in_(ids))
    # Every row is fetched before any is checked: a statement left unfinished by an error
    # would keep SQLite's read snapshot past the rollback (Python 3.11 no longer resets it).
    rows = [_checked(row) for row in connection.execute(query.limit(limit)).all()]
    if not rows:
        return 0
    _resolve(session, directory, rows)
    batch = _Batch()
    for row in rows:
        _apply(row, directory, batch)
    batch.deltas.write(session)
    update_traces(session, batch.deltas)
    _write_memberships(session, directory, batch)
    _write_attributes(session, batch)
    emailed = [person for person, fields in batch.person_updates.items() if "email_hash" in fields]
    link_people(session, seen=batch.person_updates.keys(), emailed=emailed)
    _mark_processed(connection, [row[0] for row in rows])
    return len(rows)


def pending_ids(session: Session, limit: int = BATCH) -> list[int]:
    """The ids `fold_batch` would fold next, read without decoding any attribute."""
    query = (
        select(INBOX_EVENT.c.id)
        .where(INBOX_EVENT.c.processed.is_(False), INBOX_EVENT.c.quarantined_at.is_(None))
        .order_by(INBOX_EVENT.c.id)
        .limit(limit)
    )
    return list(session.connection().execute(query).scalars())


def _checked(row: Sequence[Any]) -> Sequence[Any]:
    """The row, its attributes cleaned as on the way in (rows stored by earlier versions
    may hold NUL) and checked; raise UnfoldableEventError if they cannot be used."""
    attrs = row[8]
    if attrs is None:
        return row
    if not isinstance(attrs, dict):
        raise UnfoldableEventError(f"attrs of a {row[3]} event is not an object")
    cleaned = storable(attrs)
    for name, value in cleaned.items():
        expected = ATTRIBUTE_TYPES.get(name)
        if expected is not None and not isinstance(value, expected):
            raise UnfoldableEventError(f"{name} of a {row[3]} event is a {type(value).__name__}")
    return (*row[:8], cleaned, *row[9:])


def _mark_processed(connection: Connection, ids: list[int]) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "UPDATE inbox_event SET processed = true WHERE id = ANY(%s)", (ids,)
        )
    else:
        connection.exec_driver_sql(
            "UPDATE inbox_event SET processed = 1 WHERE id = ?", [(row_id,) for row_id in ids]
        )


def _resolve(session: Session, directory: Directory, rows: Sequence[Sequence[Any]]) -> None:
    directory.workspace_ids(session, {(platform, workspace) for _, platform, workspace, *_ in rows})
    workspaces = directory.workspaces
    people: dict[tuple[int, str], datetime] = {}
    communities = set()
    for _id, platform, workspace, _kind, person, community, target, occurred, attrs, _ in rows:
        workspace_id = workspaces[(platform, workspace)]
        moment = as_utc(occurred)
        for external in (person, target, attrs.get("creator") if attrs else None):
            if external:
                key = (workspace_id, external)
                seen = people.get(key)
                if seen is None or moment < seen:
                    people[key] = moment
        if community:
            communities.add((workspace_id, community))
    directory.person_ids(session, people)
    directory.community_ids(session, communities)


def _apply(row: Sequence[Any], directory: Directory, batch: _Batch) -> None:
    _id, platform, workspace, kind, person_key, community_key, receiver, moment, found, reply = row
    workspace_id = directory.workspaces[(platform, workspace)]
    attrs: dict[str, Any] = found or {}
    occurred = as_utc(moment)
    day: date = occurred.date()
    person = directory.people.get((workspace_id, person_key)) if person_key else None
    community = directory.communities.get((workspace_id, community_key)) if community_key else None
    if kind == "person_seen" and person is not None:
        fields = {name: attrs[name] for name in PERSON_FIELDS if name in attrs}
        for name, length in PERSON_LENGTHS.items():
            if len(fields.get(name) or "") > length:
                del fields[name]  # not a value of this field (an unknown one is None)
        batch.person_updates.setdefault(person, {}).update(fields)
    if community is None:
        return
    if kind.startswith("community_"):
        _community_change(kind, attrs, community, occurred, workspace_id, directory, batch)
        return
    if person is None:
        return
    if kind == "message":
        batch.deltas.add(day, community, person, "replies" if reply else "posts")
        batch.implied_members.setdefault((person, community), occurred)
    elif kind in ("reaction_added", "reaction_removed"):
        step = 1 if kind == "reaction_added" else -1
        batch.deltas.add(day, community, person, "reactions_given", step)
        receiver_id = directory.people.get((workspace_id, receiver)) if receiver else None
        if receiver_id is not None and receiver_id != person:
            batch.deltas.add(day, community, receiver_id, "reactions_received", step)
    elif kind in ("member_joined", "member_left"):
        joined = kind == "member_joined"
        batch.deltas.add(day, community, person, "joins" if joined else "leaves")
        state = "member" if joined else "left"
        source = str(attrs.get("source") or "self")
        batch.membership_changes.append((occurred, person, community, state, source))


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
    elif kind in COMMUNITY_FLAGS:
        changes.update(COMMUNITY_FLAGS[kind])
    else:
        raise UnfoldableEventError(f"unknown kind {kind}")


def _write_memberships(session: Session, directory: Directory, batch: _Batch) -> None:
    ensure_members(session, batch.implied_members, directory.memberships)
    apply_membership_changes(session, sorted(batch.membership_changes))


def _write_attributes(session: Session, batch: _Batch) -> None:
    connection = session.connection()
    _update_by_id(connection, COMMUNITY, batch.community_updates)
    _update_by_id(connection, PERSON, batch.person_updates)


def _update_by_id(connection: Connection, table: Table, updates: dict[int, dict[str, Any]]) -> None:
    """One executemany per set of changed columns."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row_id, changes in updates.items():
        if changes:
            values = {f"b_{name}": value for name, value in changes.items()}
            groups.setdefault(tuple(sorted(changes)), []).append({"b_id": row_id, **values})
    for names, rows in groups.items():
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({name: bindparam(f"b_{name}", type_=table.c[name].type) for name in names})
        )
        connection.execute(statement, rows)
