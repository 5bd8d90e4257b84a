"""Every message exists in English and French, and every key the code names exists."""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path

from bot.commands import plain_word
from bot.i18n import LANGUAGES, Translator, catalog, language_for

ROOT = Path(__file__).resolve().parents[3]
KEY = re.compile(r"""(?:\bt|\.of|\)|\bt\.moment\(.+?,)\(?\s*["']([a-z_]+(?:\.[a-z0-9_]+)+)["']""")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    english, french = catalog("en"), catalog("fr")
    assert set(english) == set(french), set(english) ^ set(french)
    for key, text in english.items():
        assert placeholders(text) == placeholders(french[key]), key
        assert text.strip(), key
        assert french[key].strip(), key


def test_every_key_named_in_the_code_exists() -> None:
    sources = [
        path for package in ("bot", "nudges", "adapters") for path in (ROOT / package).rglob("*.py")
    ]
    named = {key for path in sources for key in KEY.findall(path.read_text())}
    assert named, "the scan found no keys"
    for language in LANGUAGES:
        missing = named - set(catalog(language))
        assert not missing, f"{language}: {sorted(missing)}"


def test_language_from_locale() -> None:
    assert language_for("fr-FR") == "fr"
    assert language_for("fr_CA") == "fr"
    assert language_for("en-GB") == "en"
    assert language_for(None, "fr") == "fr"


def test_numbers_follow_the_language() -> None:
    assert Translator("en").percent(0.5) == "50%"
    assert Translator("fr").percent(0.5) == "50\u00a0%"


def test_each_command_word_calls_one_command_in_every_language() -> None:
    words: dict[str, str] = {}
    for language in LANGUAGES:
        for key, word in catalog(language).items():
            if key.startswith("command_words."):
                name = key.removeprefix("command_words.")
                assert words.setdefault(plain_word(word), name) == name, (language, word)
                assert word == word.strip().lower(), word
                assert " " not in word, word
    assert words["arreter"] == "stop"
    assert words["preferences"] == "settings"


def test_dates_follow_the_language() -> None:
    assert Translator("en").date(date(2026, 3, 31)) == "2026-03-31"
    assert Translator("fr").date(date(2026, 3, 31)) == "31 mars 2026"
