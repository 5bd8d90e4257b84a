"""Rich rendering and JSON shapes of the metrics for `engage stats`."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date
from typing import Any

from rich.console import Console
from rich.table import Table

from bot.cards import sparkline
from bot.commands.format import community_name
from bot.i18n import Translator
from bot.metrics import CommunityStats, Ladder, RankedCommunity, Suppressed
from bot.metrics.ladder import RUNGS
from bot.metrics.trend import LadderTrend

ENGLISH = Translator("en")


def plain(value: Any) -> Any:
    """JSON-ready: suppressed figures become {"suppressed": true, "minimum": k}."""
    if isinstance(value, Suppressed):
        shape: dict[str, Any] = {"suppressed": True, "minimum": value.minimum}
        return shape | {"complementary": True} if value.complementary else shape
    if isinstance(value, date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {item.name: plain(getattr(value, item.name)) for item in fields(value)}
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def shown(value: object, style: str = "") -> str:
    """`style` is "" (as is), "percent" (47%) or "change" (+50%)."""
    if isinstance(value, Suppressed):
        return "[dim]hidden[/dim]" if value.complementary else f"[dim]< {value.minimum}[/dim]"
    if value is None:
        return "—"
    if style and isinstance(value, float):
        return f"{value:+.0%}" if style == "change" else f"{value:.0%}"
    return str(value)


def community_table(name: str, stats: CommunityStats) -> Table:
    table = Table(title=f"#{name} — as of {stats.as_of}", show_header=False)
    table.add_column("figure")
    table.add_column("value")
    weekly = stats.weekly_posts
    series = (
        shown(weekly) if isinstance(weekly, Suppressed) else f"{sparkline(weekly)}  {list(weekly)}"
    )
    rows = [
        ("rhythm", shown(stats.rhythm)),
        ("active weeks (of 12)", shown(stats.active_weeks)),
        ("posts per week (12 weeks)", series),
        ("members", shown(stats.members)),
        ("contributors (28 days)", shown(stats.contributors)),
        ("reactors only (28 days)", shown(stats.reactors)),
        ("silent members", shown(stats.silent)),
        ("silent share", shown(stats.silent_share, "percent")),
        ("regulars (≥ 9 of 12 weeks)", shown(stats.regulars)),
        ("days with posts (of 28)", shown(stats.days_active_ratio, "percent")),
        ("posts, last 28 days", shown(stats.posts)),
        ("posts, previous 28 days", shown(stats.previous_posts)),
        ("momentum", shown(stats.momentum, "change")),
    ]
    for label, value in rows:
        table.add_row(label, value)
    return table


def ladder_table(ladders: list[Ladder], as_of: date) -> Table:
    table = Table(title=f"Engagement ladder — 28 days ending {as_of}")
    table.add_column("group", no_wrap=True)
    table.add_column("people", justify="right")
    for rung in reversed(RUNGS):
        table.add_column(rung + "s", justify="right")
    for ladder in ladders:
        cells = [shown(ladder.rungs[rung]) for rung in reversed(RUNGS)]
        table.add_row(ladder.group, shown(ladder.people), *cells)
    return table


def trend_tables(trend: LadderTrend) -> list[Table]:
    """Per group, a row per month and a column per rung, then the months as sparklines."""
    groups = [("organisation", trend.organisation), *trend.departments.items()]
    columns = ("people", *(rung + "s" for rung in reversed(RUNGS)))
    tables = []
    for name, history in groups:
        series = [[ladder and ladder.people for ladder in history]] + [
            [ladder and ladder.rungs[rung] for ladder in history] for rung in reversed(RUNGS)
        ]
        table = Table(title=f"{name} — engagement ladder, month by month (28 days ending each)")
        table.add_column("month", no_wrap=True)
        for column in columns:
            table.add_column(column, justify="right")
        for month, end in enumerate(trend.months):
            table.add_row(f"{end:%Y-%m}", *(shown(values[month]) for values in series))
        marks = [sparkline([v if isinstance(v, int) else None for v in row]) for row in series]
        table.add_row("trend", *marks)
        tables.append(table)
    return tables


def top_table(ranked: list[RankedCommunity]) -> Table:
    table = Table(title="Most alive communities (rhythm, then breadth)")
    for column in ("community", "rhythm", "active weeks", "contributors (28 d)", "posts (28 d)"):
        table.add_column(column)
    for community in ranked:
        table.add_row(
            f"#{community_name(ENGLISH, community.name, community.external_id)}",
            community.rhythm,
            f"{community.active_weeks}/12",
            str(community.contributors),
            str(community.posts),
        )
    return table


def print_tables(*tables: Table) -> None:
    console = Console()
    for table in tables:
        console.print(table)
