"""What a click or a typed command points at: a community, and maybe the suggestion shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.commands import CommandError, Context
from bot.commands.lookup import community_for
from bot.storage.models import Community, Suggestion

ATTRIBUTION = timedelta(days=90)
VOID = ("failed", "cancelled")


@dataclass(frozen=True)
class Target:
    reference: str
    suggestion_id: int | None


def parse_target(args: list[str], command: str) -> Target:
    """`<community words> [--suggestion N]`."""
    words, suggestion_id = list(args), None
    if "--suggestion" in words:
        at = words.index("--suggestion")
        value = words[at + 1] if at + 1 < len(words) else ""
        del words[at : at + 2]
        suggestion_id = int(value) if value.isdigit() else None
    if not words:
        raise CommandError(f"command.{command}.which")
    return Target(" ".join(words), suggestion_id)


def public_community(session: Session, context: Context, reference: str) -> Community:
    """The community named, if the person may see it (private ones only by their members)."""
    return community_for(session, context, reference)


def suggestion_for(
    session: Session, person_id: int, community_id: int, target: Target, now: datetime
) -> Suggestion | None:
    """The suggestion this answer belongs to: the one clicked, else the latest recent one."""
    if target.suggestion_id is not None:
        clicked = session.get(Suggestion, target.suggestion_id)
        owned = clicked is not None and clicked.person_id == person_id
        if owned and clicked is not None and clicked.community_id == community_id:
            return clicked
    query = (
        select(Suggestion)
        .where(
            Suggestion.person_id == person_id,
            Suggestion.community_id == community_id,
            col(Suggestion.state).not_in(VOID),
            Suggestion.planned_at >= now - ATTRIBUTION,
        )
        .order_by(col(Suggestion.planned_at).desc())
    )
    return session.exec(query).first()


def name_of(community: Community) -> str:
    return community.name or community.external_id
