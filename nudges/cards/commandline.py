"""Buttons that carry a command line: a click runs it through the command router."""

from __future__ import annotations

import shlex
from typing import Literal

from bot.cards import Button
from bot.commands import COMMAND_ACTION
from bot.commands.lookup import person_token
from bot.i18n import Translator


def command_line(name: str, community: str | None = None, suggestion: int | None = None) -> str:
    words = [name]
    if community is not None:
        words.append(shlex.quote(community))
    if suggestion is not None:
        words += ["--suggestion", str(suggestion)]
    return " ".join(words)


def command_button(
    label: str,
    name: str,
    community: str | None = None,
    suggestion: int | None = None,
    style: Literal["primary", "danger"] | None = None,
) -> Button:
    return Button(label, COMMAND_ACTION, command_line(name, community, suggestion), style)


def follow_button(t: Translator, person: str, name: str) -> Button:
    """Follow a person who chose to be followable (the only place a name is shown)."""
    return command_button(
        t("follow_person.button", person=name), "follow", person_token(person, name)
    )
