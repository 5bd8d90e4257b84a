"""`stats [#community | org]`: a community's health card, or the organisation's ladder."""

from __future__ import annotations

from sqlmodel import Session

from bot.cards import Block, Card, Chart, Facts, Heading, Paragraph
from bot.commands.context import CommandError, Context
from bot.commands.format import change, community_name, figure, share
from bot.commands.funnel_facts import with_funnel
from bot.commands.lookup import community_for
from bot.metrics import CommunityStats, Ladder, Suppressed, community_stats, org_ladders
from bot.metrics.funnel import Funnel, funnel
from bot.metrics.ladder import RUNGS
from bot.storage.models import Community


async def stats_command(context: Context, args: list[str]) -> Card:
    if args and args[0].lower() in ("org", "organisation", "organization"):
        return await _org(context)
    reference = " ".join(args) or context.asker.community
    if not reference:
        raise CommandError("command.stats.which")

    def load(session: Session) -> tuple[Community, CommunityStats, Funnel]:
        community = community_for(session, context, reference)
        assert community.id is not None
        stats = community_stats(session, community.id, context.today, context.minimum)
        return community, stats, funnel(session, context.workspace_id, context.today, community.id)

    community, stats, suggested = await context.services.database.read(load)
    card = community_card(
        context, community_name(context.t, community.name, community.external_id), stats
    )
    return with_funnel(context, card, suggested)


def community_card(context: Context, name: str, stats: CommunityStats) -> Card:
    t = context.t
    if isinstance(stats.members, Suppressed):
        return Card((Paragraph(t("command.stats.too_small", name=name, minimum=context.minimum)),))
    blocks: list[Block] = []
    if isinstance(stats.rhythm, Suppressed) or isinstance(stats.weekly_posts, Suppressed):
        blocks.append(Heading(t("command.stats.title_hidden", name=name)))
    else:
        blocks.append(
            Heading(t("command.stats.title", name=name, rhythm=t(f"rhythm.{stats.rhythm}")))
        )
        blocks.append(Chart(t("command.stats.chart"), stats.weekly_posts))
    facts = [(t("command.stats.members"), figure(t, stats.members))]
    if not isinstance(stats.active_weeks, Suppressed):
        value = t("command.stats.active_weeks_value", weeks=stats.active_weeks)
        facts.append((t("command.stats.active_weeks"), value))
    facts += [
        (t("command.stats.contributors"), figure(t, stats.contributors)),
        (t("command.stats.reactors"), figure(t, stats.reactors)),
        (t("command.stats.silent"), _silent(context, stats)),
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


def _silent(context: Context, stats: CommunityStats) -> str:
    t = context.t
    if isinstance(stats.silent, Suppressed):
        return figure(t, stats.silent)
    return t(
        "command.stats.silent_value",
        count=figure(t, stats.silent),
        share=share(t, stats.silent_share),
    )


async def _org(context: Context) -> Card:
    org, departments = await context.services.database.read(
        lambda session: org_ladders(session, context.workspace_id, context.today, context.minimum)
    )
    t = context.t
    blocks: list[Block] = [
        Heading(t("command.stats.org_title", group=org.group)),
        _ladder_facts(context, org),
    ]
    for department in departments:
        blocks += [
            Heading(t("command.stats.org_title", group=department.group)),
            _ladder_facts(context, department),
        ]
    blocks.append(Paragraph(t("figure.privacy_note", minimum=context.minimum)))
    return Card(tuple(blocks), fallback=t("command.stats.org_title", group=org.group))


def _ladder_facts(context: Context, ladder: Ladder) -> Facts:
    t = context.t
    rows = [(t("command.stats.org_people"), figure(t, ladder.people))]
    rows += [(t(f"rung.{rung}"), figure(t, ladder.rungs[rung])) for rung in reversed(RUNGS)]
    return Facts(tuple(rows))
