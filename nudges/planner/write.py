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
from nudges.policy.standing import INTRODUCTION_KIND, Recipient, introduction_key


def write_picks(
    session: Session,
    picks: Sequence[Pick],
    recipients: Mapping[int, Recipient],
    context: WorkspaceContext,
    settings: Settings,
    now: datetime,
    payloads: SuggestionPayloads | None = None,
) -> int:
    """Queue one suggestion per pick; return how many were new (not already queued).

    `payloads` encodes the cards; sharing one across a workspace's batches encodes each
    distinct card once."""
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
    keys, messages = [], []
    for p, suggestion_id in zip(picks, ids, strict=True):
        recipient = recipients[p.person_id]
        week = recipient.standing.schedule.week(now)
        keys.append(suggestion_key(p.person_id, p.community_id, week))
        payload = payloads.text(p, suggestion_id, recipient)
        messages.append(outbox_text_row(keys[-1], "suggestion", p.person_id, payload, now))
    inserted = insert_outbox_text(session, messages)
    taken = [sid for sid, key in zip(ids, keys, strict=True) if key not in inserted]
    drop_suggestions(session, taken)
    return len(ids) - len(taken)


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
