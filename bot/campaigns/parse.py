"""Raw values (a form, a chat line, a YAML entry, CLI options) -> a validated CampaignSpec.

Every problem is collected, so the person fixes them all at once. Field names are the
form's: community, name, pitch_en, pitch_fr, audience, audience_communities, department,
starts, ends, max_sends, boost.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import cast

from sqlmodel import Session

from bot.animators.audit import Actor
from bot.campaigns.fields import Values, boost_of, day_of, department_of, max_sends_of, text
from bot.campaigns.spec import (
    AUDIENCE_KINDS,
    NAME_MAX,
    PITCH_MAX,
    Audience,
    AudienceKind,
    CampaignError,
    CampaignSpec,
    Problem,
)
from bot.commands import CommandError
from bot.commands.lookup import find_community
from bot.storage.models import Community


def resolve_community(
    session: Session,
    admins: Collection[str],
    actor: Actor,
    typed: str,
    field: str,
    problems: list[Problem],
) -> Community | None:
    if not typed:
        problems.append(Problem(field, "campaign.problem.required"))
        return None
    try:
        return find_community(session, actor, typed, admins)
    except CommandError as missing:
        problems.append(Problem(field, missing.key, dict(missing.values)))
        return None


def parse_campaign(
    session: Session,
    admins: Collection[str],
    actor: Actor,
    values: Values,
    community: Community,
    today: date,
) -> CampaignSpec:
    """Validate every field but the community (resolved and role-checked by the caller)."""
    problems: list[Problem] = []
    if community.is_private or community.is_archived:
        problems.append(
            Problem("community", "campaign.problem.not_public", {"name": community.name})
        )
    name = text(values, "name")
    if not name:
        problems.append(Problem("name", "campaign.problem.required"))
    elif len(name) > NAME_MAX or name.isdigit():
        problems.append(Problem("name", "campaign.problem.bad_name", {"most": NAME_MAX}))
    pitch = {lang: text(values, f"pitch_{lang}") for lang in ("en", "fr")}
    pitch = {lang: words for lang, words in pitch.items() if words}
    if not pitch:
        problems.append(Problem("pitch", "campaign.problem.empty_pitch"))
    for lang, words in pitch.items():
        if len(words) > PITCH_MAX:
            problems.append(
                Problem(f"pitch_{lang}", "campaign.problem.long_pitch", {"most": PITCH_MAX})
            )
    audience = _audience(session, admins, actor, values, problems)
    starts = day_of(values, "starts", today, problems)
    ends = day_of(values, "ends", None, problems)
    if starts and ends and ends < starts:
        problems.append(
            Problem("ends", "campaign.problem.end_before_start", {"start": starts, "end": ends})
        )
    max_sends = max_sends_of(values, problems)
    boost = boost_of(values, problems)
    if problems:
        raise CampaignError(problems)
    assert audience
    assert starts
    assert ends
    assert community.id is not None
    return CampaignSpec(community.id, name, pitch, audience, starts, ends, max_sends, boost)


def _audience(
    session: Session,
    admins: Collection[str],
    actor: Actor,
    values: Values,
    problems: list[Problem],
) -> Audience | None:
    kind = text(values, "audience").lower() or "everyone"
    if kind not in AUDIENCE_KINDS:
        problems.append(
            Problem(
                "audience", "campaign.problem.bad_audience", {"kinds": ", ".join(AUDIENCE_KINDS)}
            )
        )
        return None
    if kind == "everyone":
        return Audience("everyone")
    if kind == "department":
        department = department_of(
            session, actor.workspace_id, text(values, "department"), problems
        )
        return Audience("department", department=department) if department else None
    typed = values.get("audience_communities")
    names = typed if isinstance(typed, list | tuple) else str(typed or "").replace(",", " ").split()
    if not names:
        problems.append(Problem("audience_communities", "campaign.problem.required"))
        return None
    found = [
        resolve_community(session, admins, actor, str(name), "audience_communities", problems)
        for name in names
    ]
    if any(community is None for community in found):
        return None
    ids = tuple(sorted({c.id for c in found if c is not None and c.id is not None}))
    return Audience(cast(AudienceKind, kind), communities=ids)
