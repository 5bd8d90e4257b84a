"""The figures on the command line: `engage stats` and `engage report`.

`engage stats` prints the organisation's ladder and most alive communities, or one
community's health, or (`--trend`) the ladder month by month, (`--funnel`) suggested ->
followed -> joined -> first post within 30 days, or (`--health`) the inbox's backlog; as
rich tables or, with `--json`, JSON where suppressed figures become
{"suppressed": true, "minimum": k}. `engage report` writes the animator report as one
self-contained HTML page. The tables are shared with the demo.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, is_dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from bot.cli.context import choose_workspace, day_option, output_path, settings_from
from bot.errors import EngageError
from bot.i18n import Translator, catalog, language_for

if TYPE_CHECKING:
    from rich.table import Table
    from sqlmodel import Session

    from bot.metrics import CommunityStats, Ladder, RankedCommunity
    from bot.metrics.funnel import FollowSteps, FunnelFigures
    from bot.metrics.trend import LadderTrend
    from bot.settings import Settings


def stats_command(
    community: str | None = typer.Option(None, "--community", "-c", help="Community id or name."),
    as_of: str | None = typer.Option(None, "--as-of", help="Compute as of this date (YYYY-MM-DD)."),
    workspace: str | None = typer.Option(None, help="Workspace external id, if several."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
    funnel: bool = typer.Option(
        False, "--funnel", help="The suggestion funnel: suggested, followed, joined, first post."
    ),
    health: bool = typer.Option(
        False, "--health", help="Events waiting to be folded into the figures, and quarantined."
    ),
    trend: bool = typer.Option(
        False, "--trend", help="The ladder month by month for 12 months: organisation, departments."
    ),
) -> None:
    """Community health (rhythm, breadth, silence) or the organisation's engagement ladder."""
    from bot.commands import community_name
    from bot.storage.database import Database

    settings = settings_from()
    t = Translator(settings.operator_language)
    if health:
        print_health(settings.database_url, as_json, t)
        return
    day = day_option(as_of)
    if funnel:
        print_funnel(settings, workspace, community, day, as_json)
        return
    minimum = settings.min_group_size
    if trend:
        print_trend(settings.database_url, workspace, day, minimum, as_json, t)
        return
    database = Database(settings.database_url, threads=1)
    try:
        result = database.read_sync(
            lambda session: _compute(session, workspace, community, day, minimum)
        )
    finally:
        database.close()
    if as_json:
        typer.echo(json.dumps(plain(result), indent=2, ensure_ascii=False))
    elif isinstance(result, CommunityReport):
        print_tables(community_table(community_name(t, result.name, result.id), result.stats, t))
    else:
        ladders = [result.organisation, *result.departments]
        print_tables(ladder_table(ladders, day, t), top_table(result.top, t))


@dataclass(frozen=True)
class OrgReport:
    as_of: date
    workspace: str
    organisation: Ladder
    departments: list[Ladder]
    top: list[RankedCommunity]


@dataclass(frozen=True)
class CommunityReport:
    as_of: date
    id: str
    name: str
    stats: CommunityStats


def _compute(
    session: Session, workspace: str | None, community: str | None, day: date, minimum: int
) -> OrgReport | CommunityReport:
    from bot.animators.roles import Actor
    from bot.commands import CommandError
    from bot.commands.lookup import find_community
    from bot.metrics import community_stats, org_ladders, top_communities

    chosen = choose_workspace(session, workspace)
    assert chosen.id is not None
    if community is None:
        organisation, departments = org_ladders(session, chosen.id, day, minimum)
        top = top_communities(session, chosen.id, day, minimum, limit=10)
        return OrgReport(day, chosen.external_id, organisation, departments, top)
    try:
        found = find_community(session, Actor(chosen.id, None, "cli"), community)
    except CommandError as problem:
        raise EngageError.of(problem.key, **problem.values) from None
    assert found.id is not None
    stats = community_stats(session, found.id, day, minimum)
    return CommunityReport(day, found.external_id, found.name, stats)


def print_trend(
    database_url: str, workspace: str | None, day: date, minimum: int, as_json: bool, t: Translator
) -> None:
    from bot.metrics.trend import ladder_trend
    from bot.storage.database import Database

    def compute(session: Session) -> LadderTrend:
        chosen = choose_workspace(session, workspace)
        assert chosen.id is not None
        return ladder_trend(session, chosen.id, day, minimum)

    database = Database(database_url, threads=1)
    try:
        months = database.read_sync(compute)
    finally:
        database.close()
    if as_json:
        typer.echo(json.dumps(plain(months), indent=2, ensure_ascii=False))
    else:
        print_tables(*trend_tables(months, t))


def print_health(database_url: str, as_json: bool, t: Translator) -> None:
    from bot.storage.database import Database
    from bot.tracker.inbox import inbox_health

    database = Database(database_url, threads=1)
    try:
        inbox = database.read_sync(inbox_health)
    finally:
        database.close()
    oldest = inbox.oldest_pending
    if as_json:
        figures = asdict(inbox) | {"oldest_pending": oldest and oldest.isoformat()}
        typer.echo(json.dumps(figures, indent=2))
        return
    since = t("cli.health.since", moment=t.moment(oldest, "format.datetime")) if oldest else ""
    typer.echo(t("cli.health.inbox", count=t.number(inbox.pending), since=since))
    typer.echo(t("cli.health.quarantined", count=t.number(inbox.quarantined)))
    if inbox.quarantined:
        typer.echo(t("cli.health.quarantine_note"))


