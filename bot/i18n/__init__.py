"""One message catalog for every text a person sees, in English and French.

Catalogs are TOML files beside this module (`en.toml`, `fr.toml`), one key per message,
formatted with `str.format`; numbers and percentages are formatted by Babel per language.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Literal

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

Language = Literal["en", "fr"]
LANGUAGES: tuple[Language, ...] = ("en", "fr")
CATALOGS = Path(__file__).parent


@cache
def catalog(language: Language) -> dict[str, str]:
    with (CATALOGS / f"{language}.toml").open("rb") as handle:
        return _flatten(tomllib.load(handle))


def _flatten(tree: dict[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


def language_for(locale: str | None, default: Language = "en") -> Language:
    """`fr-FR`, `fr_CA`, `fr` -> fr; any other known locale -> en; unknown -> default."""
    if not locale:
        return default
    head = locale.replace("_", "-").split("-")[0].lower()
    return "fr" if head == "fr" else "en" if head else default


class Translator:
    def __init__(self, language: Language) -> None:
        self.language = language

    def __call__(self, key: str, **values: object) -> str:
        text = catalog(self.language).get(key) or catalog("en")[key]
        return text.format(**values) if values else text

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.language)

    def percent(self, value: float) -> str:
        return format_percent(value, locale=self.language)

    def date(self, day: date) -> str:
        """Per the catalogue's `format.date`: ISO in English, `31 mars 2026` in French."""
        return format_date(day, self("format.date"), locale=self.language)

    def moment(self, when: datetime, pattern: str = "format.moment") -> str:
        """Day and time per the catalogue's `pattern` key (`format.moment` adds the weekday)."""
        return format_datetime(when, self(pattern), locale=self.language)


class Told(str):
    """English text that keeps its catalogue key and values, so that it can be told again in
    another language (`tell`): job summaries are logged in English and printed to the
    operator in theirs. Values may be Told themselves."""

    key: str
    values: dict[str, object]

    def __new__(cls, key: str, **values: object) -> Told:
        told = super().__new__(cls, Translator("en")(key, **values))
        told.key, told.values = key, values
        return told


def tell(text: str, t: Translator) -> str:
    """`text` in `t`'s language if it is Told, else as it is."""
    if not isinstance(text, Told):
        return text
    return t(
        text.key,
        **{name: tell(v, t) if isinstance(v, str) else v for name, v in text.values.items()},
    )
