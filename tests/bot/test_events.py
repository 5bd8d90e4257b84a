"""Neutral events name what is wrong with them before they are recorded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.events import (
    LONGEST_IDENTIFIER,
    CommunityCreated,
    MessagePosted,
    PersonSeen,
    ReactionAdded,
    malformed_field,
)
from bot.storage.tables import INBOX_EVENT

WHEN = datetime(2026, 3, 24, 14, 2, tzinfo=UTC)
COMMON: dict[str, Any] = {
    "platform": "slack",
    "workspace": "T1",
    "key": "C1:1",
    "occurred_at": WHEN,
}


def test_a_well_formed_event_has_nothing_wrong() -> None:
    assert malformed_field(MessagePosted(**COMMON, person="U1", community="C1")) is None
    assert malformed_field(PersonSeen(**COMMON, person="U1", display_name=None)) is None


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (PersonSeen(**COMMON, person=""), "person"),
        (MessagePosted(**COMMON, person="U1", community=""), "community"),
        (MessagePosted(**COMMON, person="U1", community=5), "community"),  # type: ignore[arg-type]
        (PersonSeen(**COMMON, person="U1", display_name=["x"]), "display_name"),  # type: ignore[arg-type]
        (PersonSeen(**COMMON, person="U1", is_bot="yes"), "is_bot"),  # type: ignore[arg-type]
        (CommunityCreated(**COMMON | {"workspace": ""}, community="C1", name="x"), "workspace"),
        (CommunityCreated(**COMMON | {"occurred_at": 0}, community="C", name="x"), "occurred_at"),
        (PersonSeen(**COMMON, person="U" * 129), "person"),
        (MessagePosted(**COMMON | {"workspace": "T" * 65}, person="U", community="C"), "workspace"),
        (MessagePosted(**COMMON, person="U1", community="C" * 129), "community"),
        (ReactionAdded(**COMMON, person="U1", community="C1", receiver="U" * 129), "receiver"),
    ],
    ids=["empty-person", "empty-community", "community-a-number", "name-a-list", "flag-a-string",
         "empty-workspace", "moment-a-number", "person-too-long", "workspace-too-long",
         "community-too-long", "receiver-too-long"],
)  # fmt: skip
def test_a_mistyped_field_or_an_empty_id_is_named(event: Any, field: str) -> None:
    assert malformed_field(event) == field


def test_the_longest_identifiers_are_what_the_inbox_stores() -> None:
    columns = INBOX_EVENT.c  # type: ignore[attr-defined]
    stored = {"workspace": "workspace", "person": "person", "community": "community",
              "receiver": "target_person"}  # fmt: skip
    assert {field: columns[column].type.length for field, column in stored.items()} == (
        LONGEST_IDENTIFIER
    )
    longest = MessagePosted(**COMMON | {"workspace": "T" * 64}, person="U" * 128, community="C1")
    assert malformed_field(longest) is None
