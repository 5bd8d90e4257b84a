"""Turning figures into words: suppressed values, shares, changes."""

from __future__ import annotations

from bot.i18n import Translator
from bot.metrics import Suppressed


def figure(t: Translator, value: int | float | Suppressed) -> str:
    if isinstance(value, Suppressed):
        return t("figure.suppressed", minimum=value.minimum)
    return t.number(value)


def share(t: Translator, value: float | Suppressed) -> str:
    if isinstance(value, Suppressed):
        return t("figure.suppressed", minimum=value.minimum)
    return t.percent(value)


def community_name(t: Translator, name: str | None, external_id: str) -> str:
    """A community's name, or its id marked as not yet named (before the first roster sync)."""
    return name or t("roster.name_unknown", id=external_id)


def change(t: Translator, value: float) -> str:
    sign = "+" if value > 0 else ""
    return sign + t.percent(value)
