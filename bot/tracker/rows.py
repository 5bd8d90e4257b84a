"""Neutral events <-> inbox rows. Column fields go to columns, the rest to `attrs`."""

from __future__ import annotations

import hashlib
from dataclasses import fields
from datetime import datetime
from typing import Any

from bot.clock import as_utc
from bot.events import EVENT_BY_KIND, Event
from bot.storage.models import InboxEvent

COMMON = ("platform", "workspace", "key", "occurred_at")
COLUMNS = {
    "person": "person",
    "community": "community",
    "receiver": "target_person",
    "thread_key": "thread_key",
}

KEY_LENGTH: int = InboxEvent.__table__.c.event_key.type.length  # type: ignore[attr-defined]
THREAD_KEY_LENGTH: int = InboxEvent.__table__.c.thread_key.type.length  # type: ignore[attr-defined]


def fitted_key(key: str, length: int = KEY_LENGTH) -> str:
    """A key as stored: whole when it fits its column, else a prefix and the SHA-256 of the
    whole key, so that two long keys never collide (PostgreSQL's casts would cut them) and
    SQLite stores the very same value."""
    if len(key) <= length:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: length - len(digest) - 1]}#{digest}"


def event_to_row(event: Event) -> dict[str, Any]:
    row: dict[str, Any] = {
        "platform": event.platform,
        "workspace": event.workspace,
        "event_key": fitted_key(event.key),
        "kind": event.kind,
        "occurred_at": as_utc(event.occurred_at),
        "person": None,
        "community": None,
        "target_person": None,
        "thread_key": None,
        "processed": False,
    }
    attrs: dict[str, Any] = {}
    for name, column, default in _layout(type(event)):
        value = getattr(event, name)
        if column == "thread_key" and value is not None:
            row[column] = fitted_key(value, THREAD_KEY_LENGTH)
        elif column is not None:
            row[column] = value
        elif value is not None and value != default:
            attrs[name] = value
    row["attrs"] = attrs or None
    return row


def _layout(event_type: type[Event]) -> tuple[tuple[str, str | None, Any], ...]:
    """Each specific field of an event type: its name, its column if any, its default."""
    layout = _LAYOUTS.get(event_type)
    if layout is None:
        layout = _LAYOUTS[event_type] = tuple(
            (item.name, COLUMNS.get(item.name), item.default)
            for item in fields(event_type)
            if item.name not in COMMON
        )
    return layout


_LAYOUTS: dict[type[Event], tuple[tuple[str, str | None, Any], ...]] = {}


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
