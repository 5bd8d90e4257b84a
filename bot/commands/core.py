"""The core router: every command Engage answers in chat, and the home page built from them.

Later layers (nudges) add their commands with `Router.add`.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.animators.commands import animators_command, community_command
from bot.campaigns.commands import campaign_command
from bot.cards import Block, Card, Heading, Paragraph
from bot.commands import Asker, Command, Context, Router, rhythm_word
from bot.commands.preferences import (
    me_command,
    pause_command,
    resume_command,
    settings_command,
    start_command,
    stop_command,
)
from bot.commands.stats import stats_command, top_command
from bot.metrics import Suppressed, community_stats
from bot.privacy.commands import cancel_command, export_command, forget_command
from bot.services import Services
from bot.storage.models import Community, Membership


def core_router(services: Services) -> Router:
    """The router with the core commands; later layers add theirs with `Router.add`."""
    router = Router(services)

    async def help_command(context: Context, _args: list[str]) -> Card:
        return router.help(context)

    router.add(Command("help", help_command))
    for name, handler in (
        ("stats", stats_command),
        ("me", me_command),
        ("top", top_command),
        ("start", start_command),
        ("stop", stop_command),
        ("pause", pause_command),
        ("resume", resume_command),
        ("settings", settings_command),
        ("animators", animators_command),
        ("community", community_command),
        ("campaign", campaign_command),
        ("export", export_command),
        ("forget", forget_command),
    ):
        router.add(Command(name, handler))
    router.add(Command("forget-cancel", cancel_command, listed=False))
    return router


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
