"""Rich rendering and JSON shapes of the metrics for `engage stats`."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date
from typing import Any

from rich.console import Console
from rich.table import Table

from bot.cards import sparkline
from bot.commands import community_name, rhythm_word
from bot.i18n import Translator, catalog
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


ENGLISH = Translator("en")


def shown(value: object, style: str = "", t: Translator = ENGLISH) -> str:
    """`style` is "" (as is), "percent" (47%) or "change" (+50%); numbers in `t`'s language."""
    if isinstance(value, Suppressed):
        if value.complementary:
            return f"[dim]{t('figure.withheld')}[/dim]"
        return f"[dim]< {value.minimum}[/dim]"
    if value is None:
        return "—"
    if style and isinstance(value, float):
        sign = "+" if style == "change" and value >= 0 else ""
        return sign + t.percent(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return t.number(value)
    if isinstance(value, str) and (f"rhythm.{value}" in catalog("en") or value == "new"):
        return rhythm_word(t, value)
    return str(value)


def community_table(name: str, stats: CommunityStats, t: Translator = ENGLISH) -> Table:
    table = Table(
        title=t("cli.stats.community_title", name=name, day=t.date(stats.as_of)),
        show_header=False,
    )
    table.add_column(t("cli.stats.figure"))
    table.add_column(t("cli.stats.value"))
    weekly = stats.weekly_posts
    series = (
        shown(weekly) if isinstance(weekly, Suppressed) else f"{sparkline(weekly)}  {list(weekly)}"
    )
    rows = [
        ("rhythm", shown(stats.rhythm, t=t)),
        ("active_weeks", shown(stats.active_weeks, t=t)),
        ("weekly_posts", series),
        ("members", shown(stats.members, t=t)),
        ("contributors", shown(stats.contributors, t=t)),
        ("reactors", shown(stats.reactors, t=t)),
        ("silent", shown(stats.silent, t=t)),
        ("silent_share", shown(stats.silent_share, "percent", t)),
        ("regulars", shown(stats.regulars, t=t)),
        ("days_active", shown(stats.days_active_ratio, "percent", t)),
        ("posts", shown(stats.posts, t=t)),
        ("previous_posts", shown(stats.previous_posts, t=t)),
        ("momentum", shown(stats.momentum, "change", t)),
    ]
    for label, value in rows:
        table.add_row(t(f"cli.stats.row.{label}"), value)
    return table


def ladder_table(ladders: list[Ladder], as_of: date, t: Translator = ENGLISH) -> Table:
    table = Table(title=t("cli.stats.ladder_title", day=t.date(as_of)))
    table.add_column(t("cli.stats.group"), no_wrap=True)
    table.add_column(t("cli.stats.people"), justify="right")
    for rung in reversed(RUNGS):
        table.add_column(t(f"rung.{rung}"), justify="right")
    for ladder in ladders:
        cells = [shown(ladder.rungs[rung], t=t) for rung in reversed(RUNGS)]
        table.add_row(ladder.group, shown(ladder.people, t=t), *cells)
    return table


def trend_tables(trend: LadderTrend, t: Translator = ENGLISH) -> list[Table]:
    """Per group, a row per month and a column per rung, then the months as sparklines."""
    groups = [(t("cli.trend.organisation"), trend.organisation), *trend.departments.items()]
    columns = [t("command.stats.org_people"), *(t(f"rung.{rung}") for rung in reversed(RUNGS))]
    tables = []
    for name, history in groups:
        series = [[ladder and ladder.people for ladder in history]] + [
            [ladder and ladder.rungs[rung] for ladder in history] for rung in reversed(RUNGS)
        ]
        table = Table(title=t("cli.trend.title", group=name))
        table.add_column(t("cli.trend.month"), no_wrap=True)
        for column in columns:
            table.add_column(column, justify="right")
        for month, end in enumerate(trend.months):
            table.add_row(f"{end:%Y-%m}", *(shown(values[month], t=t) for values in series))
        marks = [sparkline([v if isinstance(v, int) else None for v in row]) for row in series]
        table.add_row(t("cli.trend.sparkline"), *marks)
        tables.append(table)
    return tables


def top_table(ranked: list[RankedCommunity], t: Translator = ENGLISH) -> Table:
    table = Table(title=t("cli.stats.top_title"))
    for column in ("community", "rhythm", "active_weeks", "contributors", "posts"):
        table.add_column(t(f"cli.stats.column.{column}"))
    for community in ranked:
        table.add_row(
            f"#{community_name(t, community.name, community.external_id)}",
            shown(community.rhythm, t=t),
            f"{community.active_weeks}/12",
            shown(community.contributors, t=t),
            shown(community.posts, t=t),
        )
    return table


def print_tables(*tables: Table) -> None:
    console = Console()
    for table in tables:
        console.print(table)
