"""`suggest`: one suggestion now, on request — still within the person's weekly budget."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlmodel import Session

from bot.cards import Card, Paragraph
from bot.commands import Context
from bot.storage.models import Suggestion
from nudges.cards import suggestion_card
from nudges.planner.context import WorkspaceContext, load_context
from nudges.planner.job import Pick, pick, snapshot_cache
from nudges.planner.write import suggested
from nudges.policy.budget import SlotClaim, claim_slots, holder_of, period_of
from nudges.policy.rules import Standing, Verdict, decide_on_request, weekly_allowance
from nudges.policy.standing import load_recipients
from nudges.recommend import Snapshot, recommend


async def suggest_command(context: Context, _args: list[str]) -> Card:
    services = context.services
    now = services.clock()
    t = context.t
    verdict, standing = await _verdict(context, now)
    allowance = weekly_allowance(standing, services.settings.max_per_week) if standing else 0
    if verdict is None or standing is None or allowance == 0:
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
    period = period_of(standing.schedule, now)
    suggestion_id = await services.database.write(
        lambda session: _record(session, chosen, workspace, now, (period, allowance))
    )
    if suggestion_id is None:  # a planning pass took the week's last slot meanwhile
        return Card((Paragraph(t("command.suggest.weekly_cap", count=allowance)),))
    community = workspace.communities[chosen.community_id]
    pitch = workspace.campaign_pitch(context.person_id, chosen.community_id)
    return suggestion_card(t, suggested(chosen, suggestion_id, community, t.language, pitch))


async def _verdict(context: Context, now: datetime) -> tuple[Verdict | None, Standing | None]:
    """The policy's answer and the person's standing; None for someone who cannot receive
    suggestions (a bot, gone)."""
    recipients = await context.services.database.read(
        lambda session: load_recipients(
            session, now, started_only=False, person_ids=[context.person_id]
        )
    )
    if not recipients:
        return None, None
    standing = recipients[0].standing
    return decide_on_request(standing, now, cap=context.services.settings.max_per_week), standing


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


def _record(
    session: Session,
    chosen: Pick,
    workspace: WorkspaceContext,
    now: datetime,
    budget: tuple[str, int],
) -> int | None:
    """The suggestion, sent now, in a slot of the person's budget; None if none is left."""
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
    period, allowance = budget
    claim = SlotClaim(row.id, holder_of(session, row.person_id), period, allowance)
    if row.id in claim_slots(session, [claim]):
        return row.id
    session.delete(row)
    return None
