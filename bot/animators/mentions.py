"""People as they are typed in a command: a mention (which the adapters turn into the neutral
token `<person:ID|Name>`), @U123, U123 or @Display Name."""

from __future__ import annotations

import re

from sqlalchemy import func
from sqlmodel import Session, select

from bot.commands.context import CommandError
from bot.storage.models import Person

PERSON_TOKEN = re.compile(r"^<person:(?P<id>[^|>]*)(?:\|(?P<name>[^>]*))?>$")


def person_token(external_id: str, name: str = "") -> str:
    """What an adapter puts where a person was mentioned: their platform id, and the name
    shown in the mention (to find them by name when the id is not the one Engage keeps)."""
    clean = name.replace(">", "").replace("|", "").strip()
    return f"<person:{external_id}|{clean}>" if clean else f"<person:{external_id}>"


def names_a_person(text: str) -> bool:
    """A mention token or an @name: the command is about a person, not a community."""
    typed = text.strip()
    return bool(PERSON_TOKEN.match(typed)) or typed.startswith("@")


def find_person(session: Session, workspace_id: int, text: str) -> Person:
    """The one living person the text names, by platform id first, then by display name."""
    typed = text.strip()
    external: str | None = None
    name: str | None = None
    if match := PERSON_TOKEN.match(typed):
        external, name = match["id"], match["name"]
    else:
        external = name = typed.lstrip("@")
    living = select(Person).where(
        Person.workspace_id == workspace_id,
        Person.deleted.is_(False),  # type: ignore[attr-defined]
        Person.is_bot.is_(False),  # type: ignore[attr-defined]
    )
    if external:
        found = session.exec(living.where(Person.external_id == external)).first()
        if found is not None:
            return found
    if name:
        by_name = list(
            session.exec(
                living.where(func.lower(Person.display_name) == name.strip().lower()).limit(2)
            )
        )
        if len(by_name) == 1:
            return by_name[0]
        if by_name:
            raise CommandError("animators.ambiguous_person", name=name)
    raise CommandError("animators.unknown_person", name=name or typed)
