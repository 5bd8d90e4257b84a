"""Neutral events <-> inbox rows. Column fields go to columns, the rest to `attrs`."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from bot.clock import as_utc
from bot.events import EVENT_BY_KIND, Event

COMMON = ("platform", "workspace", "key", "occurred_at")
COLUMNS = {
    "person": "person",
    "community": "community",
    "receiver": "target_person",
    "thread_key": "thread_key",
}


def event_to_row(event: Event) -> dict[str, Any]:
    row: dict[str, Any] = {
        "platform": event.platform,
        "workspace": event.workspace,
        "event_key": event.key,
        "kind": event.kind,
        "occurred_at": as_utc(event.occurred_at),
        "person": None,
        "community": None,
        "target_person": None,
        "thread_key": None,
        "processed": False,
    }
    attrs: dict[str, Any] = {}
    for item in fields(event):
        if item.name in COMMON:
            continue
        value = getattr(event, item.name)
        if item.name in COLUMNS:
            row[COLUMNS[item.name]] = value
        elif value is not None and value != item.default:
            attrs[item.name] = value
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
