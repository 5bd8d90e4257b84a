"""The planner's writes: suggestion rows and outbox rows in one transaction per batch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import partial

from sqlmodel import Session, select

from bot.services import Services
from bot.settings import Settings
from bot.storage.models import Workspace
from nudges.planner.choose import Pick
from nudges.planner.context import WorkspaceContext
from nudges.planner.enqueue import (
    BATCH,
    drop_suggestions,
    insert_outbox,
    insert_outbox_text,
    insert_suggestions,
    outbox_row,
    outbox_text_row,
    suggestion_key,
)
from nudges.planner.messages import introduction_payload
from nudges.planner.payloads import SuggestionPayloads
from nudges.policy import weekly_allowance
from nudges.policy.budget import SlotClaim, claim_slots, period_of, release_slots
from nudges.policy.consent import INTRODUCTION_KIND, Recipient, introduction_key


def write_picks(
    session: Session,
    picks: Sequence[Pick],
    recipients: Mapping[int, Recipient],
    context: WorkspaceContext,
    settings: Settings,
    now: datetime,
    payloads: SuggestionPayloads | None = None,
) -> int:
    """Queue one suggestion per pick; return how many were new.

    A pick is dropped when its person has no budget slot left this week (another pass
    took it) or its key is already queued: the budget is claimed in this transaction,
    so it holds whatever another pass read or wrote meanwhile. `payloads` encodes the
    cards; sharing one across a workspace's batches encodes each distinct card once."""
    if payloads is None:
        payloads = SuggestionPayloads(context, settings.default_locale)
    rows = [
        {
            "person_id": p.person_id,
            "community_id": p.community_id,
            "campaign_id": context.campaign_for(p.person_id, p.community_id),
            "score": p.score,
            "reasons": p.reasons,
            "state": "planned",
            "planned_at": now,
        }
        for p in picks
    ]
    ids = insert_suggestions(session, rows)
    claims = []
    for p, suggestion_id in zip(picks, ids, strict=True):
        recipient = recipients[p.person_id]
        allowance = weekly_allowance(recipient.standing, settings.max_per_week)
        period = period_of(recipient.standing.schedule, now)
        claims.append(SlotClaim(suggestion_id, recipient.budget_holder, period, allowance))
    slotted = claim_slots(session, claims)
    keys, messages = {}, []
    for p, claim in zip(picks, claims, strict=True):
        if claim.suggestion_id not in slotted:
            continue
        key = keys[claim.suggestion_id] = suggestion_key(p.person_id, p.community_id, claim.period)
        payload = payloads.text(p, claim.suggestion_id, recipients[p.person_id])
        messages.append(outbox_text_row(key, "suggestion", p.person_id, payload, now))
    inserted = insert_outbox_text(session, messages)
    queued = {sid for sid, key in keys.items() if key in inserted}
    dropped = [sid for sid in ids if sid not in queued]
    release_slots(session, [sid for sid in dropped if sid in slotted])
    drop_suggestions(session, dropped)
    return len(queued)


async def write_all(
    services: Services,
    picks: Sequence[Pick],
    recipients: dict[int, Recipient],
    context: WorkspaceContext,
    now: datetime,
    payloads: SuggestionPayloads | None = None,
) -> int:
    """Queue the picks, `BATCH` per transaction; return how many were new."""
    planned = 0
    if payloads is None:
        payloads = SuggestionPayloads(context, services.settings.default_locale)
    for start in range(0, len(picks), BATCH):
        planned += await services.database.write(
            partial(
                write_picks,
                picks=picks[start : start + BATCH],
                recipients=recipients,
                context=context,
                settings=services.settings,
                now=now,
                payloads=payloads,
            )
        )
    return planned


def write_introductions(
    session: Session, recipients: Sequence[Recipient], settings: Settings, now: datetime
) -> int:
    if not recipients:
        return 0
    workspaces = {
        row.id: (row.platform, row.external_id) for row in session.exec(select(Workspace))
    }
    rows = []
    for recipient in recipients:
        platform, workspace = workspaces[recipient.workspace_id]
        payload = introduction_payload(
            recipient, platform, workspace, settings.default_locale, settings.max_per_week
        )
        rows.append(
            outbox_row(
                introduction_key(recipient.person_id),
                INTRODUCTION_KIND,
                recipient.person_id,
                payload,
                now,
            )
        )
    return len(insert_outbox(session, rows))
