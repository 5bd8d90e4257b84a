"""Communities and people as they are typed in a command.

Adapters turn platform mentions into neutral tokens: a community `<community:ID|name>`, a
person `<person:ID|Name>`; this module parses only those, plus what people type by hand:
#name, C123 or name for a community; @U123, U123 or @Display Name for a person.

A private community is found only by those who may see it (`may_see`); anyone else gets
the very answer an unknown name gets, so a reply never tells that it exists.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection

from sqlmodel import Session, func, select

from bot.animators.roles import Actor, may_see
from bot.commands import CommandError, Context
from bot.storage.models import Community, Person

COMMUNITY_TOKEN = re.compile(r"^<community:(?P<id>[^|>]*)(?:\|(?P<name>[^>]*))?>$")
PERSON_TOKEN = re.compile(r"^<person:(?P<id>[^|>]*)(?:\|(?P<name>[^>]*))?>$")


def community_token(external_id: str, name: str = "") -> str:
    """What an adapter puts where a community was mentioned: its platform id, and the name
    shown in the mention."""
    return _token("community", external_id, name)


def person_token(external_id: str, name: str = "") -> str:
    """What an adapter puts where a person was mentioned: their platform id, and the name
    shown in the mention (to find them by name when the id is not the one Engage keeps)."""
    return _token("person", external_id, name)


def _token(kind: str, external_id: str, name: str) -> str:
    clean = name.replace(">", "").replace("|", "").strip()
    return f"<{kind}:{external_id}|{clean}>" if clean else f"<{kind}:{external_id}>"


def parse_reference(text: str) -> tuple[str | None, str | None]:
    """(external id, name) from what the person typed."""
    if match := COMMUNITY_TOKEN.match(text.strip()):
        return match["id"], match["name"] or None
    cleaned = text.strip().lstrip("#")
    return None, cleaned


def find_community(
    session: Session, actor: Actor, text: str, admins: Collection[str] = ()
) -> Community:
    """The community `text` names in the actor's workspace, as the actor may see it."""
    external, name = parse_reference(text)
    in_workspace = select(Community).where(
        Community.workspace_id == actor.workspace_id,
        Community.is_deleted.is_(False),  # type: ignore[attr-defined]
    )
    for candidate in (external, name):
        if not candidate:
            continue
        by_id = in_workspace.where(Community.external_id == candidate)
        by_name = in_workspace.where(func.lower(Community.name) == candidate.lower())
        for query in (by_id, by_name):
            for community in session.exec(query):
                if may_see(session, admins, actor, community):
                    return community
    shown = name or external or text
    names = [c.name for c in session.exec(in_workspace) if c.name and not c.is_private]
    close = difflib.get_close_matches(shown, names, n=3, cutoff=0.5)
    if close:
        raise CommandError(
            "command.stats.unknown_close", name=shown, close=", ".join(f"#{c}" for c in close)
        )
    raise CommandError("command.stats.unknown", name=shown)


def community_for(session: Session, context: Context, text: str) -> Community:
    """The community `text` names, as the person asking in chat may see it."""
    actor = Actor(context.workspace_id, context.person_id, "chat")
    return find_community(session, actor, text, context.services.settings.admins)


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
