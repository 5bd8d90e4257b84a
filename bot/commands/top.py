"""`top`: communities ranked by rhythm and breadth, never by member count or by person."""

from __future__ import annotations

from bot.cards import Card, Heading, Paragraph
from bot.commands.context import Context
from bot.commands.format import community_name, rhythm_word
from bot.metrics import top_communities


async def top_command(context: Context, _args: list[str]) -> Card:
    ranked = await context.services.database.read(
        lambda session: top_communities(
            session, context.workspace_id, context.today, context.minimum
        )
    )
    t = context.t
    if not ranked:
        return Card((Heading(t("command.top.title")), Paragraph(t("command.top.empty"))))
    lines = []
    for position, community in enumerate(ranked, start=1):
        values = {
            "name": community_name(t, community.name, community.external_id),
            "rhythm": rhythm_word(t, community.rhythm),
            "weeks": community.active_weeks,
            "contributors": t.number(community.contributors),
        }
        key = (
            "command.top.line"
            if community.contributors >= context.minimum
            else "command.top.line_few"
        )
        lines.append(Paragraph(f"{position}. " + t(key, **values)))
    return Card((Heading(t("command.top.title")), *lines), fallback=t("command.top.title"))
