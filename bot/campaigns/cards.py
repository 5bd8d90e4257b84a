"""Campaigns as neutral cards: settings, the eligible count, results and what to do next."""

from __future__ import annotations

from collections.abc import Sequence

from bot.campaigns.results import STEPS, Funnel
from bot.campaigns.spec import TRANSITIONS, Problem
from bot.campaigns.view import CampaignView
from bot.cards import Actions, Block, Button, Card, Chart, Facts, Heading, Paragraph
from bot.commands import COMMAND_ACTION, figure, share
from bot.i18n import Translator
from bot.metrics.figures import Suppressed


def audience_text(t: Translator, view: CampaignView) -> str:
    names = ", ".join(
        f"#{name}" if name is not None else t("campaign.card.private_community")
        for name in view.audience_names
    )
    department = view.audience.department or ""
    return t(f"campaign.audience_is.{view.audience.kind}", names=names, department=department)


def campaign_card(t: Translator, view: CampaignView, *, may_configure: bool) -> Card:
    campaign = view.campaign
    title = t(
        "campaign.card.title",
        name=campaign.name,
        community=view.community.name,
        state=t(f"campaign.state.{campaign.state}"),
    )
    facts = [(t(f"campaign.field.pitch_{lang}"), words) for lang, words in campaign.pitch.items()]
    dates = t("campaign.card.dates_value", start=view.starts_on, end=view.ends_on)
    sends = t.number(campaign.max_sends) if campaign.max_sends else t("figure.none")
    facts += [
        (t("campaign.field.audience"), audience_text(t, view)),
        (t("campaign.card.dates"), dates),
        (t("campaign.field.max_sends"), sends),
        (t("campaign.field.boost"), f"×{t.number(campaign.boost)}"),
        (t("campaign.card.eligible"), figure(t, view.eligible)),
    ]
    blocks: list[Block] = [Heading(title), Facts(tuple(facts)), *funnel_blocks(t, view.funnel)]
    buttons = tuple(
        Button(t(f"campaign.verb.{verb}"), COMMAND_ACTION, f"campaign {verb} {campaign.id}")
        for verb, (sources, _) in TRANSITIONS.items()
        if campaign.state in sources
    )
    if may_configure and buttons:
        blocks.append(Actions(buttons))
    return Card(tuple(blocks), fallback=title)


def funnel_blocks(t: Translator, funnel: Funnel) -> list[Block]:
    rows = []
    for step in (*STEPS, "dismissed"):
        value = figure(t, funnel.counts[step])
        rate = funnel.conversions.get(step)
        if rate is not None and not isinstance(rate, Suppressed):
            value = t(f"campaign.results.rate_{step}", count=value, share=share(t, rate))
        rows.append((t(f"campaign.results.{step}"), value))
    blocks: list[Block] = [Heading(t("campaign.results.title")), Facts(tuple(rows))]
    if not isinstance(funnel.weekly, Suppressed):
        for step in ("sent", "joined"):
            blocks.append(
                Chart(t(f"campaign.results.weekly_{step}"), funnel.weekly[step], funnel.weeks)
            )
    blocks.append(Paragraph(t("figure.privacy_note", minimum=funnel.minimum)))
    return blocks


def problems_card(t: Translator, problems: Sequence[Problem], usage: str = "") -> Card:
    lines = [
        t(
            "campaign.problem.line",
            field=t(f"campaign.field.{p.field}"),
            problem=t(p.key, **p.values),
        )
        for p in problems
    ]
    blocks: list[Block] = [Heading(t("campaign.problem.title")), Paragraph("\n".join(lines))]
    if usage:
        blocks.append(Paragraph(t("campaign.usage_hint", usage=usage)))
    return Card(tuple(blocks), fallback=t("campaign.problem.title"))
