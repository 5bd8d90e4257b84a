"""Why a community is suggested: machine-readable reasons and a sentence in each language.

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
