"""The next step, gently: from following a community to joining it, on the person's click.

A follow is recorded as a `follow_step` (by `follow` and `join`, `nudges.actions.follow`).
Clicking "Explore" in the community's digest
counts as having opened it. After `ENGAGE_FOLLOW_NUDGE_WEEKS` weeks of following and one
such click, the planner sends one "Join?" card (Join, Keep following, Not interested),
holding one of the person's weekly budget slots; it is sent once per community, whatever
the answer, and checked again at send time (`nudges.policy.consent`). Join goes through
the ordinary `join` command.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from bot.cards import Actions, Card, Heading, Paragraph
from bot.commands import CommandError, Context
from bot.commands.lookup import community_for
from bot.commands.stats import stats_command
from bot.i18n import Translator
from bot.services import Services
from bot.storage.models import Community, FollowStep, Suggestion
from bot.storage.tables import FOLLOW_STEP, MEMBERSHIP, WORKSPACE
from nudges.actions.follow import name_of
from nudges.cards import command_button
from nudges.outbox import card_to_data
from nudges.planner.write import (
    TRANSLATORS,
    drop_suggestions,
    insert_outbox,
    insert_suggestions,
    language_of,
    outbox_row,
)
from nudges.policy import has_consent, weekly_allowance
from nudges.policy.budget import SlotClaim, claim_slots, period_of, release_slots
from nudges.policy.consent import JOIN_NUDGE_KIND, Recipient, load_recipients

ANSWERS = {"keep": "keep", "no": "no"}


async def explore_command(context: Context, args: list[str]) -> Card:
    """The digest's "Explore" click: counts as opening the digest, shows the health card."""
    if not args:
        raise CommandError("command.follow.which")
    now = context.services.clock()

    def record(session: Session) -> None:
        community = community_for(session, context, " ".join(args))
        step = session.get(FollowStep, (context.person_id, community.id))
        if step is not None and step.clicked_at is None:
            step.clicked_at = now
            session.add(step)

    await context.services.database.write(record)
    return await stats_command(context, args)


async def next_step_command(context: Context, args: list[str]) -> Card:
    """`nextstep keep|no #community`: the answers of a "Join?" card other than Join."""
    if len(args) < 2 or args[0].lower() not in ANSWERS:
        raise CommandError("next_step.bad")
    answer = ANSWERS[args[0].lower()]

    def apply(session: Session) -> str:
        community = community_for(session, context, " ".join(args[1:]))
        step = session.get(FollowStep, (context.person_id, community.id))
        if step is not None:
            step.answer = step.answer or answer
            session.add(step)
            suggestion = session.get(Suggestion, step.suggestion_id)
            if suggestion is not None and answer == "no":
                suggestion.dismissed_at = suggestion.dismissed_at or context.services.clock()
                suggestion.state = "dismissed"
                session.add(suggestion)
        return name_of(community)

    name = await context.services.database.write(apply)
    return Card((Paragraph(context.t(f"next_step.{answer}_done", name=name)),))


def join_card(t: Translator, name: str, community: str, weeks: int, suggestion_id: int) -> Card:
    title = t("next_step.title", name=name)
    return Card(
        (
            Heading(title),
            Paragraph(t("next_step.body", name=name, weeks=weeks)),
            Actions(
                (
                    command_button(
                        t("next_step.join"), "join", community, suggestion_id, "primary"
                    ),
                    command_button(t("next_step.keep"), "nextstep keep", community),
                    command_button(t("next_step.no"), "nextstep no", community),
                )
            ),
        ),
        fallback=title,
    )


async def ask_to_join(services: Services) -> int:
    """Queue the "Join?" cards now due (one per person and pass, in their window)."""
    now = services.clock()
    due = await services.database.read(lambda session: _due(session, services, now))
    if not due:
        return 0
    return await services.database.write(lambda session: _queue(session, services, due, now))


