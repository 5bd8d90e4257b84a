"""Who is who and where: external ids -> internal ids, and memberships.

`Directory` resolves the external ids of workspaces, people and communities to internal
ids, creating the rows on first sight. Membership state comes from join/leave events (in
time order, older news never wins) and from posting: a first post makes a member of
someone with no membership yet (`ensure_members`, or in its place in time among the joins
and leaves of the same pair, `apply_membership_changes`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, insert, select, tuple_, update
from sqlmodel import Session

from bot.events import utcnow
from bot.storage.bulk import insert_ignoring_conflicts, insert_many
from bot.storage.tables import COMMUNITY, MEMBERSHIP, PERSON, WORKSPACE

CHUNK = 500
MEMBERSHIP_CHUNK = 400
POSTED = "posted"
"""Not a state: a first post, ordered among a pair's joins and leaves."""
MembershipKey = tuple[int, int]


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


def ensure_members(
    session: Session,
    first_posts: dict[MembershipKey, datetime],
    known: set[MembershipKey] | None = None,
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
    session: Session,
    changes: Sequence[tuple[datetime, int, int, str, str]],
    first_posts: Mapping[MembershipKey, datetime] | None = None,
) -> None:
    """Apply (moment, person, community, state, source) in time order; older news never
    wins. `source` is kept for memberships created here ("self", or "roster").

    `first_posts` of the same pairs are ordered among the changes: a post before any join
    makes a member then, and a post after a leave (the leave came first) makes nothing."""
    if not changes:
        return
    connection = session.connection()
    current = _stored(connection, {(person, community) for _, person, community, *_ in changes})
    posts = [
        (moment, person, community, POSTED, "activity")
        for (person, community), moment in (first_posts or {}).items()
        if (person, community) not in current
    ]
    created: dict[MembershipKey, str] = {}
    changed: set[MembershipKey] = set()
    for moment, person, community, state, source in sorted([*changes, *posts]):
        key = (person, community)
        membership = current.get(key)
        if state == POSTED:
            if membership is None:
                current[key] = _State("member", moment, moment)
                created[key] = source
            continue
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
        connection.execute(MEMBERSHIP_UPDATE, updates)


def _first_seen(
    table: Table, moments: dict[tuple[int, str], datetime], key: tuple[int, str]
) -> dict[str, datetime]:
    if table is not PERSON:
        return {}
    return {"first_seen_at": moments.get(key) or utcnow()}


@dataclass
class _State:
    state: str
    since: datetime
    joined_at: datetime | None


def _stored(connection: Connection, keys: set[MembershipKey]) -> dict[MembershipKey, _State]:
    found: dict[MembershipKey, _State] = {}
    ordered = sorted(keys)
    columns = (MEMBERSHIP.c.person_id, MEMBERSHIP.c.community_id)
    for start in range(0, len(ordered), MEMBERSHIP_CHUNK):
        query = select(*columns, MEMBERSHIP.c.state, MEMBERSHIP.c.since, MEMBERSHIP.c.joined_at)
        query = query.where(tuple_(*columns).in_(ordered[start : start + MEMBERSHIP_CHUNK]))
        for row in connection.execute(query):
            found[(row.person_id, row.community_id)] = _State(row.state, row.since, row.joined_at)
    return found


def _row(key: MembershipKey, membership: _State, prefix: str = "") -> dict[str, Any]:
    return {
        f"{prefix}person_id": key[0],
        f"{prefix}community_id": key[1],
        f"{prefix}state": membership.state,
        f"{prefix}since": membership.since,
        f"{prefix}joined_at": membership.joined_at,
    }


MEMBERSHIP_UPDATE = (
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
