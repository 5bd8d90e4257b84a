"""Community references as people type them: #name, <#C123|name>, <#C123>, C123 or name."""

from __future__ import annotations

import difflib
import re

from sqlmodel import Session, func, select

from bot.commands.context import CommandError
from bot.storage.models import Community

SLACK_MENTION = re.compile(r"^<#(?P<id>[A-Z0-9]+)(?:\|(?P<name>[^>]*))?>$")


def parse_reference(text: str) -> tuple[str | None, str | None]:
    """(external id, name) from what the person typed."""
    if match := SLACK_MENTION.match(text.strip()):
        return match["id"], match["name"] or None
    cleaned = text.strip().lstrip("#")
    return None, cleaned


def find_community(session: Session, workspace_id: int, text: str) -> Community:
    external, name = parse_reference(text)
    in_workspace = select(Community).where(
        Community.workspace_id == workspace_id,
        Community.is_deleted.is_(False),  # type: ignore[attr-defined]
    )
    for candidate in (external, name):
        if not candidate:
            continue
        by_id = session.exec(in_workspace.where(Community.external_id == candidate)).first()
        if by_id is not None:
            return by_id
        by_name = session.exec(
            in_workspace.where(func.lower(Community.name) == candidate.lower())
        ).first()
        if by_name is not None:
            return by_name
    shown = name or external or text
    names = [c.name for c in session.exec(in_workspace) if c.name and not c.is_private]
    close = difflib.get_close_matches(shown, names, n=3, cutoff=0.5)
    if close:
        raise CommandError(
            "command.stats.unknown_close", name=shown, close=", ".join(f"#{c}" for c in close)
        )
    raise CommandError("command.stats.unknown", name=shown)
