"""The report's figures: ladder, silent share trend, funnel and campaign results."""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree.ElementTree import Element

from babel.dates import format_date

from bot.campaigns.form import CampaignView
from bot.campaigns.results import STEPS, Funnel
from bot.commands import figure
from bot.i18n import Translator
from bot.metrics import Ladder, Suppressed
from bot.metrics.ladder import RUNGS
from bot.metrics.trend import LadderTrend
from bot.report.data import CommunityReport
from bot.report.svg import bar_list, column_chart, lines_chart, shape, share_line


def figure_block(parent: Element, caption: str, chart: Element | str) -> None:
    figure_element = shape(parent, "figure", class_="chart")
    shape(figure_element, "figcaption", caption)
    if isinstance(chart, str):
        shape(figure_element, "p", chart, class_="hidden-note")
    else:
        figure_element.append(chart)


def ladder_chart(t: Translator, ladder: Ladder) -> Element | str:
    if isinstance(ladder.people, Suppressed):
        return t("report.hidden_group", minimum=ladder.people.minimum)
    rows = []
    for rung in reversed(RUNGS):
        value = ladder.rungs[rung]
        rows.append(
            (t(f"rung.{rung}"), None if isinstance(value, Suppressed) else value, figure(t, value))
        )
    return bar_list(t("report.ladder"), rows)


def trend_chart(t: Translator, trend: LadderTrend) -> Element | str:
    """The organisation's rungs month by month."""
    series = [
        (
            t(f"rung.{rung}"),
            [
                value if isinstance(value := ladder.rungs[rung], int) else None
                for ladder in trend.organisation
            ],
        )
        for rung in reversed(RUNGS)
    ]
    if all(value is None for _, values in series for value in values):
        return t("trend.hidden_months")
    labels = [format_date(end, "MMM yy", locale=t.language) for end in trend.months]
    return lines_chart(t("trend.chart", months=len(trend.months)), series, labels)


def silent_chart(t: Translator, report: CommunityReport) -> Element | str:
    values = [None if isinstance(s, Suppressed) else s for _, s in report.silent_trend]
    if all(value is None for value in values):
        return t("report.hidden_silent")
    labels = [format_date(day, "d MMM", locale=t.language) for day, _ in report.silent_trend]
    return share_line(t("report.silent_trend"), values, labels)


def funnel_chart(t: Translator, funnel: Funnel) -> Element | str:
    if isinstance(funnel.counts["sent"], Suppressed):
        return t("report.hidden_funnel", minimum=funnel.minimum)
    rows = []
    for step in (*STEPS, "dismissed"):
        value = funnel.counts[step]
        rows.append(
            (
                t(f"campaign.results.{step}"),
                None if isinstance(value, Suppressed) else value,
                figure(t, value),
            )
        )
    return bar_list(t("report.funnel"), rows)


def campaigns_table(section: Element, t: Translator, views: Sequence[CampaignView]) -> None:
    shape(section, "h3", t("report.campaigns"))
    if not views:
        shape(section, "p", t("report.no_campaigns"), class_="hidden-note")
        return
    table = shape(section, "table", class_="campaigns")
    header = shape(table, "tr")
    for label in (t("campaign.field.name"), t("campaign.field.state"), t("campaign.card.dates")):
        shape(header, "th", label)
    for step in (*STEPS, "dismissed"):
        shape(header, "th", t(f"campaign.results.{step}"))
    for view in views:
        row = shape(table, "tr")
        shape(row, "td", view.campaign.name)
        shape(row, "td", t(f"campaign.state.{view.campaign.state}"))
        shape(row, "td", t("campaign.card.dates_value", start=view.starts_on, end=view.ends_on))
        for step in (*STEPS, "dismissed"):
            shape(row, "td", figure(t, view.funnel.counts[step]))
    for view in views:
        weekly = view.funnel.weekly
        if not isinstance(weekly, Suppressed):
            title = t("report.campaign_weekly", name=view.campaign.name)
            figure_block(section, title, column_chart(title, weekly["sent"], view.funnel.weeks))
