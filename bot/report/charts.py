"""The report's figures (ladder, ladder trend, silent share trend, funnel, campaign results)
and the inline SVG they are drawn in: columns, bars, lines, with ElementTree."""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree.ElementTree import Element, SubElement

from babel.dates import format_date

from bot.campaigns.form import CampaignView
from bot.commands import figure
from bot.i18n import Translator
from bot.metrics import Ladder, Suppressed
from bot.metrics.definitions import RUNGS
from bot.metrics.funnel import STEPS, WeeklyFunnel
from bot.metrics.trend import LadderTrend
from bot.report.data import CommunityReport


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


def funnel_chart(t: Translator, funnel: WeeklyFunnel) -> Element | str:
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


WIDTH, HEIGHT = 640, 220
LEFT, BOTTOM, TOP = 40, 28, 18
BAR, LINE, MUTED = "#3b7dd8", "#d8613b", "#9aa5b1"


def shape(parent: Element, tag: str, text: str | None = None, **attrs: float | str) -> Element:
    """A child element; `class_` -> class, `stroke_width` -> stroke-width, numbers rounded."""
    names = {key.rstrip("_").replace("_", "-"): value for key, value in attrs.items()}
    element = SubElement(
        parent,
        tag,
        {k: f"{v:.1f}" if isinstance(v, float) else str(v) for k, v in names.items()},
    )
    element.text = text
    return element


def _svg(title: str, width: int, height: int) -> Element:
    svg = Element("svg", {"xmlns": "http://www.w3.org/2000/svg", "role": "img"})
    svg.set("viewBox", f"0 0 {width} {height}")
    svg.set("width", str(width))
    svg.set("height", str(height))
    svg.set("aria-label", title)
    shape(svg, "title", title)
    return svg


def column_chart(title: str, values: Sequence[int], labels: Sequence[str]) -> Element:
    """One bar per period (such as posts per ISO week), with its value above it."""
    svg = _svg(title, WIDTH, HEIGHT)
    top = max(values, default=0) or 1
    plot = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(values), 1)
    base = HEIGHT - BOTTOM
    shape(svg, "line", x1=LEFT, x2=WIDTH, y1=base, y2=base, stroke=MUTED)
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        height = plot * value / top
        x = LEFT + i * slot + slot * 0.15
        middle = x + slot * 0.35
        shape(svg, "rect", class_="bar", x=x, y=base - height, width=slot * 0.7, height=height,
              fill=BAR)  # fmt: skip
        shape(svg, "text", str(value), x=middle, y=base - height - 4, text_anchor="middle")
        shape(svg, "text", label, x=middle, y=HEIGHT - 8, text_anchor="middle", class_="axis")
    return svg


def bar_list(title: str, items: Sequence[tuple[str, int | None, str]]) -> Element:
    """Horizontal bars: (label, value or None when hidden, the words beside the bar)."""
    row, label_width = 30, 170
    svg = _svg(title, WIDTH, TOP + row * len(items) + 8)
    top = max((value for _, value, _ in items if value is not None), default=0) or 1
    room = WIDTH - label_width - 150
    for i, (label, value, words) in enumerate(items):
        y = TOP + i * row
        shape(svg, "text", label, x=0, y=y + 15, class_="axis")
        if value is None:
            width = 24.0
            shape(svg, "rect", class_="hidden", x=label_width, y=y + 3, width=width, height=16,
                  fill="none", stroke=MUTED, stroke_dasharray="3 2")  # fmt: skip
        else:
            width = room * value / top
            shape(svg, "rect", class_="bar", x=label_width, y=y + 3, width=width, height=16,
                  fill=BAR)  # fmt: skip
        shape(svg, "text", words, x=label_width + width + 6, y=y + 15)
    return svg


def share_line(title: str, shares: Sequence[float | None], labels: Sequence[str]) -> Element:
    """Shares (0..1) over time on a 0-100% axis; hidden points leave a gap."""
    svg = _svg(title, WIDTH, HEIGHT)
    plot = HEIGHT - BOTTOM - TOP
    base = HEIGHT - BOTTOM
    step = (WIDTH - LEFT - 50) / max(len(shares) - 1, 1)
    for level in (0.0, 0.5, 1.0):
        y = base - plot * level
        shape(svg, "line", x1=LEFT, x2=WIDTH, y1=y, y2=y, stroke=MUTED, stroke_width="0.5")
        shape(svg, "text", f"{level:.0%}", x=2, y=y + 4, class_="axis")
    points = []
    for i, (value, label) in enumerate(zip(shares, labels, strict=True)):
        x = LEFT + 10 + i * step
        shape(svg, "text", label, x=x, y=HEIGHT - 8, text_anchor="middle", class_="axis")
        if value is not None:
            y = base - plot * value
            points.append(f"{x:.1f},{y:.1f}")
            shape(svg, "circle", class_="point", cx=x, cy=y, r=4, fill=LINE)
    if len(points) > 1:
        shape(svg, "polyline", class_="line", points=" ".join(points), fill="none", stroke=LINE,
              stroke_width=2)  # fmt: skip
    return svg


PALETTE = ("#3b7dd8", "#d8613b", "#2f9e6e", "#9b59b6", "#c9a227", "#5d6d7e")


def lines_chart(
    title: str, series: Sequence[tuple[str, Sequence[int | None]]], labels: Sequence[str]
) -> Element:
    """Counts over time, one line per series with its legend; hidden points leave a gap."""
    legend = 130
    svg = _svg(title, WIDTH, HEIGHT)
    plot = HEIGHT - BOTTOM - TOP
    base = HEIGHT - BOTTOM
    known = [value for _, values in series for value in values if value is not None]
    top = max(known, default=0) or 1
    step = (WIDTH - LEFT - legend - 20) / max(len(labels) - 1, 1)
    shape(svg, "line", x1=LEFT, x2=WIDTH - legend, y1=base, y2=base, stroke=MUTED)
    shape(svg, "text", str(top), x=2, y=TOP + 4, class_="axis")
    for i, label in enumerate(labels):
        x = LEFT + 10 + i * step
        shape(svg, "text", label, x=x, y=HEIGHT - 8, text_anchor="middle", class_="axis")
    for number, (name, values) in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for i, value in enumerate(values):
            if value is None:
                runs.append([])
                continue
            x, y = LEFT + 10 + i * step, base - plot * value / top
            runs[-1].append(f"{x:.1f},{y:.1f}")
            shape(svg, "circle", class_="point", cx=x, cy=y, r=3, fill=colour)
        for run in (run for run in runs if len(run) > 1):
            shape(svg, "polyline", class_="line", points=" ".join(run), fill="none",
                  stroke=colour, stroke_width=2)  # fmt: skip
        y = TOP + number * 18
        shape(svg, "rect", x=WIDTH - legend + 6, y=y - 8, width=10, height=10, fill=colour)
        shape(svg, "text", name, x=WIDTH - legend + 22, y=y + 1, class_="axis")
    return svg
