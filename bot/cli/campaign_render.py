"""Campaigns as rich tables and JSON for `engage campaign list|show`."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from bot.campaigns.form import CampaignView
from bot.campaigns.results import STEPS
from bot.cards import sparkline
from bot.cli.stats_render import ENGLISH, plain, shown
from bot.i18n import Translator
from bot.metrics.figures import Suppressed
from bot.storage.models import Campaign, Community


def list_table(rows: list[tuple[Campaign, Community]], t: Translator = ENGLISH) -> Table:
    table = Table(title=t("cli.campaigns.title"))
    table.add_column("#")
    for column in ("name", "community", "state", "starts", "ends", "boost", "max_sends"):
        table.add_column(t(f"cli.campaigns.column.{column}"))
    for campaign, community in rows:
        table.add_row(
            str(campaign.id),
            campaign.name,
            f"#{community.name}",
            t(f"campaign.state.{campaign.state}"),
            campaign.starts_at.date().isoformat() if campaign.starts_at else "",
            campaign.ends_at.date().isoformat() if campaign.ends_at else "",
            f"×{campaign.boost:g}",
            str(campaign.max_sends or "—"),
        )
    return table


def view_data(view: CampaignView) -> dict[str, Any]:
    campaign = view.campaign
    audience = view.audience.as_json()
    if "communities" in audience:
        audience["communities"] = list(view.audience_names)
    return {
        "id": campaign.id,
        "name": campaign.name,
        "community": view.community.name,
        "state": campaign.state,
        "pitch": campaign.pitch,
        "audience": audience,
        "starts": view.starts_on.isoformat(),
        "ends": view.ends_on.isoformat(),
        "max_sends": campaign.max_sends,
        "boost": campaign.boost,
        "eligible": plain(view.eligible),
        "results": plain(view.funnel),
    }


def view_tables(view: CampaignView, t: Translator = ENGLISH) -> list[Table]:
    campaign = view.campaign
    title = t("cli.campaigns.show_title", id=campaign.id, name=campaign.name)
    settings = Table(title=title, show_header=False)
    settings.add_column(t("cli.campaigns.setting"))
    settings.add_column(t("cli.stats.value"))
    data = view_data(view) | {"state": t(f"campaign.state.{campaign.state}")}
    for name in ("community", "state", "audience", "starts", "ends", "max_sends", "boost"):
        settings.add_row(t(f"cli.campaigns.row.{name}"), str(data[name]))
    for language, words in campaign.pitch.items():
        settings.add_row(t("cli.campaigns.pitch", language=language), words)
    settings.add_row(t("cli.campaigns.reach"), shown(view.eligible, t=t))
    results = Table(title=t("cli.campaigns.results_title"))
    for column in ("step", "people", "conversion"):
        results.add_column(t(f"cli.campaigns.column.{column}"))
    funnel = view.funnel
    for step in (*STEPS, "dismissed"):
        rate = funnel.conversions.get(step)
        results.add_row(
            t(f"cli.campaigns.step.{step}"),
            shown(funnel.counts[step], t=t),
            shown(rate, "percent", t) if rate else "—",
        )
    tables = [settings, results]
    if not isinstance(funnel.weekly, Suppressed):
        weekly = Table(title=t("cli.campaigns.weekly_title"))
        weekly.add_column(t("cli.campaigns.column.step"))
        weekly.add_column(" ".join(funnel.weeks[:1] + funnel.weeks[-1:]))
        for step, values in funnel.weekly.items():
            weekly.add_row(t(f"cli.campaigns.step.{step}"), f"{sparkline(values)}  {list(values)}")
        tables.append(weekly)
    return tables
