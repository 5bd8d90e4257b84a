"""Community references as people type them: #name, <#C123|name>, <#C123>, C123 or name.

A private community is found only by those who may see it (`may_see`); anyone else gets
the very answer an unknown name gets, so a reply never tells that it exists.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection

from sqlmodel import Session, func, select

from bot.animators.audit import Actor
from bot.animators.roles import may_see
from bot.commands.context import CommandError, Context
from bot.storage.models import Community

SLACK_MENTION = re.compile(r"^<#(?P<id>[A-Z0-9]+)(?:\|(?P<name>[^>]*))?>$")


def parse_reference(text: str) -> tuple[str | None, str | None]:
    """(external id, name) from what the person typed."""
    if match := SLACK_MENTION.match(text.strip()):
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
