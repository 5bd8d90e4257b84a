"""What a campaign is, once validated: plain values, independent of where they were typed."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Literal

AudienceKind = Literal["everyone", "members", "active", "department"]
AUDIENCE_KINDS: tuple[AudienceKind, ...] = ("everyone", "members", "active", "department")
STATES = ("draft", "active", "paused", "ended")
# verb -> (states it may leave, state it reaches)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "activate": (frozenset({"draft"}), "active"),
    "pause": (frozenset({"active"}), "paused"),
    "resume": (frozenset({"paused"}), "active"),
    "end": (frozenset({"draft", "active", "paused"}), "ended"),
}
DEFAULT_BOOST = 2.0
MIN_BOOST, MAX_BOOST = 1.0, 5.0
PITCH_MAX = 500
NAME_MAX = 64


@dataclass(frozen=True)
class Audience:
    """Who a campaign speaks to: everyone who accepts suggestions, members of or people
    active in some communities (internal ids), or one department."""

    kind: AudienceKind
    communities: tuple[int, ...] = ()
    department: str | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.kind in ("members", "active"):
            data["communities"] = list(self.communities)
        if self.kind == "department":
            data["department"] = self.department
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        kind = data.get("kind", "everyone")
        assert kind in AUDIENCE_KINDS, kind
        return cls(kind, tuple(data.get("communities", ())), data.get("department"))


@dataclass(frozen=True)
class CampaignSpec:
    community_id: int
    name: str
    pitch: dict[str, str]
    audience: Audience
    starts_on: date
    ends_on: date
    max_sends: int | None
    boost: float

    def columns(self) -> dict[str, Any]:
        """The Campaign row's values; dates are stored as midnight UTC, both days included."""
        return {
            "community_id": self.community_id,
            "name": self.name,
            "pitch": dict(self.pitch),
            "audience": self.audience.as_json(),
            "starts_at": midnight(self.starts_on),
            "ends_at": midnight(self.ends_on),
            "max_sends": self.max_sends,
            "boost": self.boost,
        }


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with what was typed: the field, a catalog key and its values."""

    field: str
    key: str
    values: dict[str, object] = dataclasses.field(default_factory=dict)


class CampaignError(Exception):
    """Nothing was saved: every problem found is listed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(", ".join(f"{p.field}: {p.key}" for p in problems))
        self.problems = problems
