"""The animator report as one self-contained HTML page: inline CSS and SVG, no script, no
network. Built with ElementTree, so every name and pitch is escaped.

`build_report` gives the page for one community, or for the organisation: its ladder month
by month and its most alive communities (`TOP`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from xml.etree.ElementTree import Element, tostring

from babel.dates import format_date
from sqlmodel import Session

from bot.animators.roles import Actor
from bot.commands import community_name, figure, rhythm_word, silent_members
from bot.commands.lookup import find_community
from bot.i18n import Language, Translator
from bot.metrics import Suppressed, top_communities
from bot.metrics.example import Example
from bot.metrics.trend import LadderTrend, ladder_trend
from bot.report.charts import (
    campaigns_table,
    column_chart,
    figure_block,
    funnel_chart,
    ladder_chart,
    shape,
    silent_chart,
    trend_chart,
)
from bot.report.data import CommunityReport, community_report
from bot.settings import Settings
from bot.storage.models import Community

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 760px; color: #1f2933; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #3b7dd8; }
figure { margin: 1rem 0 1.5rem; } figcaption { font-weight: 600; margin-bottom: .3rem; }
svg text { font-size: 11px; fill: #1f2933; } svg text.axis { fill: #52606d; }
dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }
dt { color: #52606d; } dd { margin: 0; }
table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #e4e7eb;
  padding: .3rem .4rem; text-align: left; } .hidden-note, footer { color: #52606d; }
"""


def render_page(
    t: Translator,
    as_of: date,
    reports: Sequence[CommunityReport],
    trend: LadderTrend | None,
    minimum: int,
) -> str:
    html = Element("html", {"lang": t.language})
    head = shape(html, "head")
    shape(head, "meta", charset="utf-8")
    shape(head, "title", t("report.title"))
    shape(head, "style", STYLE)
    body = shape(html, "body")
    shape(body, "h1", t("report.title"))
    shape(body, "p", t("report.as_of", date=format_date(as_of, "long", locale=t.language)))
    if trend is not None:
        section = shape(body, "section", id="organisation")
        shape(section, "h2", t("report.org_title"))
        figure_block(section, t("report.ladder"), ladder_chart(t, trend.organisation[-1]))
        figure_block(section, t("trend.title"), trend_chart(t, trend))
        rungs = [value for ladder in trend.organisation for value in ladder.rungs.values()]
        if any(isinstance(value, Suppressed) for value in rungs):
            shape(section, "p", t("trend.hidden_months"), class_="hidden-note")
    if not reports:
        shape(body, "p", t("report.empty"), class_="hidden-note")
    for report in reports:
        community_section(body, t, report)
    shape(body, "footer", t("figure.privacy_note", minimum=minimum))
    return "<!DOCTYPE html>\n" + tostring(html, encoding="unicode", method="html")


def community_section(body: Element, t: Translator, report: CommunityReport) -> None:
    stats = report.stats
    section = shape(body, "section", class_="community", id=f"community-{report.community.id}")
    community = report.community
    shape(section, "h2", f"#{community_name(t, community.name, community.external_id)}")
    facts = shape(section, "dl")
    rhythm = stats.rhythm
    rhythm_text = figure(t, rhythm) if isinstance(rhythm, Suppressed) else rhythm_word(t, rhythm)
    for label, value in (
        (t("report.rhythm"), rhythm_text),
        (t("command.stats.members"), figure(t, stats.members)),
        (t("command.stats.contributors"), figure(t, stats.contributors)),
        (t("command.stats.silent"), silent_members(t, stats)),
        (t("command.stats.regulars"), figure(t, stats.regulars)),
    ):
        shape(facts, "dt", label)
        shape(facts, "dd", value)
    if report.example is not None:
        _example(section, t, report.community.name or report.community.external_id, report.example)
    weekly = stats.weekly_posts
    figure_block(
        section,
        t("report.weekly"),
        t("report.hidden_activity", minimum=weekly.minimum)
        if isinstance(weekly, Suppressed)
        else column_chart(t("report.weekly"), weekly, report.week_labels),
    )
    figure_block(section, t("report.ladder"), ladder_chart(t, report.ladder))
    figure_block(section, t("report.silent_trend"), silent_chart(t, report))
    if any(isinstance(value, Suppressed) for _, value in report.silent_trend):
        shape(section, "p", t("report.hidden_points"), class_="hidden-note")
    figure_block(section, t("report.funnel"), funnel_chart(t, report.funnel))
    campaigns_table(section, t, report.campaigns)


def _example(section: Element, t: Translator, name: str, example: Example) -> None:
    """The example of the week, as in the digest and the health card, without the link
    (a report is read away from the chat)."""
    parts = []
    if example.thread is not None:
        thread = example.thread
        parts.append(
            t(
                "follow_example.report_thread",
                replies=t.number(thread.replies),
                reactions=t.number(thread.reactions),
            )
        )
    parts.append(t("follow_example.new_regulars", count=figure(t, example.new_regulars)))
    if example.animators:
        names = ", ".join(a.name for a in example.animators)
        parts.append(t("follow_example.animated_by", names=names))
    paragraph = shape(section, "p", class_="example")
    shape(paragraph, "strong", t("follow_example.label", name=name))
    shape(paragraph, "span", " · ".join(["", *parts]))


TOP = 10


def build_report(
    session: Session,
    settings: Settings,
    workspace_id: int,
    community: str | None,
    as_of: date,
    language: Language,
) -> str:
    """One community's page, or the organisation's ladder and its TOP most alive communities.
    An unknown community raises CommandError (with close names)."""
    minimum = settings.min_group_size
    trend = None
    if community is not None:
        chosen = [find_community(session, Actor(workspace_id, None, "cli"), community)]
    else:
        trend = ladder_trend(session, workspace_id, as_of, minimum)
        ranked = top_communities(session, workspace_id, as_of, minimum, limit=TOP)
        chosen = [
            found for c in ranked if (found := session.get(Community, c.community_id)) is not None
        ]
    reports = [community_report(session, settings, c, as_of) for c in chosen]
    return render_page(Translator(language), as_of, reports, trend, minimum)
