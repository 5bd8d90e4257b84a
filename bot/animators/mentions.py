"""People as they are typed in a command: <@U123>, <@U123|name>, @U123, U123 or @Display Name."""

from __future__ import annotations

import re

from sqlalchemy import func
from sqlmodel import Session, select

from bot.commands.context import CommandError
from bot.storage.models import Person

SLACK_MENTION = re.compile(r"^<@(?P<id>[A-Z0-9]+)(?:\|(?P<name>[^>]*))?>$")
TEAMS_MENTION = re.compile(r"^<at>(?P<name>[^<]*)</at>$")


def find_person(session: Session, workspace_id: int, text: str) -> Person:
    """The one living person the text names, by platform id first, then by display name."""
    typed = text.strip()
    external: str | None = None
    name: str | None = None
    if match := SLACK_MENTION.match(typed):
        external, name = match["id"], match["name"]
    elif match := TEAMS_MENTION.match(typed):
        name = match["name"]
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