ENGLISH = Translator("en")


def plain(value: Any) -> Any:
    """JSON-ready: suppressed figures become {"suppressed": true, "minimum": k}."""
    from bot.metrics import Suppressed

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
    from bot.commands import rhythm_word
    from bot.metrics import Suppressed

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
    from rich.table import Table

    from bot.cards import sparkline
    from bot.metrics import Suppressed

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
    from rich.table import Table

    from bot.metrics.definitions import RUNGS

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
    from rich.table import Table

    from bot.cards import sparkline
    from bot.metrics.definitions import RUNGS

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
    from rich.table import Table

    from bot.commands import community_name

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
    from rich.console import Console

    console = Console()
    for table in tables:
        console.print(table)


STEPS = ("followed", "asked", "joined")


@dataclass(frozen=True)
class FunnelReport:
    as_of: date
    workspace: str
    community: str | None
    funnel: FunnelFigures
    follow_steps: FollowSteps


def print_funnel(
    settings: Settings, workspace: str | None, community: str | None, day: date, as_json: bool
) -> None:
    from bot.storage.database import Database

    database = Database(settings.database_url, threads=1)
    try:
        report = database.read_sync(
            lambda session: _report(session, workspace, community, day, settings.min_group_size)
        )
    finally:
        database.close()
    if as_json:
        typer.echo(json.dumps(plain(report), indent=2, ensure_ascii=False))
        return
    t = Translator(settings.operator_language)
    scope = f"#{report.community}" if report.community else report.workspace
    title = t("cli.funnel.title", scope=scope, day=t.date(report.as_of))
    follow_title = t("cli.funnel.follow_title", scope=scope, day=t.date(report.as_of))
    print_tables(
        funnel_table(title, report.funnel, t),
        follow_steps_table(follow_title, report.follow_steps, t),
    )


def funnel_table(title: str, figures: FunnelFigures, t: Translator) -> Table:
    from rich.table import Table

    from bot.metrics.funnel import FIELDS

    table = Table(title=title, show_header=False)
    table.add_column(t("cli.funnel.stage"))
    table.add_column(t("cli.funnel.suggestions"), justify="right")
    for name in FIELDS:
        table.add_row(t(f"cli.funnel.row.{name}"), shown(getattr(figures, name), t=t))
    return table


def follow_steps_table(title: str, steps: FollowSteps, t: Translator) -> Table:
    from rich.table import Table

    table = Table(title=title, show_header=False)
    table.add_column(t("cli.funnel.stage"))
    table.add_column(t("cli.funnel.people"), justify="right")
    for name in STEPS:
        table.add_row(t(f"cli.funnel.follow_row.{name}"), shown(getattr(steps, name), t=t))
    return table


def _report(
    session: Session, workspace: str | None, community: str | None, day: date, minimum: int
) -> FunnelReport:
    from bot.animators.roles import Actor
    from bot.commands import CommandError
    from bot.commands.lookup import find_community
    from bot.metrics.funnel import FunnelFigures

    chosen = choose_workspace(session, workspace)
    assert chosen.id is not None
    community_id, name = None, None
    if community is not None:
        try:
            found = find_community(session, Actor(chosen.id, None, "cli"), community)
        except CommandError as problem:
            raise EngageError.of(problem.key, **problem.values) from None
        community_id, name = found.id, found.name or found.external_id
    from bot.metrics.funnel import follow_steps, funnel

    counts = funnel(session, chosen.id, day, community_id)
    steps = follow_steps(session, chosen.id, day, minimum, community_id)
    return FunnelReport(day, chosen.external_id, name, FunnelFigures.of(counts, minimum), steps)


def report_command(
    out: Path = typer.Option(..., "--out", help="Where to write the HTML page."),
    community: str | None = typer.Option(None, "--community", "-c", help="Community id or name."),
    as_of: str | None = typer.Option(None, "--as-of", help="Compute as of this date (YYYY-MM-DD)."),
    lang: str | None = typer.Option(
        None, "--lang", help="Language of the page: en or fr (default: the operator's)."
    ),
    workspace: str | None = typer.Option(None, help="Workspace external id, if several."),
) -> None:
    """Weekly activity, ladder, silent share trend, funnel and campaign results, as HTML."""
    from bot.commands import CommandError
    from bot.report.page import build_report
    from bot.storage.database import Database

    if lang not in (None, "en", "fr"):
        raise EngageError.of("cli.error.report_lang", lang=repr(lang))
    output_path(out)
    day = day_option(as_of)
    settings = settings_from()
    language = language_for(lang) if lang else settings.operator_language
    database = Database(settings.database_url, threads=1)

    def build(session: Session) -> str:
        chosen = choose_workspace(session, workspace)
        assert chosen.id is not None
        try:
            return build_report(session, settings, chosen.id, community, day, language)
        except CommandError as problem:
            raise EngageError.of(problem.key, **problem.values) from None

    try:
        page = database.read_sync(build)
    finally:
        database.close()
    out.write_text(page, encoding="utf-8")
    typer.echo(Translator(settings.operator_language)("cli.files.wrote", path=out))
