"""`engage stats --funnel`: suggested -> followed -> joined -> first post within 30 days."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import typer
from rich.table import Table
from sqlmodel import Session

from bot.animators.roles import Actor
from bot.cli.stats_render import plain, print_tables, shown
from bot.cli.workspaces import choose_workspace
from bot.commands import CommandError
from bot.commands.lookup import find_community
from bot.errors import EngageError
from bot.i18n import Translator
from bot.metrics.funnel import FIELDS, FollowSteps, FunnelFigures, follow_steps, funnel
from bot.settings import Settings
from bot.storage.database import Database

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
    table = Table(title=title, show_header=False)
    table.add_column(t("cli.funnel.stage"))
    table.add_column(t("cli.funnel.suggestions"), justify="right")
    for name in FIELDS:
        table.add_row(t(f"cli.funnel.row.{name}"), shown(getattr(figures, name), t=t))
    return table


def follow_steps_table(title: str, steps: FollowSteps, t: Translator) -> Table:
    table = Table(title=title, show_header=False)
    table.add_column(t("cli.funnel.stage"))
    table.add_column(t("cli.funnel.people"), justify="right")
    for name in STEPS:
        table.add_row(t(f"cli.funnel.follow_row.{name}"), shown(getattr(steps, name), t=t))
    return table


def _report(
    session: Session, workspace: str | None, community: str | None, day: date, minimum: int
) -> FunnelReport:
    chosen = choose_workspace(session, workspace)
    assert chosen.id is not None
    community_id, name = None, None
    if community is not None:
        try:
            found = find_community(session, Actor(chosen.id, None, "cli"), community)
        except CommandError as problem:
            raise EngageError.of(problem.key, **problem.values) from None
        community_id, name = found.id, found.name or found.external_id
    counts = funnel(session, chosen.id, day, community_id)
    steps = follow_steps(session, chosen.id, day, minimum, community_id)
    return FunnelReport(day, chosen.external_id, name, FunnelFigures.of(counts, minimum), steps)
