"""`suggest`: one suggestion now, on request — still within the person's weekly budget."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlmodel import Session

from bot.cards import Card, Paragraph
from bot.commands import Context
from bot.storage.models import Suggestion
from nudges.cards.suggestion import suggestion_card
from nudges.planner.cache import snapshot_cache
from nudges.planner.choose import Pick, pick
from nudges.planner.context import WorkspaceContext, load_context
from nudges.planner.messages import suggested
from nudges.policy.rules import Verdict, decide_on_request, weekly_allowance
from nudges.policy.standing import load_recipients
from nudges.recommend import Snapshot, recommend


async def suggest_command(context: Context, _args: list[str]) -> Card:
    services = context.services
    now = services.clock()
    t = context.t
    verdict, allowance = await _verdict(context, now)
    if verdict is None or allowance == 0:
        return Card((Paragraph(t("command.suggest.none_allowed")),))
    if verdict is not Verdict.SUGGEST:
        return Card((Paragraph(t(f"command.suggest.{verdict.value}", count=allowance)),))
    snapshot = await snapshot_cache(services).get(services, context.workspace_id, now)
    workspace = await services.database.read(
        lambda session: load_context(
            session,
            context.workspace_id,
            [context.person_id],
            now,
            consent_mode=services.settings.consent_mode,
            ranked_as_of=snapshot.as_of,
        )
    )
    thresholds = (services.settings.social_proof_min, services.settings.min_group_size)
    chosen = await asyncio.to_thread(_choose, snapshot, context.person_id, workspace, thresholds)
    if chosen is None:
        return Card((Paragraph(t("command.suggest.none")),))
    suggestion_id = await services.database.write(
        lambda session: _record(session, chosen, workspace, now)
    )
    community = workspace.communities[chosen.community_id]
    return suggestion_card(t, suggested(chosen, suggestion_id, community, t.language))


async def _verdict(context: Context, now: datetime) -> tuple[Verdict | None, int]:
    """The policy's answer; None for someone who cannot receive suggestions (a bot, gone)."""
    recipients = await context.services.database.read(
        lambda session: load_recipients(
            session, now, started_only=False, person_ids=[context.person_id]
        )
    )
    if not recipients:
        return None, 0
    cap = context.services.settings.max_per_week
    standing = recipients[0].standing
    return decide_on_request(standing, now, cap=cap), weekly_allowance(standing, cap)


def _choose(
    snapshot: Snapshot, person_id: int, workspace: WorkspaceContext, thresholds: tuple[int, int]
) -> Pick | None:
    social_proof_min, min_group_size = thresholds
    excluded = workspace.excluded.get(person_id, set())
    limit = 1 + len(excluded)
    ranked = recommend(
        snapshot,
        person_id,
        snapshot.as_of,
        limit,
        workspace.boosts_for(person_id),
        social_proof_min=social_proof_min,
        min_group_size=min_group_size,
    )
    return pick(person_id, ranked, excluded)


def _record(session: Session, chosen: Pick, workspace: WorkspaceContext, now: datetime) -> int:
    row = Suggestion(
        person_id=chosen.person_id,
        community_id=chosen.community_id,
        campaign_id=workspace.campaign_for(chosen.person_id, chosen.community_id),
        score=chosen.score,
        reasons=chosen.reasons,
        state="sent",
        planned_at=now,
        sent_at=now,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id
