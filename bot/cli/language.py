"""The CLI in the operator's language: help texts and panel titles from the i18n catalogue.

Typer reads help texts at import time, before any setting is known, so the catalogue holds
them and `localise` puts them on the command tree just before it runs:

- a command's help under `cli.command.<path>`, where <path> is its words after `engage`
  joined by dots (`stats`, `db.upgrade`, `run-job`; `engage` itself for the root);
- an option's or argument's under `cli.option.<path>.<parameter>`, <parameter> being its
  Python name (`as_of` for `--as-of`), else under `cli.option.<parameter>`, shared by every
  command (`workspace`, `as_of`, `as_json`, …).

A command or option without a key keeps the English help written in its code. Messages and
table headings take `Translator(settings.operator_language)`; `EngageError.of(key, …)` is
told in the operator's language by `engage`'s error handler, and a `Told` summary by `tell`.
"""

from __future__ import annotations

import os
from typing import Any

import typer.core

from bot.errors import EngageError
from bot.i18n import Language, Translator, catalog
from bot.settings import load_settings, locale_language

PANELS = {"Arguments": "cli.panel.arguments", "Options": "cli.panel.options"}


def operator_translator() -> Translator:
    """For commands that print before (or without) loading their own settings."""
    return Translator(operator_language())


def operator_language() -> Language:
    """ENGAGE_LANGUAGE (environment or .env), else the process locale, else English."""
    try:
        return load_settings().operator_language
    except EngageError:  # told in the language asked for, if that setting is not the culprit
        asked = os.environ.get("ENGAGE_LANGUAGE", "").strip().lower()
        return "fr" if asked == "fr" else "en" if asked == "en" else locale_language()


def localise(command: Any, t: Translator, path: str = "") -> None:
    """Put the catalogue's help texts in `t`'s language on `command` and its subcommands."""
    where = path or "engage"
    if (text := _text(t, f"cli.command.{where}")) is not None:
        command.help, command.short_help = text, None
    help_option = command.get_help_option(command.context_class(command))
    for param in [*command.params, *([help_option] if help_option else [])]:
        keys = (
            ("cli.option.help",)
            if param is help_option
            else (f"cli.option.{where}.{param.name}", f"cli.option.{param.name}")
        )
        if (text := next(filter(None, (_text(t, key) for key in keys)), None)) is not None:
            param.help = text
        if not isinstance(getattr(param, "rich_help_panel", None), str):
            kind = "Arguments" if isinstance(param, typer.core.TyperArgument) else "Options"
            param.rich_help_panel = t(PANELS[kind])
    for name, sub in getattr(command, "commands", {}).items():
        if not isinstance(getattr(sub, "rich_help_panel", None), str):
            sub.rich_help_panel = t("cli.panel.commands")
        localise(sub, t, f"{path}.{name}" if path else name)


def _text(t: Translator, key: str) -> str | None:
    return t(key) if key in catalog("en") else None
