"""Membership state from join/leave events (in time order) and from posting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, tuple_, update
from sqlmodel import Session

from bot.storage.bulk import insert_many
from bot.storage.tables import MEMBERSHIP

CHUNK = 400
Key = tuple[int, int]


def ensure_members(
    session: Session, first_posts: dict[Key, datetime], known: set[Key] | None = None
) -> None:
    """Someone who posts in a community is a member, unless a membership is already known.

    `known` holds pairs already stored (the caller keeps it across batches); they are
    skipped, and the pairs written here are added to it.
    """
    known = set() if known is None else known
    fresh = [(key, moment) for key, moment in first_posts.items() if key not in known]
    insert_many(
        session.connection(),
        MEMBERSHIP,
        ("person_id", "community_id", "state", "since", "joined_at", "source"),
        [(person, community, "member", at, at, "activity") for (person, community), at in fresh],
        conflict=("person_id", "community_id"),
    )
    known.update(key for key, _moment in fresh)


def apply_membership_changes(
    session: Session, changes: Sequence[tuple[datetime, int, int, str, str]]
) -> None:
    """Apply (moment, person, community, state, source) in time order; older news never
    wins. `source` is kept for memberships created here ("self", or "roster")."""
    if not changes:
        return
    connection = session.connection()
    current = _stored(connection, {(person, community) for _, person, community, *_ in changes})
    created: dict[Key, str] = {}
    changed: set[Key] = set()
    for moment, person, community, state, source in changes:
        key = (person, community)
        membership = current.get(key)
        if membership is None:
            current[key] = _State(state, moment, moment if state == "member" else None)
            created[key] = source
            continue
        changed.add(key)
        if moment >= membership.since:
            if state == "member" and membership.state != "member":
                membership.joined_at = moment
            membership.state = state
            membership.since = moment
        elif state == "member" and (membership.joined_at is None or moment < membership.joined_at):
            membership.joined_at = moment
    if created:
        connection.execute(
            insert(MEMBERSHIP),
            [{**_row(key, current[key]), "source": created[key]} for key in sorted(created)],
        )
    if changed - created.keys():
        updates = [_row(key, current[key], prefix="b_") for key in sorted(changed - created.keys())]
        connection.execute(UPDATE, updates)


@dataclass
class _State:
    state: str
    since: datetime
    joined_at: datetime | None


def _stored(connection: Connection, keys: set[Key]) -> dict[Key, _State]:
    found: dict[Key, _State] = {}
    ordered = sorted(keys)
    columns = (MEMBERSHIP.c.person_id, MEMBERSHIP.c.community_id)
    for start in range(0, len(ordered), CHUNK):
        query = select(*columns, MEMBERSHIP.c.state, MEMBERSHIP.c.since, MEMBERSHIP.c.joined_at)
        query = query.where(tuple_(*columns).in_(ordered[start : start + CHUNK]))
        for row in connection.execute(query):
            found[(row.person_id, row.community_id)] = _State(row.state, row.since, row.joined_at)
    return found


def _row(key: Key, membership: _State, prefix: str = "") -> dict[str, Any]:
    return {
        f"{prefix}person_id": key[0],
        f"{prefix}community_id": key[1],
        f"{prefix}state": membership.state,
        f"{prefix}since": membership.since,
        f"{prefix}joined_at": membership.joined_at,
    }


UPDATE = (
    update(MEMBERSHIP)
    .where(
        MEMBERSHIP.c.person_id == bindparam("b_person_id"),
        MEMBERSHIP.c.community_id == bindparam("b_community_id"),
    )
    .values(
        {
            name: bindparam(f"b_{name}", type_=MEMBERSHIP.c[name].type)
            for name in ("state", "since", "joined_at")
        }
    )
)
