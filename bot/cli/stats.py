"""`engage stats`: the organisation's ladder and most alive communities, or one community."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date

import typer
from sqlmodel import Session

from bot.animators.roles import Actor
from bot.cli.context import day_option, settings_from
from bot.cli.funnel import print_funnel
from bot.cli.stats_render import (
    community_table,
    ladder_table,
    plain,
    print_tables,
    top_table,
    trend_tables,
)
from bot.cli.workspaces import choose_workspace
from bot.commands import CommandError, community_name
from bot.commands.lookup import find_community
from bot.errors import EngageError
from bot.i18n import Translator
from bot.metrics import (
    CommunityStats,
    Ladder,
    RankedCommunity,
    community_stats,
    org_ladders,
    top_communities,
)
from bot.metrics.trend import LadderTrend, ladder_trend
from bot.storage.database import Database
from bot.tracker.quarantine import inbox_health


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
