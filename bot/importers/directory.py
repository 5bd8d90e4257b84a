"""`engage import directory FILE`: departments (and the link between one human's accounts)
from what HR exports, as CSV or JSON.

Each row names a person by platform id (`external_id`) and/or `email`, with a
`department` and optionally a `site` and a `manager_level`. Rows are kept in the
`directory_entry` table (e-mails only as a keyed hash, `bot.crypto.EmailHasher`), so that
people seen later get their department when folded; people already known get it now. A
row with both an id and an e-mail also links that account to the human with that e-mail
on other platforms. A bad row is reported (its number and what is wrong) and skipped;
the good ones are kept. Importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from bot.crypto import EmailHasher
from bot.errors import EngageError
from bot.events import utcnow
from bot.identity import (
    BY_EMAIL,
    BY_ID,
    apply_directory_everywhere,
    link_people,
)
from bot.storage.bulk import insert_ignoring_conflicts
from bot.storage.tables import DIRECTORY_ENTRY, PERSON

ID_COLUMNS = ("external_id", "id", "user_id")
KEY_LENGTH = 128
TEXT_LENGTH = 200


@dataclass(frozen=True)
class DirectoryRow:
    number: int
    external_id: str | None
    email_hash: str | None
    department: str
    site: str | None
    manager_level: int | None


@dataclass
class DirectorySummary:
    problems: list[str] = field(default_factory=list)
    changed_entries: int = 0
    departments_set: int = 0
    linked: int = 0


def read_directory(path: Path, hasher: EmailHasher) -> tuple[list[DirectoryRow], list[str]]:
    """The good rows and one line per bad row (`FILE:row N: what is wrong`); EngageError
    when the file itself cannot be read."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise EngageError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EngageError(f"{path}: cannot be read as UTF-8 text ({type(exc).__name__})") from None
    records = _json_records(path, text) if _is_json(path, text) else _csv_records(path, text)
    rows, problems = [], []
    for number, record in records:
        if not isinstance(record, Mapping):
            problems.append(f"{path.name}:row {number}: not an object with named fields")
            continue
        try:
            rows.append(_row(number, record, hasher))
        except _BadRowError as bad:
            problems.append(f"{path.name}:row {number}: {bad}")
    return rows, problems


class _BadRowError(ValueError):
    """What is wrong with one row (never its e-mail: that is not repeated anywhere)."""


def _is_json(path: Path, text: str) -> bool:
    return path.suffix.lower() == ".json" or text.lstrip()[:1] in ("[", "{")


def _json_records(path: Path, text: str) -> Iterator[tuple[int, Any]]:
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EngageError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    if isinstance(loaded, Mapping):
        loaded = loaded.get("people")
    if not isinstance(loaded, list):
        raise EngageError(f'{path}: expected a JSON list of people (or {{"people": [...]}})')
    yield from enumerate(loaded, start=1)


