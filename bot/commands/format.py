"""Turning figures into words: suppressed values, shares, changes."""

from __future__ import annotations

from bot.i18n import Translator
from bot.metrics import Suppressed


def figure(t: Translator, value: int | float | Suppressed) -> str:
    if isinstance(value, Suppressed):
        return hidden(t, value)
    return t.number(value)


def rhythm_word(t: Translator, rhythm: str) -> str:
    """The rhythm's word (see `bot.metrics.definitions.rhythm`), the same on every card; `new`
    for anything else (a reason stored before a word was renamed)."""
    if rhythm in ("steady", "intermittent", "dormant"):
        return t(f"rhythm.{rhythm}")
    return t("promises.rhythm_new")


def share(t: Translator, value: float | Suppressed) -> str:
    if isinstance(value, Suppressed):
        return hidden(t, value)
    return t.percent(value)


def hidden(t: Translator, value: Suppressed) -> str:
    if value.complementary:
        return t("figure.withheld", minimum=value.minimum)
    return t("figure.suppressed", minimum=value.minimum)


def community_name(t: Translator, name: str | None, external_id: str) -> str:
    """A community's name, or its id marked as not yet named (before the first roster sync)."""
    return name or t("roster.name_unknown", id=external_id)


def change(t: Translator, value: float) -> str:
    sign = "+" if value > 0 else ""
    return sign + t.percent(value)
