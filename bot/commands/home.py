"""A person's own page (Slack App Home): their rhythm, their communities, their settings."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.cards import Block, Card, Heading, Paragraph
from bot.commands.context import Asker, Context
from bot.commands.format import rhythm_word
from bot.commands.router import Router
from bot.metrics import Suppressed, community_stats
from bot.storage.models import Community, Membership

LISTED_COMMUNITIES = 8


async def home_card(router: Router, asker: Asker) -> Card:
    context = await router.context(asker)
    t = context.t
    me = await router.commands["me"].handler(context, [])
    settings = await router.commands["settings"].handler(context, [])
    lines = await context.services.database.read(lambda session: _communities(session, context))
    blocks: list[Block] = [Heading(t("home.title")), Paragraph(t("home.intro")), *me.blocks]
    blocks += [Heading(t("home.communities")), *lines, *settings.blocks]
    return Card(tuple(blocks), fallback=t("home.title"))


def _communities(session: Session, context: Context) -> list[Block]:
    t = context.t
    query = (
        select(Community)
        .join(Membership, col(Membership.community_id) == col(Community.id))
        .where(
            Membership.person_id == context.person_id,
            Membership.state == "member",
            col(Community.is_deleted).is_(False),
            col(Community.is_archived).is_(False),
        )
        .order_by(col(Community.name))
    )
    communities = list(session.exec(query))
    if not communities:
        return [Paragraph(t("home.communities_none"))]
    lines = []
    for community in communities[:LISTED_COMMUNITIES]:
        assert community.id is not None
        stats = community_stats(session, community.id, context.today, context.minimum)
        name = community.name or community.external_id
        if isinstance(stats.rhythm, Suppressed):
            lines.append(f"#{name}")
        else:
            lines.append(t("home.community_line", name=name, rhythm=rhythm_word(t, stats.rhythm)))
    if len(communities) > LISTED_COMMUNITIES:
        lines.append(t("home.more", count=len(communities) - LISTED_COMMUNITIES))
    return [Paragraph("\n".join(lines))]