def _due(session: Session, services: Services, now: datetime) -> list[tuple[Recipient, int]]:
    weeks = services.settings.follow_nudge_weeks
    query = (
        select(FOLLOW_STEP.c.person_id, FOLLOW_STEP.c.community_id)
        .join(
            MEMBERSHIP,
            (MEMBERSHIP.c.person_id == FOLLOW_STEP.c.person_id)
            & (MEMBERSHIP.c.community_id == FOLLOW_STEP.c.community_id),
        )
        .where(
            MEMBERSHIP.c.state == "follower",
            FOLLOW_STEP.c.asked_at.is_(None),
            FOLLOW_STEP.c.answer.is_(None),
            FOLLOW_STEP.c.joined_at.is_(None),
            FOLLOW_STEP.c.clicked_at.is_not(None),
            FOLLOW_STEP.c.followed_at <= now - timedelta(weeks=weeks),
        )
        .order_by(FOLLOW_STEP.c.person_id, FOLLOW_STEP.c.followed_at, FOLLOW_STEP.c.community_id)
    )
    first: dict[int, int] = {}
    for person_id, community_id in session.connection().execute(query):
        first.setdefault(person_id, community_id)
    if not first:
        return []
    mode = services.settings.consent_mode
    due = []
    for recipient in load_recipients(session, now, started_only=False, person_ids=first):
        standing = recipient.standing
        snoozed = standing.snooze_until is not None and standing.snooze_until > now
        if has_consent(standing.consent, mode) and not snoozed and standing.schedule.open_at(now):
            due.append((recipient, first[recipient.person_id]))
    return due


def _queue(
    session: Session, services: Services, due: list[tuple[Recipient, int]], now: datetime
) -> int:
    settings = services.settings
    rows = [
        {
            "person_id": recipient.person_id,
            "community_id": community_id,
            "campaign_id": None,
            "score": 0.0,
            "reasons": [{"code": "followed", "weeks": settings.follow_nudge_weeks}],
            "state": "planned",
            "planned_at": now,
        }
        for recipient, community_id in due
    ]
    ids = insert_suggestions(session, rows)
    claims = [
        SlotClaim(
            suggestion_id,
            recipient.person_id,
            period_of(recipient.standing.schedule, now),
            weekly_allowance(recipient.standing, settings.max_per_week),
        )
        for (recipient, _), suggestion_id in zip(due, ids, strict=True)
    ]
    slotted = claim_slots(session, claims)
    workspaces = {
        row.id: (row.platform, row.external_id)
        for row in session.connection().execute(select(WORKSPACE))
    }
    messages, keys = [], {}
    for (recipient, community_id), suggestion_id in zip(due, ids, strict=True):
        if suggestion_id not in slotted:
            continue
        step = session.get_one(FollowStep, (recipient.person_id, community_id))
        community = _community_of(session, community_id)
        t = TRANSLATORS[language_of(recipient, settings.default_locale)]
        card = join_card(t, community[1], community[0], settings.follow_nudge_weeks, suggestion_id)
        platform, workspace = workspaces[recipient.workspace_id]
        payload: dict[str, Any] = {
            "platform": platform,
            "workspace": workspace,
            "person": recipient.external_id,
            "community_id": community_id,
            "suggestion_id": suggestion_id,
            "card": card_to_data(card),
        }
        key = keys[suggestion_id] = f"{JOIN_NUDGE_KIND}:{recipient.person_id}:{community_id}"
        messages.append(outbox_row(key, JOIN_NUDGE_KIND, recipient.person_id, payload, now))
        step.asked_at, step.suggestion_id = now, suggestion_id
        session.add(step)
    inserted = insert_outbox(session, messages)
    dropped = [sid for sid in ids if keys.get(sid) not in inserted]
    release_slots(session, [sid for sid in dropped if sid in slotted])
    session.flush()
    drop_suggestions(session, dropped)
    return len(inserted)


def _community_of(session: Session, community_id: int) -> tuple[str, str]:
    community = session.get_one(Community, community_id)
    return community.external_id, name_of(community)
