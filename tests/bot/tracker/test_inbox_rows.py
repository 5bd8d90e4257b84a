"""Inbox rows hold only text that every database stores."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.events import CommunityRenamed
from bot.tracker.inbox import event_to_row, storable


def test_nul_and_lone_surrogates_leave_every_string_keys_included() -> None:
    nested = {"na\u0000me": ["gen\u0000eral", ("\ud83d\ude00\udfff",)], "n": 1, "b": None}
    assert storable(nested) == {"name": ["general", ["\U0001f600"]], "n": 1, "b": None}


def test_every_column_and_attribute_of_a_row_is_cleaned() -> None:
    renamed = CommunityRenamed(
        platform="slack",
        workspace="T\u00001",
        key="Ev\u00001",
        occurred_at=datetime(2026, 3, 2, tzinfo=UTC),
        community="C\ud8001",
        name="caf\u00e9\u0000",
    )
    row = event_to_row(renamed)
    assert (row["workspace"], row["event_key"], row["community"]) == ("T1", "Ev1", "C1")
    assert row["attrs"] == {"name": "caf\u00e9"}
