"""`join`: membership on the person's own click — a platform invite, else a deep link."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.cards import Card, Paragraph
from bot.commands import Context
from bot.delivery import Delivered, Recipient
from bot.i18n import Language
from bot.storage.models import Community, Membership
from nudges.actions.answers import answered
from nudges.actions.next_step import joined
from nudges.actions.target import Target, name_of, parse_target, public_community, suggestion_for
from nudges.cards.welcome import queue_welcome


async def join_command(context: Context, args: list[str]) -> Card:
    target = parse_target(args, "join")

    def find(session: Session) -> tuple[Community, bool]:
        community = public_community(session, context, target.reference)
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
        lambda session: _record(
            session, context.person_id, community, target, invited, now, default
        )
    )
    if invited:
        return Card((Paragraph(t("command.join.done", name=name, link=link)),))
    key = "command.join.link" if link else "command.join.no_link"
    return Card((Paragraph(t(key, name=name, link=link)),))


def _record(
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
    joined(session, person_id, community.id, now)
