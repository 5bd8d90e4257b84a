"""Receiving events: the durable inbox, committed once per event key.

Every event is committed once, keyed by (platform, workspace, event key), as a row built
by `event_to_row` (column fields go to columns, the rest to `attrs`). Every path into the
inbox builds its rows there, so that is where text is made storable: PostgreSQL refuses
NUL in text and `\\u0000` in JSON (a JSON column then fails every query that reads a field
of the row), and no database takes a lone UTF-16 surrogate.

- The fast lane, `Inbox.record` (webhooks): callers await their own events' commit, and
  concurrent callers share one transaction (group commit on the held writer, one INSERT
  per batch that says which keys were new), so sixteen webhooks cost one fsync.
- The bulk path, `insert_rows` (imports and generators): large batches in the caller's
  transaction (COPY on PostgreSQL).
- `BurstMeter`: how fast events arrive, to tell a burst from ordinary traffic; folding
  competes with acknowledging webhooks for the CPU (and, on SQLite, for the one write
  lock), so the scheduler's fold steps aside during a burst (`Tracker.fold_deferred`).
- Quarantine: events that cannot be folded are set aside (kept in the inbox, never
  deleted), counted, and skipped by later folds, so that one bad event never stops the
  statistics of everyone. A fold batch that fails on its rows' content is split in halves
  until the failing events stand alone; a failure that says the database is unavailable
  or busy quarantines nothing: the batch runs again later.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, Dialect, func, select, update
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError, StatementError
from sqlmodel import Session

from bot.events import ALL_EVENTS, EVENT_BY_KIND, Event, as_utc, utcnow
from bot.storage.bulk import bind_processor, copy_ignoring_conflicts, insert_returning_keys
from bot.storage.database import Database
from bot.storage.held_writer import Statement
from bot.storage.tables import INBOX_EVENT

FUTURE_TOLERANCE = timedelta(minutes=5)
ATTEMPTS = 3
LOST_RACE = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure
COMMON = ("platform", "workspace", "key", "occurred_at")
FIELD_COLUMNS = {
    "person": "person",
    "community": "community",
    "receiver": "target_person",
    "thread_key": "thread_key",
}
KEY_LENGTH: int = INBOX_EVENT.c.event_key.type.length  # type: ignore[attr-defined]
THREAD_KEY_LENGTH: int = INBOX_EVENT.c.thread_key.type.length  # type: ignore[attr-defined]
UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
INBOX_COLUMNS = (
    "platform", "workspace", "event_key", "kind", "person", "community", "target_person",
    "thread_key", "occurred_at", "attrs", "processed", "received_at",
)  # fmt: skip
INBOX_KEY = ("platform", "workspace", "event_key")
InboxKey = tuple[str, str, str]
REASON_LENGTH = 200
SQLITE_MALFORMED_JSON = "malformed JSON"
BURST_EVENTS_PER_SECOND = 100
"""Above this arrival rate folding waits; ordinary traffic, even in a large
organisation, is a few events a second."""


@dataclass
class RecordSummary:
    new: int = 0
    duplicates: int = 0
    future: int = 0

    def add(self, other: RecordSummary) -> None:
        self.new += other.new
        self.duplicates += other.duplicates
        self.future += other.future


class Inbox:
    def __init__(self, database: Database, meter: BurstMeter) -> None:
        self._database = database
        self._meter = meter
        self._waiting: list[_Waiting] = []
        self._flushers: set[asyncio.Task[None]] = set()
        self._max_flushers = database.held.in_flight

    async def record(self, events: Iterable[Event]) -> int:
        """Commit events durably before returning; return how many were new."""
        rows, _future = split_future(events)
        if not rows:
            return 0
        waiting = _Waiting(rows)
        self._waiting.append(waiting)
        if sum(not flusher.done() for flusher in self._flushers) < self._max_flushers:
            flusher = asyncio.create_task(self._flush_until_empty())
            self._flushers.add(flusher)
            flusher.add_done_callback(self._flushers.discard)
        return await waiting.done

    async def _flush_until_empty(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                stored = await self._commit([row for waiting in batch for row in waiting.rows])
            except Exception as exc:
                for waiting in batch:
                    if not waiting.done.done():
                        waiting.done.set_exception(exc)
                continue
            self._meter.add(len(stored))
            for waiting in batch:
                new = 0
                for row in waiting.rows:
                    key = (row["platform"], row["workspace"], row["event_key"])
                    if key in stored:
                        stored.discard(key)
                        new += 1
                if not waiting.done.done():
                    waiting.done.set_result(new)

    async def _commit(self, rows: list[dict[str, Any]]) -> set[InboxKey]:
        """Two batches sharing keys in different orders can deadlock on PostgreSQL: the
        loser's INSERT was rolled back whole, so it simply runs again."""
        statements = insert_statements(self._database.engine.dialect, rows)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return new_keys(await self._database.write_statements(statements))
            except Exception as exc:
                if attempt == ATTEMPTS or getattr(exc, "sqlstate", None) not in LOST_RACE:
                    raise
        raise AssertionError("unreachable")


