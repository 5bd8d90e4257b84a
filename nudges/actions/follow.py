"""What a click on a suggestion does, or the same command typed: follow, join, dismiss, suggest.

- `follow`, `unfollow`, `following`: a weekly digest of a community, without joining it
  (`follow @person` goes to `nudges.actions.people`).
- `join`: membership on the person's own click: a platform invite, else a deep link.
- `notnow`, `never`, `unhide`: hide a community from suggestions for 90 days or for good.
- `suggest`: one suggestion now, on request, still within the person's weekly budget.

Every button carries `<community words> [--suggestion N]` (`parse_target`); the answer is
recorded on the suggestion shown, else on the latest recent one (`suggestion_for`,
`answered`), and a follow or a join moves the "Join?" step (`nudges.actions.next_step`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel import Session, col, select

from bot.cards import Actions, Block, Card, Heading, Paragraph
from bot.commands import CommandError, Context
from bot.commands.lookup import community_for, names_a_person
from bot.delivery import Delivered, Recipient
from bot.i18n import Language
from bot.identity import share_preference
from bot.storage.models import Community, Dismissal, FollowStep, Membership, Preference, Suggestion
from nudges.actions.people import (
    display,
    follow_person_command,
    followed_people,
    unfollow_person_command,
    with_people,
)
from nudges.cards import command_button, suggestion_card
from nudges.cards.welcome import queue_welcome
from nudges.planner.context import WorkspaceContext, load_context
from nudges.planner.job import Pick, pick, snapshot_cache
from nudges.planner.write import suggested
from nudges.policy import (
    ATTRIBUTION,
    NOT_NOW,
    Standing,
    Verdict,
    decide_on_request,
    weekly_allowance,
)
from nudges.policy.budget import SlotClaim, claim_slots, holder_of, period_of
from nudges.policy.consent import load_recipients
from nudges.recommend import Snapshot, recommend

VOID = ("failed", "cancelled")
Outcome = Literal["followed", "joined", "dismissed", "answered"]
MAX_LISTED = 20


async def follow_command(context: Context, args: list[str]) -> Card:
    if args and names_a_person(" ".join(args)):
        return await follow_person_command(context, args)
    target = parse_target(args, "follow")
    now = context.services.clock()

    def apply(session: Session) -> tuple[str, str, str]:
        community = community_for(session, context, target.reference)
        assert community.id is not None
        membership = session.get(Membership, (context.person_id, community.id))
        if membership is not None and membership.state in ("member", "follower"):
            key = "member" if membership.state == "member" else "already"
            return key, name_of(community), community.external_id
        suggestion = suggestion_for(session, context.person_id, community.id, target, now)
        source = f"suggestion:{suggestion.id}" if suggestion is not None else "self"
        if membership is None:
            membership = Membership(
                person_id=context.person_id, community_id=community.id, joined_at=None
            )
        membership.state, membership.since, membership.source = "follower", now, source
        session.add(membership)
        answered(session, suggestion, "followed", now)
        _record_follow_step(session, context.person_id, community.id, now)
        return "done", name_of(community), community.external_id

    outcome, name, external = await context.services.database.write(apply)
    t = context.t
    buttons = []
    if outcome != "member":
        buttons.append(command_button(t("command.follow.undo"), "unfollow", external))
        buttons.append(command_button(t("command.follow.join"), "join", external))
    blocks: list[Block] = [Paragraph(t(f"command.follow.{outcome}", name=name))]
    if buttons:
        blocks.append(Actions(tuple(buttons)))
    return Card(tuple(blocks))


async def unfollow_command(context: Context, args: list[str]) -> Card:
    if args and names_a_person(" ".join(args)):
        return await unfollow_person_command(context, args)
    target = parse_target(args, "unfollow")

    def apply(session: Session) -> tuple[bool, str, str]:
        community = community_for(session, context, target.reference)
        membership = session.get(Membership, (context.person_id, community.id))
        if membership is None or membership.state != "follower":
            return False, name_of(community), community.external_id
        if membership.joined_at is None:
            session.delete(membership)
        else:
            membership.state = "left"
            session.add(membership)
        return True, name_of(community), community.external_id

    done, name, external = await context.services.database.write(apply)
    t = context.t
    if not done:
        return Card((Paragraph(t("command.unfollow.not_following", name=name)),))
    again = command_button(t("command.unfollow.undo"), "follow", external)
    return Card((Paragraph(t("command.unfollow.done", name=name)), Actions((again,))))


async def following_command(context: Context, _args: list[str]) -> Card:
    def load(session: Session) -> list[Community]:
        query = (
            select(Community)
            .join(Membership, col(Membership.community_id) == col(Community.id))
            .where(Membership.person_id == context.person_id, Membership.state == "follower")
            .order_by(Community.name)
        )
        return list(session.exec(query))

    communities = await context.services.database.read(load)
    people = await context.services.database.read(
        lambda session: followed_people(session, [context.person_id]).get(context.person_id, [])
    )
    t = context.t
    if people:
        names = ", ".join(display(person) for person in people)
        return with_people(await _communities_card(context, communities), t, names)
    return await _communities_card(context, communities)


async def _communities_card(context: Context, communities: list[Community]) -> Card:
    t = context.t
    if not communities:
        return Card((Heading(t("command.following.title")), Paragraph(t("command.following.none"))))
    names = ", ".join(f"#{name_of(community)}" for community in communities)
    buttons = tuple(
        command_button(t("command.following.unfollow", name=name_of(c)), "unfollow", c.external_id)
        for c in communities[:MAX_LISTED]
    )
    return Card(
        (
            Heading(t("command.following.title")),
            Paragraph(t("command.following.list", names=names)),
            Paragraph(t("command.following.hint")),
            Actions(buttons),
        ),
        fallback=t("command.following.title"),
    )


async def join_command(context: Context, args: list[str]) -> Card:
    target = parse_target(args, "join")

    def find(session: Session) -> tuple[Community, bool]:
        community = community_for(session, context, target.reference)
        membership = session.get(Membership, (context.person_id, community.id))
        return community, membership is not None and membership.state == "member"

    community, member = await context.services.database.read(find)
    t = context.t
    name = name_of(community)
    asker = context.asker
    gateway = context.services.gateways.get(asker.platform)
    link = gateway.community_link(asker.workspace, community.external_id) if gateway else ""
    if member:
        return Card((Paragraph(t("command.join.already", name=name, link=link)),))
    if community.is_private:
        return Card((Paragraph(t("command.join.private", name=name)),))
    invited = False
    if gateway is not None:
        recipient = Recipient(asker.platform, asker.workspace, asker.person)
        invited = isinstance(await gateway.invite(recipient, community.external_id), Delivered)
    now = context.services.clock()
    default = context.services.settings.default_locale
    await context.services.database.write(
        lambda session: _record_join(
            session, context.person_id, community, target, invited, now, default
        )
    )
    if invited:
        return Card((Paragraph(t("command.join.done", name=name, link=link)),))
    key = "command.join.link" if link else "command.join.no_link"
    return Card((Paragraph(t(key, name=name, link=link)),))


def _record_join(
    session: Session,
    person_id: int,
    community: Community,
    target: Target,
    invited: bool,
    now: datetime,
    default: Language,
) -> None:
    assert community.id is not None
    suggestion = suggestion_for(session, person_id, community.id, target, now)
    answered(session, suggestion, "joined" if invited else "answered", now)
    if not invited:
        return
    if suggestion is not None:
        queue_welcome(session, suggestion, now, default)
    membership = session.get(Membership, (person_id, community.id))
    if membership is None:
        membership = Membership(person_id=person_id, community_id=community.id)
    source = f"suggestion:{suggestion.id}" if suggestion is not None else "self"
    membership.state, membership.since, membership.joined_at = "member", now, now
    membership.source = source
    session.add(membership)
    _record_join_step(session, person_id, community.id, now)


async def notnow_command(context: Context, args: list[str]) -> Card:
    return await _dismiss(context, args, "notnow")


async def never_command(context: Context, args: list[str]) -> Card:
    return await _dismiss(context, args, "never")


async def _dismiss(context: Context, args: list[str], command: str) -> Card:
    target = parse_target(args, command)
    now = context.services.clock()
    until = now + NOT_NOW if command == "notnow" else None

    def apply(session: Session) -> tuple[str, str]:
        community = community_for(session, context, target.reference)
        assert community.id is not None
        dismissal = session.get(Dismissal, (context.person_id, community.id))
        if dismissal is None:
            dismissal = Dismissal(person_id=context.person_id, community_id=community.id, kind="")
        dismissal.kind = "never" if until is None else "not_now"
        dismissal.until, dismissal.created_at = until, now
        session.add(dismissal)
        suggestion = suggestion_for(session, context.person_id, community.id, target, now)
        answered(session, suggestion, "dismissed", now)
        return name_of(community), community.external_id

    name, external = await context.services.database.write(apply)
    t = context.t
    text = t(f"command.{command}.done", name=name, until=_day(until))
    undo = command_button(t("command.unhide.button"), "unhide", external)
    return Card((Paragraph(text), Actions((undo,))))


async def unhide_command(context: Context, args: list[str]) -> Card:
    target = parse_target(args, "unhide")

    def apply(session: Session) -> tuple[bool, str]:
        community = community_for(session, context, target.reference)
        dismissal = session.get(Dismissal, (context.person_id, community.id))
        if dismissal is not None:
            session.delete(dismissal)
        return dismissal is not None, name_of(community)

    removed, name = await context.services.database.write(apply)
    key = "command.unhide.done" if removed else "command.unhide.not_hidden"
    return Card((Paragraph(context.t(key, name=name)),))


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment is not None else ""


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
        lambda session: _record_suggestion(session, chosen, workspace, now, (period, allowance))
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


def _record_suggestion(
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


def answered(
    session: Session, suggestion: Suggestion | None, outcome: Outcome, now: datetime
) -> None:
    """The latest answer sets the state, except that `joined` is final; any answer ends
    the person's run of ignored suggestions. `answered` records a click that changed
    nothing yet (a Join that could only offer a link)."""
    if suggestion is None:
        return
    suggestion.sent_at = suggestion.sent_at or now
    suggestion.answered_at = suggestion.answered_at or now
    if outcome == "followed":
        suggestion.followed_at = suggestion.followed_at or now
    elif outcome == "joined":
        suggestion.joined_at = suggestion.joined_at or now
    elif outcome == "dismissed":
        suggestion.dismissed_at = now
    if outcome != "answered" and suggestion.state != "joined":
        suggestion.state = outcome
    elif suggestion.state in ("planned", "ignored"):
        suggestion.state = "sent"
    session.add(suggestion)
    preference = session.get(Preference, suggestion.person_id)
    if preference is not None and preference.ignored_streak:
        preference.ignored_streak = 0
        session.add(preference)
        share_preference(session, suggestion.person_id)


def _record_follow_step(session: Session, person_id: int, community_id: int, now: datetime) -> None:
    """A (new) follow starts the count of weeks again, unless "Join?" was asked already."""
    step = session.get(FollowStep, (person_id, community_id))
    if step is None:
        session.add(FollowStep(person_id=person_id, community_id=community_id, followed_at=now))
    elif step.asked_at is None:
        step.followed_at = now
        session.add(step)


def _record_join_step(session: Session, person_id: int, community_id: int, now: datetime) -> None:
    step = session.get(FollowStep, (person_id, community_id))
    if step is not None and step.joined_at is None:
        step.joined_at = now
        session.add(step)
