"""Why a community is suggested: machine-readable reasons and a sentence in each language.

Reasons about people give counts only, and only from `social_proof_min` up; no reason
ever carries a name or an id of a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
        values = {name: t.number(number) for name, number in self.extra}
        if self.count is not None:
            values["count"] = t.number(self.count)
        return t(f"recommend.reason.{self.phrase or self.code}", **values)


def sentences(reasons: Sequence[Reason]) -> dict[Language, str]:
    """The first reasons as one short paragraph per language."""
    chosen = reasons[:SENTENCE_REASONS]
    result: dict[Language, str] = {}
    for language in LANGUAGES:
        t = Translator(language)
        result[language] = " ".join(t("recommend.sentence", reason=r.sentence(t)) for r in chosen)
    return result
