"""One human across platforms: accounts that share an e-mail hash are one person.

Each account keeps its own row (and its platform keeps delivering to it), but the lowest
id of the accounts sharing an e-mail hash is their `human_id`: they have one attention
budget (budget slots are held by the human), one rung on the organisation's ladder (their
highest) and one set of preferences (a change made on either platform is copied to the
others, and accounts linked later take the group's latest). The directory (HR export,
`engage import directory`) gives departments by platform id or by e-mail hash; folding
applies it to the people it sees, so people who appear after the import get theirs too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import ColumnElement, FromClause, bindparam, func, select, update
from sqlmodel import Session

from bot.events import as_utc
from bot.storage.models import Preference
from bot.storage.tables import DIRECTORY_ENTRY, PERSON, PREFERENCE

CHUNK = 500
BY_ID, BY_EMAIL = "id", "email"


def human(person: FromClause = PERSON) -> ColumnElement[int]:
    """The human an account belongs to: its `human_id`, or itself when it is not linked."""
    return func.coalesce(person.c.human_id, person.c.id)


def linked_ids(session: Session, person_id: int) -> list[int]:
    """The other accounts of the same human (none for most people)."""
    row = (
        session.connection()
        .execute(select(PERSON.c.human_id).where(PERSON.c.id == person_id))
        .first()
    )
    if row is None or row.human_id is None:
        return []
    query = select(PERSON.c.id).where(PERSON.c.human_id == row.human_id, PERSON.c.id != person_id)
    return list(session.connection().execute(query).scalars())


def share_preference(session: Session, person_id: int) -> None:
    """Copy the person's preferences (just changed) to their other accounts."""
    others = linked_ids(session, person_id)
    source = session.get(Preference, person_id)
    if not others or source is None:
        return
    for other in others:
        _copy_preference(session, source, other)


def _copy_preference(session: Session, source: Preference, person_id: int) -> None:
    target = session.get(Preference, person_id) or Preference(person_id=person_id)
    for name in PREFERENCE.c.keys():  # noqa: SIM118 (column names)
        if name != "person_id":
            setattr(target, name, getattr(source, name))
    session.add(target)


def link_people(session: Session, seen: Collection[int], emailed: Collection[int]) -> None:
    """After a fold batch: the directory's departments for the people `seen`, and the human
    groups of the people whose e-mail hash was `emailed`. Writes only what changed."""
    if seen:
        _apply_directory(session, seen)
    if emailed:
        _regroup(session, emailed)


def apply_directory_everywhere(session: Session) -> int:
    """Departments from the directory for everyone it names (after an import); return how
    many people changed."""
    query = select(PERSON.c.id).where(_named_by_directory())
    ids = list(session.connection().execute(query).scalars())
    return _apply_directory(session, ids)


def _named_by_directory() -> ColumnElement[bool]:
    by_id = select(DIRECTORY_ENTRY.c.key).where(DIRECTORY_ENTRY.c.kind == BY_ID)
    by_email = select(DIRECTORY_ENTRY.c.key).where(DIRECTORY_ENTRY.c.kind == BY_EMAIL)
    return PERSON.c.external_id.in_(by_id) | PERSON.c.email_hash.in_(by_email)


def _apply_directory(session: Session, ids: Iterable[int]) -> int:
    """The directory wins over a profile field: HR's export is the reference."""
    connection = session.connection()
    if connection.execute(select(DIRECTORY_ENTRY.c.key).limit(1)).first() is None:
        return 0
    wanted = sorted(ids)
    changes = []
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        people = connection.execute(
            select(
                PERSON.c.id, PERSON.c.external_id, PERSON.c.email_hash, PERSON.c.department
            ).where(PERSON.c.id.in_(part))
        ).all()
        keys = {(BY_ID, p.external_id) for p in people} | {
            (BY_EMAIL, p.email_hash) for p in people if p.email_hash
        }
        entries = _entries(session, keys)
        for p in people:
            entry = entries.get((BY_EMAIL, p.email_hash)) or entries.get((BY_ID, p.external_id))
            if entry is not None and entry != p.department:
                changes.append({"b_id": p.id, "b_department": entry})
    if changes:
        connection.execute(
            update(PERSON)
            .where(PERSON.c.id == bindparam("b_id"))
            .values(department=bindparam("b_department")),
            changes,
        )
    return len(changes)


def _entries(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for kind in (BY_ID, BY_EMAIL):
        wanted = sorted(key for k, key in keys if k == kind)
        for start in range(0, len(wanted), CHUNK):
            query = select(DIRECTORY_ENTRY.c.key, DIRECTORY_ENTRY.c.department).where(
                DIRECTORY_ENTRY.c.kind == kind,
                DIRECTORY_ENTRY.c.key.in_(wanted[start : start + CHUNK]),
                DIRECTORY_ENTRY.c.department.is_not(None),
            )
            for key, department in session.connection().execute(query):
                found[(kind, key)] = department
    return found


def _regroup(session: Session, emailed: Collection[int]) -> None:
    """Recompute `human_id` for the groups the changed accounts left or joined."""
    connection = session.connection()
    ids = sorted(emailed)
    hashes: set[str] = set()
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        rows = connection.execute(
            select(PERSON.c.email_hash).where(
                (PERSON.c.id.in_(part) | PERSON.c.human_id.in_(part)),
                PERSON.c.email_hash.is_not(None),
            )
        ).scalars()
        hashes.update(rows)
    members: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
    ordered = sorted(hashes)
    for start in range(0, len(ordered), CHUNK):
        query = select(PERSON.c.id, PERSON.c.email_hash, PERSON.c.human_id).where(
            PERSON.c.email_hash.in_(ordered[start : start + CHUNK])
        )
        for person_id, email_hash, human_id in connection.execute(query):
            members[email_hash].append((person_id, human_id))
    changes: list[dict[str, Any]] = []
    joined: list[list[int]] = []
    for group in members.values():
        canonical = min(person_id for person_id, _ in group) if len(group) > 1 else None
        moved = [person_id for person_id, was in group if was != canonical]
        changes += [{"b_id": person_id, "b_human": canonical} for person_id in moved]
        if moved and canonical is not None:
            joined.append([person_id for person_id, _ in group])
    stray = connection.execute(  # accounts whose e-mail went away
        select(PERSON.c.id).where(
            PERSON.c.id.in_(ids), PERSON.c.email_hash.is_(None), PERSON.c.human_id.is_not(None)
        )
    ).scalars()
    changes += [{"b_id": person_id, "b_human": None} for person_id in stray]
    if changes:
        connection.execute(
            update(PERSON)
            .where(PERSON.c.id == bindparam("b_id"))
            .values(human_id=bindparam("b_human")),
            changes,
        )
    for accounts in joined:
        _merge_preferences(session, accounts)


def _merge_preferences(session: Session, group: list[int]) -> None:
    """Accounts just linked take the group's most recently changed preferences."""
    rows = [row for person_id in group if (row := session.get(Preference, person_id))]
    if not rows:
        return
    latest = max(rows, key=lambda row: as_utc(row.updated_at))
    for person_id in group:
        if person_id != latest.person_id:
            _copy_preference(session, latest, person_id)
    session.flush()
