"""Turning figures into words: suppressed values, shares, changes."""

from __future__ import annotations

from bot.i18n import Translator
from bot.metrics import Suppressed


def figure(t: Translator, value: int | float | Suppressed) -> str:
    if isinstance(value, Suppressed):
        return hidden(t, value)
    return t.number(value)


def share(t: Translator, value: float | Suppressed) -> str:
    if isinstance(value, Suppressed):
        return hidden(t, value)
    return t.percent(value)


def hidden(t: Translator, value: Suppressed) -> str:
    if value.complementary:
        return t("figure.withheld", minimum=value.minimum)
    return t("figure.suppressed", minimum=value.minimum)


def change(t: Translator, value: float) -> str:
    sign = "+" if value > 0 else ""
    return sign + t.percent(value)
