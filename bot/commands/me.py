"""`me`: the asker's own figures, which nobody else can see."""

from __future__ import annotations

from bot.cards import Card, Chart, Facts, Heading
from bot.commands.context import Context
from bot.metrics import person_stats


async def me_command(context: Context, _args: list[str]) -> Card:
    stats = await context.services.database.read(
        lambda session: person_stats(
            session, context.person_id, context.workspace_id, context.today
        )
    )
    t = context.t
    facts = (
        (t("command.me.rung"), t(f"rung.{stats.rung}")),
        (t("command.me.posts"), t.number(stats.posts)),
        (t("command.me.replies"), t.number(stats.replies)),
        (t("command.me.reactions_given"), t.number(stats.reactions_given)),
        (t("command.me.reactions_received"), t.number(stats.reactions_received)),
        (t("command.me.active_weeks"), t.number(stats.active_weeks)),
        (t("command.me.communities"), t.number(stats.communities_active)),
    )
    return Card(
        (
            Heading(t("command.me.title")),
            Chart(t("command.me.chart"), stats.weekly_posts),
            Facts(facts),
        ),
        fallback=t("command.me.title"),
    )