def _csv_records(path: Path, text: str) -> Iterator[tuple[int, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    names = [name.strip().lower() for name in reader.fieldnames or []]
    if "department" not in names or not ({"email", *ID_COLUMNS} & set(names)):
        raise EngageError(
            f"{path}: the first line must name the columns: external_id and/or email, "
            "department, and optionally site and manager_level"
        )
    reader.fieldnames = names
    for record in reader:
        # Row numbers count the header as row 1, as a spreadsheet shows them.
        yield reader.line_num, {key: value for key, value in record.items() if key is not None}


def _row(number: int, record: Mapping[str, Any], hasher: EmailHasher) -> DirectoryRow:
    external_id = next((_text(record, name) for name in ID_COLUMNS if _text(record, name)), None)
    email = _text(record, "email")
    department = _text(record, "department")
    if external_id is None and email is None:
        raise _BadRowError("neither an external_id nor an email")
    if external_id is not None and len(external_id) > KEY_LENGTH:
        raise _BadRowError(f"external_id is longer than {KEY_LENGTH} characters")
    email_hash = None
    if email is not None:
        if "@" not in email.strip("@"):
            raise _BadRowError("email is not an e-mail address")  # never echoed back
        email_hash = hasher(email)
        if email_hash is None:
            raise _BadRowError(
                "an email needs ENGAGE_SECRET_KEY (e-mails are kept only as a keyed hash)"
            )
    if department is None:
        raise _BadRowError("department is missing")
    if len(department) > TEXT_LENGTH:
        raise _BadRowError(f"department is longer than {TEXT_LENGTH} characters")
    site = _text(record, "site")
    level_text = _text(record, "manager_level")
    level = None
    if level_text is not None:
        if not level_text.isdigit() or int(level_text) > 100:
            raise _BadRowError(f"manager_level {level_text!r} is not a whole number from 0 to 100")
        level = int(level_text)
    return DirectoryRow(number, external_id, email_hash, department, site, level)


def _text(record: Mapping[str, Any], name: str) -> str | None:
    value = record.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return value.strip() or None


def store_directory(session: Session, rows: list[DirectoryRow], summary: DirectorySummary) -> None:
    """Keep the rows' entries (only those that changed), link accounts named by both an id
    and an e-mail, and give everyone the directory names their department."""
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    now = utcnow()
    for row in rows:
        values = {
            "department": row.department,
            "site": row.site,
            "manager_level": row.manager_level,
            "updated_at": now,
        }
        if row.external_id is not None:
            entries[(BY_ID, row.external_id)] = {"kind": BY_ID, "key": row.external_id, **values}
        if row.email_hash is not None:
            key = (BY_EMAIL, row.email_hash)
            entries[key] = {"kind": BY_EMAIL, "key": row.email_hash, **values}
    changed = _changed(session, entries)
    connection = session.connection()
    if changed:
        keys = [(entry["kind"], entry["key"]) for entry in changed]
        for kind in (BY_ID, BY_EMAIL):
            stale = [key for k, key in keys if k == kind]
            if stale:
                connection.execute(
                    DIRECTORY_ENTRY.delete().where(
                        DIRECTORY_ENTRY.c.kind == kind, DIRECTORY_ENTRY.c.key.in_(stale)
                    )
                )
        insert_ignoring_conflicts(connection, DIRECTORY_ENTRY, changed)
    summary.changed_entries = len(changed)
    summary.linked = _link(session, rows)
    summary.departments_set = apply_directory_everywhere(session)


def _changed(
    session: Session, entries: dict[tuple[str, str], dict[str, Any]]
) -> list[dict[str, Any]]:
    stored: dict[tuple[str, str], tuple[Any, ...]] = {}
    for kind in (BY_ID, BY_EMAIL):
        keys = sorted(key for k, key in entries if k == kind)
        for start in range(0, len(keys), 500):
            query = select(
                DIRECTORY_ENTRY.c.key,
                DIRECTORY_ENTRY.c.department,
                DIRECTORY_ENTRY.c.site,
                DIRECTORY_ENTRY.c.manager_level,
            ).where(
                DIRECTORY_ENTRY.c.kind == kind, DIRECTORY_ENTRY.c.key.in_(keys[start : start + 500])
            )
            for key, *values in session.connection().execute(query):
                stored[(kind, key)] = tuple(values)
    return [
        entry
        for key, entry in entries.items()
        if stored.get(key) != (entry["department"], entry["site"], entry["manager_level"])
    ]


def _link(session: Session, rows: list[DirectoryRow]) -> int:
    """Accounts named by id whose e-mail hash the row gives: linked to that human."""
    named = {row.external_id: row.email_hash for row in rows if row.external_id and row.email_hash}
    if not named:
        return 0
    connection = session.connection()
    ids = sorted(named)
    changes = []
    for start in range(0, len(ids), 500):
        query = select(PERSON.c.id, PERSON.c.external_id, PERSON.c.email_hash).where(
            PERSON.c.external_id.in_(ids[start : start + 500])
        )
        for person_id, external_id, email_hash in connection.execute(query):
            if email_hash != named[external_id]:
                changes.append({"b_id": person_id, "b_hash": named[external_id]})
    if changes:
        connection.execute(
            update(PERSON)
            .where(PERSON.c.id == bindparam("b_id"))
            .values(email_hash=bindparam("b_hash")),
            changes,
        )
        link_people(session, seen=(), emailed=[change["b_id"] for change in changes])
    return len(changes)
