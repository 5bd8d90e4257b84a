"""Folding: pending inbox rows -> daily rollups, traces, community days, memberships,
communities and people.

Each batch is one transaction that applies the rows' effects and marks them processed,
so a crash repeats a batch whole or not at all, and folding twice changes nothing. On
PostgreSQL an advisory lock keeps folders from different processes one at a time. Rows
whose content cannot be folded raise, and are quarantined (`bot.tracker.inbox`).

A batch's daily rollup deltas accumulate in memory (`RollupDeltas`) and are written with
one upsert; then the traces of the people and communities who posted or reacted are
marked (`update_traces`) and their posts added to the community days. Community days can
also be rebuilt from the rollups at will (`rebuild_community_days`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    Table,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlmodel import Session

from bot.events import as_utc
from bot.identity import link_people
from bot.storage.bulk import insert_many, lock_transaction, mark_rows
from bot.storage.models import DailyActivity
from bot.storage.tables import COMMUNITY, COMMUNITY_DAY, DAILY_ACTIVITY, INBOX_EVENT, PERSON
from bot.tracker.directory import Directory, apply_membership_changes, ensure_members
from bot.tracker.inbox import UnfoldableEventError, storable
from bot.tracker.traces import (
    POSTED,
    REACTED,
    SCOPES,
    Scope,
    Trace,
    TraceKey,
    load_traces,
    rebuild_traces,
    save_traces,
)

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
COUNTS = ("posts", "replies", "reactions_given", "reactions_received", "joins", "leaves")
COLUMN_INDEX = {name: index for index, name in enumerate(COUNTS)}
RollupKey = tuple[date, int, int]
KEY_COLUMNS = ("day", "community_id", "person_id")
ADD_COUNTS = ", ".join(f"{name} = daily_activity.{name} + excluded.{name}" for name in COUNTS)
POSTS, REPLIES = COLUMN_INDEX["posts"], COLUMN_INDEX["replies"]
REACTIONS = COLUMN_INDEX["reactions_given"]

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


def fold_batch(
    session: Session, directory: Directory, limit: int = BATCH, ids: Sequence[int] | None = None
) -> int:
    """Fold up to `limit` pending rows (of `ids`, if given) in the caller's transaction;
    return how many."""
    connection = session.connection()
    lock_transaction(connection, FOLD_LOCK)
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
    mark_rows(connection, INBOX_EVENT, "processed", [row[0] for row in rows])
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


class RollupDeltas:
    def __init__(self) -> None:
        self._deltas: defaultdict[RollupKey, list[int]] = defaultdict(lambda: [0] * len(COUNTS))

    def add(self, day: date, community: int, person: int, column: str, step: int = 1) -> None:
        self._deltas[(day, community, person)][COLUMN_INDEX[column]] += step

    def items(self) -> list[tuple[RollupKey, list[int]]]:
        return list(self._deltas.items())

    def write(self, session: Session) -> None:
        """Add the deltas to the stored rollups; counts never go below zero."""
        additive = [(key, d) for key, d in self._deltas.items() if min(d) >= 0 and any(d)]
        negative = [(key, d) for key, d in self._deltas.items() if min(d) < 0]
        insert_many(
            session.connection(),
            DAILY_ACTIVITY,
            (*KEY_COLUMNS, *COUNTS),
            [(*key, *deltas) for key, deltas in additive],
            conflict=KEY_COLUMNS,
            update=ADD_COUNTS,
        )
        for key, deltas in negative:
            stored = session.get(DailyActivity, key)
            current = [getattr(stored, name) for name in COUNTS] if stored else [0] * len(COUNTS)
            totals = [max(0, have + delta) for have, delta in zip(current, deltas, strict=True)]
            if stored is None:
                session.add(DailyActivity(**_row(key, totals)))
            else:
                for name, value in zip(COUNTS, totals, strict=True):
                    setattr(stored, name, value)
        session.flush()


def update_traces(session: Session, deltas: RollupDeltas) -> None:
    """Run after `deltas` were written: mark the days people posted or reacted (rebuilding
    the traces where reactions were taken back), and add posts to the community days."""
    marks: dict[Scope, defaultdict[TraceKey, dict[int, int]]] = {
        s: defaultdict(dict) for s in SCOPES
    }
    taken_back: dict[Scope, set[TraceKey]] = {scope: set() for scope in SCOPES}
    for (day, community, person), counts in deltas.items():
        flags = (counts[POSTS] + counts[REPLIES] > 0) * POSTED | (counts[REACTIONS] > 0) * REACTED
        if not flags and counts[REACTIONS] >= 0:
            continue
        ordinal = day.toordinal()
        keys: tuple[TraceKey, ...] = ((person,), (community, person), (community,))
        for scope, key in zip(SCOPES, keys, strict=True):
            if counts[REACTIONS] < 0:
                taken_back[scope].add(key)
            if flags:
                days = marks[scope][key]
                days[ordinal] = days.get(ordinal, 0) | flags
    connection = session.connection()
    for scope in SCOPES:
        marked = [key for key in marks[scope] if key not in taken_back[scope]]
        traces = load_traces(connection, scope, marked)
        for key in marked:
            days = marks[scope][key]
            if key not in traces:
                traces[key] = Trace(anchor=max(days))
            traces[key].mark_days(days)
        save_traces(connection, scope, traces.items())
        if taken_back[scope]:
            rebuild_traces(connection, scope, taken_back[scope])
    add_community_days(connection, deltas)


def add_community_days(connection: Connection, deltas: RollupDeltas) -> None:
    posts: defaultdict[tuple[int, date], int] = defaultdict(int)
    for (day, community, _person), counts in deltas.items():
        if counts[POSTS] + counts[REPLIES] > 0:
            posts[(community, day)] += counts[POSTS] + counts[REPLIES]
    insert_many(
        connection,
        COMMUNITY_DAY,
        ("community_id", "day", "posts"),
        [(community, day, added) for (community, day), added in posts.items()],
        conflict=("community_id", "day"),
        update="posts = community_day.posts + excluded.posts",
    )


def rebuild_community_days(connection: Connection, communities: Collection[int] = ()) -> None:
    """Community days again from the rollups, for these communities or all."""
    posted = DAILY_ACTIVITY.c.posts + DAILY_ACTIVITY.c.replies
    query = (
        select(DAILY_ACTIVITY.c.community_id, DAILY_ACTIVITY.c.day, func.sum(posted))
        .group_by(DAILY_ACTIVITY.c.community_id, DAILY_ACTIVITY.c.day)
        .having(func.sum(posted) > 0)
    )
    wipe = delete(COMMUNITY_DAY)
    if communities:
        query = query.where(DAILY_ACTIVITY.c.community_id.in_(communities))
        wipe = wipe.where(COMMUNITY_DAY.c.community_id.in_(communities))
    connection.execute(wipe)
    connection.execute(insert(COMMUNITY_DAY).from_select(["community_id", "day", "posts"], query))


@dataclass
class _Batch:
    deltas: RollupDeltas = field(default_factory=RollupDeltas)
    implied_members: dict[tuple[int, int], datetime] = field(default_factory=dict)
    membership_changes: list[tuple[datetime, int, int, str, str]] = field(default_factory=list)
    community_updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    person_updates: dict[int, dict[str, Any]] = field(default_factory=dict)


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
    """A first post of a pair that also joined or left here goes among those moves, in its
    place in time; other first posts make members of people with no membership yet."""
    changes = sorted(batch.membership_changes)
    posted = batch.implied_members
    moved = {(person, community) for _, person, community, *_ in changes} & posted.keys()
    others = {key: at for key, at in posted.items() if key not in moved} if moved else posted
    ensure_members(session, others, directory.memberships)
    apply_membership_changes(session, changes, {key: posted[key] for key in moved})


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


def _row(key: RollupKey, counts: list[int]) -> dict[str, Any]:
    day, community, person = key
    return {
        "day": day,
        "community_id": community,
        "person_id": person,
        **dict(zip(COUNTS, counts, strict=True)),
    }
