"""`stats [#community | org]`: a community's health card (with its suggestion funnel and last
week's example) or the organisation's ladder; `top`: communities ranked by rhythm and
breadth, never by member count or by person."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlmodel import Session

from bot.cards import Block, Card, Chart, Facts, Heading, Paragraph, sparkline
from bot.commands import (
    CommandError,
    Context,
    change,
    community_name,
    figure,
    rhythm_word,
    silent_members,
)
from bot.commands.lookup import community_for
from bot.delivery import ThreadLinks
from bot.i18n import Translator
from bot.metrics import CommunityStats, Ladder, Suppressed, community_stats, top_communities
from bot.metrics.definitions import RUNGS, Count
from bot.metrics.example import Example, ExampleThread, examples
from bot.metrics.funnel import FollowSteps, FunnelCounts, FunnelFigures, follow_steps, funnel
from bot.metrics.trend import ladder_trend
from bot.storage.models import Community


async def stats_command(context: Context, args: list[str]) -> Card:
    if args and args[0].lower() in ("org", "organisation", "organization"):
        return await _org(context)
    reference = " ".join(args) or context.asker.community
    if not reference:
        raise CommandError("command.stats.which")

    def load(
        session: Session,
    ) -> tuple[Community, CommunityStats, FunnelCounts, Example | None, FollowSteps]:
        community = community_for(session, context, reference)
        assert community.id is not None
        stats = community_stats(session, community.id, context.today, context.minimum)
        example = examples(session, [community.id], context.today, context.minimum)
        return (
            community,
            stats,
            funnel(session, context.workspace_id, context.today, community.id),
            example.get(community.id),
            follow_steps(
                session, context.workspace_id, context.today, context.minimum, community.id
            ),
        )

    community, stats, suggested, example, steps = await context.services.database.read(load)
    name = community_name(context.t, community.name, community.external_id)
    card = community_card(context, name, stats)
    if example is not None and len(card.blocks) > 1:
        url = await _thread_url(context, community.external_id, example.thread)
        shown = example_blocks(context.t, name, community.external_id, example, lambda _c, _t: url)
        card = Card((*card.blocks[:-1], *shown, card.blocks[-1]), card.fallback, card.private)
    return with_follow_steps(context, with_funnel(context, card, suggested), steps)


Linker = Callable[[str, str], str | None]
"""(community external id, thread key) -> a link to the thread, when one can be made."""


async def _thread_url(context: Context, community: str, thread: ExampleThread | None) -> str | None:
    """A link to the thread from the asker's gateway (the community's link where it has
    none), or None without a thread."""
    gateway = context.services.gateways.get(context.asker.platform)
    workspace = context.asker.workspace
    if thread is None or gateway is None:
        return None
    if isinstance(gateway, ThreadLinks):
        return await gateway.thread_link(workspace, community, thread.key)
    return gateway.community_link(workspace, community)


def example_blocks(
    t: Translator, name: str, community: str, example: Example, link: Linker
) -> list[Block]:
    """The example of last week: one thread (link, counts), new regulars, and the
    animators who chose to be followable — the only names Engage ever shows."""
    parts = []
    thread = example.thread
    url = link(community, thread.key) if thread is not None else None
    if thread is not None and url:
        parts.append(
            t(
                "follow_example.thread",
                link=url,
                replies=t.number(thread.replies),
                reactions=t.number(thread.reactions),
            )
        )
    parts.append(t("follow_example.new_regulars", count=figure(t, example.new_regulars)))
    blocks: list[Block] = [Facts(((t("follow_example.label", name=name), " · ".join(parts)),))]
    if example.animators:
        names = ", ".join(a.name for a in example.animators)
        blocks.append(Paragraph(t("follow_example.animated_by", names=names)))
    return blocks


def community_card(context: Context, name: str, stats: CommunityStats) -> Card:
    t = context.t
    if isinstance(stats.members, Suppressed):
        return Card((Paragraph(t("command.stats.too_small", name=name, minimum=context.minimum)),))
    blocks: list[Block] = []
    if isinstance(stats.rhythm, Suppressed) or isinstance(stats.weekly_posts, Suppressed):
        blocks.append(Heading(t("command.stats.title_hidden", name=name)))
    else:
        blocks.append(
            Heading(t("command.stats.title", name=name, rhythm=rhythm_word(t, stats.rhythm)))
        )
        blocks.append(Chart(t("command.stats.chart"), stats.weekly_posts))
    facts = [(t("command.stats.members"), figure(t, stats.members))]
    if not isinstance(stats.active_weeks, Suppressed):
        value = t("command.stats.active_weeks_value", weeks=stats.active_weeks)
        facts.append((t("command.stats.active_weeks"), value))
    facts += [
        (t("command.stats.contributors"), figure(t, stats.contributors)),
        (t("command.stats.reactors"), figure(t, stats.reactors)),
        (t("command.stats.silent"), silent_members(context.t, stats)),
        (t("command.stats.regulars"), figure(t, stats.regulars)),
    ]
    if not isinstance(stats.days_active_ratio, Suppressed):
        value = t("command.stats.days_active_value", share=t.percent(stats.days_active_ratio))
        facts.append((t("command.stats.days_active"), value))
    if not isinstance(stats.momentum, Suppressed):
        value = (
            t("command.stats.momentum_new")
            if stats.momentum is None
            else t("command.stats.momentum_value", change=change(t, stats.momentum))
        )
        facts.append((t("command.stats.momentum"), value))
    blocks += [Facts(tuple(facts)), Paragraph(t("figure.privacy_note", minimum=context.minimum))]
    return Card(tuple(blocks), fallback=blocks[0].text if isinstance(blocks[0], Heading) else "")


async def _org(context: Context) -> Card:
    trend = await context.services.database.read(
        lambda session: ladder_trend(
            session,
            context.workspace_id,
            context.today,
            context.minimum,
            past=context.services.past_months,
        )
    )
    t = context.t
    org = trend.organisation[-1]
    blocks: list[Block] = [
        Heading(t("command.stats.org_title", group=org.group)),
        _ladder_facts(context, trend.organisation),
    ]
    for name, history in trend.departments.items():
        if history[-1] is not None:
            blocks += [
                Heading(t("command.stats.org_title", group=name)),
                _ladder_facts(context, history),
            ]
    blocks.append(Paragraph(t("trend.note", months=len(trend.months))))
    blocks.append(Paragraph(t("figure.privacy_note", minimum=context.minimum)))
    return Card(tuple(blocks), fallback=t("command.stats.org_title", group=org.group))


def _ladder_facts(context: Context, history: Sequence[Ladder | None]) -> Facts:
    """Today's ladder, each figure followed by its months as a sparkline."""
    t = context.t
    ladder = history[-1]
    assert ladder is not None

    def row(label: str, value: Count, past: list[Count | None]) -> tuple[str, str]:
        return label, f"{figure(t, value)}  {sparkline([_known(item) for item in past])}"

    people = [None if h is None else h.people for h in history]
    rows = [row(t("command.stats.org_people"), ladder.people, people)]
    rows += [
        row(t(f"rung.{r}"), ladder.rungs[r], [None if h is None else h.rungs[r] for h in history])
        for r in reversed(RUNGS)
    ]
    return Facts(tuple(rows))


def _known(value: Count | None) -> int | None:
    return value if isinstance(value, int) else None


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
