"""Why a community is suggested: the reasons behind one suggestion, strongest first, and
a sentence in each language.

Reasons about people give counts only, and only from `social_proof_min` up; no reason
ever carries a name or an id of a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.numbers import get_group_symbol

from bot.i18n import LANGUAGES, Language, Translator
from nudges.recommend.model import Model

SENTENCE_REASONS = 2


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    count: int | None = None
    value: float | str | None = None
    extra: tuple[tuple[str, int], ...] = ()
    phrase: str = ""
    """The catalog entry of its sentence, when it is not the code."""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code}
        if self.count is not None:
            data["count"] = self.count
        if self.value is not None:
            data["value"] = self.value
        data.update(self.extra)
        return data

    def sentence(self, t: Translator) -> str:
        values = {name: _number(number, t.language) for name, number in self.extra}
        if self.count is not None:
            values["count"] = _number(self.count, t.language)
        return t(f"recommend.reason.{self.phrase or self.code}", **values)


CLOSER = 2.0
"""Walks from the person reach the community at least twice as often as from anyone."""
GROWING = 1.5
DEFAULT_MIN_GROUP_SIZE = 5


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the reasons of one suggestion depend on, and nothing more: equal evidence gives
    equal reasons, so that planning explains each distinct case once."""

    community: int
    boost: float
    similar: float | None
    """How much closer than anyone, rounded, when it is at least `CLOSER`."""
    colleagues_active: int
    """People the person is active beside who posted there in the last 28 days (0 below
    `social_proof_min`)."""
    members_you_know: int
    """Members who share a community with the person, crowded communities aside (0 below
    `social_proof_min`)."""
    personal: bool
    """The person's lift is at least the community's pull: of the score's two factors,
    closeness weighed more."""

    @classmethod
    def of(
        cls,
        community: int,
        lift: float,
        boost: float,
        colleagues_active: int,
        members_you_know: int,
        social_proof_min: int,
        pull: float,
    ) -> Evidence:
        closeness = lift - 1.0
        return cls(
            community,
            boost,
            round(closeness, 1) if closeness >= CLOSER else None,
            colleagues_active if colleagues_active >= social_proof_min else 0,
            members_you_know if members_you_know >= social_proof_min else 0,
            lift >= pull,
        )


def explain(
    model: Model,
    evidence: Evidence,
    social_proof_min: int,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> tuple[Reason, ...]:
    """What drove the score comes first (the sentence gives the first two): a campaign
    boost; then, of the score's two factors, the larger: the person's closeness (the
    people behind it, how much closer) or the community's pull (its members, and who
    just joined).
    Member counts and activity figures (momentum, rhythm) are given only for communities
    of at least `min_group_size` members, as in every stats view."""
    index = model.index
    community, boost = evidence.community, evidence.boost
    rhythm = index.rhythm[community]
    social: list[Reason] = []
    if evidence.colleagues_active >= social_proof_min:
        social.append(Reason("colleagues_active", count=evidence.colleagues_active))
    if evidence.members_you_know >= social_proof_min:
        social.append(Reason("members_you_know", count=evidence.members_you_know))
    members = len(index.members.get(community, ()))
    small = members < min_group_size
    pull = [Reason("members", phrase="popular.small")] if small else []
    if not small:
        pull.append(Reason("members", count=members, phrase="popular.members"))
    joined = index.recent_joins.get(community, 0)
    if joined >= social_proof_min:
        pull.append(Reason("joining", count=joined))
    reasons = [Reason("campaign", value=round(boost, 2))] if boost > 1.0 else []
    similar = [Reason("similar", value=evidence.similar)] if evidence.similar else []
    if evidence.personal:
        reasons += [*social, *similar, *pull]
    else:
        reasons += [*pull, *social, *similar]
    if small:
        return tuple(reasons)
    if rhythm.recent_messages > 0 and rhythm.momentum >= GROWING:
        extra = (("recent", rhythm.recent_messages), ("previous", rhythm.previous_messages))
        reasons.append(Reason("growing", value=round(rhythm.momentum, 2), extra=extra))
    weeks = (("active_weeks", rhythm.active_weeks), ("observed_weeks", rhythm.observed_weeks))
    reasons.append(Reason("rhythm", value=rhythm.label, extra=weeks, phrase=rhythm.label))
    return tuple(reasons)


def sentences(reasons: Sequence[Reason]) -> dict[Language, str]:
    """The first reasons as one short paragraph per language."""
    chosen = reasons[:SENTENCE_REASONS]
    return {
        language: " ".join(_sentence(reason, language) for reason in chosen)
        for language in LANGUAGES
    }


def _number(value: int, language: Language) -> str:
    """As `Translator.number`, for whole numbers without Babel's cost (counts of
    thousands of people, each its own number, in every suggestion planned)."""
    group = _group_symbol(language)
    if group is None or not isinstance(value, int):
        return Translator(language).number(value)
    return f"{value:,}".replace(",", group)


@lru_cache
def _group_symbol(language: Language) -> str | None:
    """The digit group separator, when the language groups digits by threes."""
    pattern = Locale.parse(language).decimal_formats.get(None)
    return get_group_symbol(language) if pattern and pattern.grouping == (3, 3) else None


@lru_cache(maxsize=1 << 16)
def _sentence(reason: Reason, language: Language) -> str:
    """One reason's sentence: planning a workspace repeats the same few thousand."""
    t = Translator(language)
    return t("recommend.sentence", reason=reason.sentence(t))