@dataclass
class _Waiting:
    rows: list[dict[str, Any]]
    done: asyncio.Future[int] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


def insert_statements(dialect: Dialect, rows: Sequence[dict[str, Any]]) -> list[Statement]:
    """Statements that insert rows, skip keys already stored and return the new keys (run
    them in one transaction). One statement on PostgreSQL."""
    values = row_values(dialect, rows)
    return insert_returning_keys(dialect, INBOX_EVENT, INBOX_COLUMNS, values, INBOX_KEY)


def new_keys(returned: Sequence[Sequence[Any]]) -> set[InboxKey]:
    return {(row[0], row[1], row[2]) for row in returned}


class BurstMeter:
    """New events in the last second, estimated from two one-second buckets: the current
    one, and the previous one weighted by how much of it is still inside the window."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._second = 0
        self._current = 0
        self._previous = 0

    def add(self, count: int) -> None:
        self._roll()
        self._current += count

    def rate(self) -> float:
        self._roll()
        overlap = 1.0 - (self._clock() - self._second)
        return self._previous * overlap + self._current

    def busy(self) -> bool:
        return self.rate() > BURST_EVENTS_PER_SECOND

    def _roll(self) -> None:
        second = int(self._clock())
        if second == self._second:
            return
        self._previous = self._current if second == self._second + 1 else 0
        self._current = 0
        self._second = second


def split_future(
    events: Iterable[Event], now: datetime | None = None
) -> tuple[list[dict[str, Any]], int]:
    """Rows for events not dated in the future, and how many were dated in the future."""
    horizon = (now or utcnow()) + FUTURE_TOLERANCE
    rows, future = [], 0
    for event in events:
        row = event_to_row(event)
        if row["occurred_at"] > horizon:
            future += 1
        else:
            rows.append(row)
    return rows, future


def insert_rows(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows, skipping keys already stored; return how many were new."""
    return insert_new_rows(session.connection(), rows)


