"""`me`: the asker's own figures, which nobody else can see."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session

from bot.cards import Card, Chart, Facts, Heading
from bot.commands.context import Context
from bot.commands.format import figure
from bot.metrics import person_stats
from bot.metrics.definitions import count
from bot.storage.models import PersonFollow, Showcase


def follower_count(session: Session, person_id: int) -> int | None:
    """How many people follow someone followable (None when they are not)."""
    showcase = session.get(Showcase, person_id)
    if showcase is None or not showcase.followable:
        return None
    query = (
        select(func.count())
        .select_from(PersonFollow)
        .where(
            PersonFollow.followed_id == person_id  # type: ignore[arg-type]
        )
    )
    return int(session.connection().execute(query).scalar_one())


async def me_command(context: Context, _args: list[str]) -> Card:
    stats = await context.services.database.read(
        lambda session: person_stats(
            session, context.person_id, context.workspace_id, context.today
        )
    )
    followers = await context.services.database.read(
        lambda session: follower_count(session, context.person_id)
    )
    t = context.t
    facts = [
        (t("command.me.rung"), t(f"rung.{stats.rung}")),
        (t("command.me.posts"), t.number(stats.posts)),
        (t("command.me.replies"), t.number(stats.replies)),
        (t("command.me.reactions_given"), t.number(stats.reactions_given)),
        (t("command.me.reactions_received"), t.number(stats.reactions_received)),
        (t("command.me.active_weeks"), t.number(stats.active_weeks)),
        (t("command.me.communities"), t.number(stats.communities_active)),
    ]
    if followers is not None:
        shown = figure(t, count(followers, context.minimum))
        facts.append((t("showcase.me_followers"), shown))
    return Card(
        (
            Heading(t("command.me.title")),
            Chart(t("command.me.chart"), stats.weekly_posts),
            Facts(tuple(facts)),
        ),
        fallback=t("command.me.title"),
    )
