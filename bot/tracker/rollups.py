"""Daily rollup deltas, accumulated in memory and written with one upsert per batch."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlmodel import Session

from bot.storage.bulk import insert_many
from bot.storage.models import DailyActivity
from bot.storage.tables import DAILY_ACTIVITY

COUNTS = ("posts", "replies", "reactions_given", "reactions_received", "joins", "leaves")
COLUMN_INDEX = {name: index for index, name in enumerate(COUNTS)}
Key = tuple[date, int, int]
KEY_COLUMNS = ("day", "community_id", "person_id")
ADD_COUNTS = ", ".join(f"{name} = daily_activity.{name} + excluded.{name}" for name in COUNTS)


class RollupDeltas:
    def __init__(self) -> None:
        self._deltas: defaultdict[Key, list[int]] = defaultdict(lambda: [0] * len(COUNTS))

    def add(self, day: date, community: int, person: int, column: str, step: int = 1) -> None:
        self._deltas[(day, community, person)][COLUMN_INDEX[column]] += step

    def items(self) -> list[tuple[Key, list[int]]]:
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


def _row(key: Key, counts: list[int]) -> dict[str, Any]:
    day, community, person = key
    return {
        "day": day,
        "community_id": community,
        "person_id": person,
        **dict(zip(COUNTS, counts, strict=True)),
    }