def insert_new_rows(connection: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows in the connection's transaction, skipping stored keys; return how many
    were new."""
    if not rows:
        return 0
    values = row_values(connection.dialect, rows)
    return copy_ignoring_conflicts(connection, INBOX_EVENT, INBOX_COLUMNS, values, INBOX_KEY)


def event_to_row(event: Event) -> dict[str, Any]:
    row: dict[str, Any] = {
        "platform": _storable_text(event.platform),
        "workspace": _storable_text(event.workspace),
        "event_key": fitted_key(_storable_text(event.key)),
        "kind": event.kind,
        "occurred_at": as_utc(event.occurred_at),
        "person": None,
        "community": None,
        "target_person": None,
        "thread_key": None,
        "processed": False,
    }
    attrs: dict[str, Any] = {}
    for name, column, default in LAYOUTS[type(event)]:
        value = storable(getattr(event, name))
        if column == "thread_key" and value is not None:
            row[column] = fitted_key(value, THREAD_KEY_LENGTH)
        elif column is not None:
            row[column] = value
        elif value is not None and value != default:
            attrs[name] = value
    row["attrs"] = attrs or None
    return row


def row_to_event(
    *,
    platform: str,
    workspace: str,
    event_key: str,
    kind: str,
    occurred_at: datetime,
    person: str | None,
    community: str | None,
    target_person: str | None,
    thread_key: str | None,
    attrs: dict[str, Any] | None,
) -> Event:
    cls = EVENT_BY_KIND[kind]
    given = {
        "person": person,
        "community": community,
        "receiver": target_person,
        "thread_key": thread_key,
    }
    names = {item.name for item in fields(cls)}
    values: dict[str, Any] = {key: value for key, value in given.items() if key in names}
    values.update(attrs or {})
    return cls(
        platform=platform,
        workspace=workspace,
        key=event_key,
        occurred_at=as_utc(occurred_at),
        **values,
    )


def fitted_key(key: str, length: int = KEY_LENGTH) -> str:
    """A key as stored: whole when it fits its column, else a prefix and the SHA-256 of the
    whole key, so that two long keys never collide (PostgreSQL's casts would cut them) and
    SQLite stores the very same value."""
    if len(key) <= length:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: length - len(digest) - 1]}#{digest}"


def storable(value: Any) -> Any:
    """`value` with NUL and lone surrogates removed from every string, dict keys included,
    at any depth."""
    if isinstance(value, str):
        return _storable_text(value)
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [storable(item) for item in value]
    return value


def _storable_text(text: str) -> str:
    if text.isascii():
        return text.replace("\x00", "") if "\x00" in text else text
    if UNSTORABLE.search(text) is None:
        return text
    paired = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    return UNSTORABLE.sub("", paired)


def _fields_of(event_type: type[Event]) -> tuple[tuple[str, str | None, Any], ...]:
    """Each specific field of an event type: its name, its column if any, its default."""
    return tuple(
        (item.name, FIELD_COLUMNS.get(item.name), item.default)
        for item in fields(event_type)
        if item.name not in COMMON
    )


LAYOUTS: Mapping[type[Event], tuple[tuple[str, str | None, Any], ...]] = MappingProxyType(
    {event_type: _fields_of(event_type) for event_type in ALL_EVENTS}
)


def row_values(dialect: Dialect, rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Rows in `INBOX_COLUMNS` order, converted as SQLAlchemy would for the driver."""
    moment = bind_processor(dialect, INBOX_EVENT, "occurred_at") or _unchanged
    attrs = bind_processor(dialect, INBOX_EVENT, "attrs") or _unchanged
    flag = bind_processor(dialect, INBOX_EVENT, "processed") or _unchanged
    received = moment(utcnow())
    processed = flag(False)
    no_attrs = attrs(None)  # most events have none: serialise that once
    return [
        (
            row["platform"],
            row["workspace"],
            row["event_key"],
            row["kind"],
            row["person"],
            row["community"],
            row["target_person"],
            row["thread_key"],
            moment(row["occurred_at"]),
            no_attrs if row["attrs"] is None else attrs(row["attrs"]),
            processed,
            received,
        )
        for row in rows
    ]


def _unchanged(value: Any) -> Any:
    return value


class UnfoldableEventError(ValueError):
    """An inbox row whose content folding cannot use (an attribute of the wrong shape)."""


def unfoldable(exc: BaseException) -> bool:
    """True when `exc` is about the content of the rows being folded."""
    if isinstance(exc, DataError | IntegrityError):
        return True
    if isinstance(exc, OperationalError):
        return SQLITE_MALFORMED_JSON in str(exc.orig)
    if isinstance(exc, DBAPIError):
        return False
    if isinstance(exc, StatementError):  # a value the driver could not take
        return True
    return isinstance(exc, ValueError | TypeError | LookupError | AttributeError)


def reason(exc: BaseException) -> str:
    """The error's kind and first line (inbox rows hold no text, so neither does this)."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"[:REASON_LENGTH]


def quarantine(session: Session, ids: Sequence[int], why: str) -> None:
    session.connection().execute(
        update(INBOX_EVENT)
        .where(INBOX_EVENT.c.id.in_(ids))
        .values(quarantined_at=utcnow(), quarantine_reason=why[:REASON_LENGTH])
    )


def quarantined_count(session: Session) -> int:
    query = select(func.count()).where(INBOX_EVENT.c.quarantined_at.is_not(None))
    return int(session.connection().execute(query).scalar_one())


@dataclass(frozen=True)
class InboxHealth:
    pending: int
    """Events recorded and not folded yet."""
    oldest_pending: datetime | None
    """When the oldest of them was received: how far behind folding is."""
    quarantined: int


def inbox_health(session: Session) -> InboxHealth:
    connection = session.connection()
    waiting = INBOX_EVENT.c.processed.is_(False) & INBOX_EVENT.c.quarantined_at.is_(None)
    pending = connection.execute(select(func.count()).where(waiting)).scalar_one()
    oldest = connection.execute(
        select(INBOX_EVENT.c.received_at).where(waiting).order_by(INBOX_EVENT.c.id).limit(1)
    ).scalar_one_or_none()
    return InboxHealth(int(pending), oldest, quarantined_count(session))
