"""The suggestion funnel as one line of a community's stats card, once it means something."""

from __future__ import annotations

from bot.cards import Card, Facts
from bot.commands.context import Context
from bot.commands.format import figure
from bot.metrics.definitions import Suppressed
from bot.metrics.funnel import FollowSteps, FunnelCounts, FunnelFigures


def with_funnel(context: Context, card: Card, counts: FunnelCounts) -> Card:
    """Add the funnel before a full card's last block; nothing under the minimum group."""
    if counts.suggested < context.minimum or len(card.blocks) < 2:
        return card
    t = context.t
    shown = FunnelFigures.of(counts, context.minimum)
    value = t(
        "funnel.value",
        suggested=figure(t, shown.suggested),
        followed=figure(t, shown.followed),
        joined=figure(t, shown.joined),
        first_post=figure(t, shown.first_post),
    )
    line = Facts(((t("funnel.label"), value),))
    return Card((*card.blocks[:-1], line, card.blocks[-1]), card.fallback, card.private)


def with_follow_steps(context: Context, card: Card, steps: FollowSteps) -> Card:
    """Follow → join, before a full card's last block, once enough people followed."""
    if isinstance(steps.followed, Suppressed) or len(card.blocks) < 2:
        return card
    t = context.t
    value = t(
        "follow_steps.value",
        followed=figure(t, steps.followed),
        asked=figure(t, steps.asked),
        joined=figure(t, steps.joined),
    )
    line = Facts(((t("follow_steps.label"), value),))
    return Card((*card.blocks[:-1], line, card.blocks[-1]), card.fallback, card.private)
