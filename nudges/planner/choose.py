"""Choosing one community per person from the recommender's ranking, and what to show."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.i18n import Language


class Ranked(Protocol):
    """What the planner needs from a recommendation (`nudges.recommend.Suggestion`)."""

    @property
    def community(self) -> int: ...

    @property
    def score(self) -> float: ...

    @property
    def sentence(self) -> Mapping[Language, str]: ...

    def reasons_data(self) -> list[dict[str, Any]]: ...


@dataclass(frozen=True, slots=True)
class Pick:
    person_id: int
    community_id: int
    score: float
    reasons: list[dict[str, Any]]
    sentence: Mapping[Language, str]

    @property
    def rhythm(self) -> tuple[str, int] | None:
        """(label, active weeks of the last 12) from the `rhythm` reason, when given."""
        for reason in self.reasons:
            if reason.get("code") == "rhythm" and isinstance(reason.get("value"), str):
                return str(reason["value"]), int(reason.get("active_weeks", 0))
        return None


def pick(person_id: int, ranked: Sequence[Ranked], excluded: set[int]) -> Pick | None:
    """The best community not excluded (recently suggested, hidden, joined since)."""
    for item in ranked:
        if item.community not in excluded:
            return Pick(person_id, item.community, item.score, item.reasons_data(), item.sentence)
    return None
