"""`follow`, `unfollow`, `following`: a weekly digest of a community, without joining it."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.cards import Actions, Block, Card, Heading, Paragraph
from bot.commands import Context
from bot.commands.lookup import names_a_person
from bot.storage.models import Community, Membership
from nudges.actions.answers import answered
from nudges.actions.next_step import followed
from nudges.actions.people import (
    display,
    follow_person_command,
    followed_people,
    unfollow_person_command,
    with_people,
)
from nudges.actions.target import name_of, parse_target, public_community, suggestion_for
from nudges.cards.commandline import command_button

MAX_LISTED = 20


async def follow_command(context: Context, args: list[str]) -> Card:
    if args and names_a_person(" ".join(args)):
        return await follow_person_command(context, args)
    target = parse_target(args, "follow")
    now = context.services.clock()

    def apply(session: Session) -> tuple[str, str, str]:
        community = public_community(session, context, target.reference)
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
        followed(session, context.person_id, community.id, now)
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
        community = public_community(session, context, target.reference)
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
