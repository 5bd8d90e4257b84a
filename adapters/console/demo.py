"""`engage demo`: a workspace, its figures, and suggestions answered — without any token.

The workspace is generated (synth) or imported (a Slack export), then folded; the demo
prints the ladder, alive versus large communities and one health card, then lets people
ask for suggestions and answer them through the command router (`run_trials`), exactly as
they would on Slack or Teams, and ends with the funnel those answers make.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from rich.columns import Columns
from rich.console import Console
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from sqlalchemy import Row, func, select
from sqlmodel import Session

from adapters.console.gateway import PLATFORM, ConsoleGateway, render
from adapters.console.shell import (
    ConsoleClock,
    joined,
    record_and_fold,
    start_moment,
    the_workspace,
)
from adapters.slack.export import import_slack_export
from bot.cards import Card
from bot.cli.stats import community_table, funnel_table, ladder_table, shown
from bot.commands import Asker, Router, community_name
from bot.delivery import Recipient
from bot.events import utcnow
from bot.i18n import Translator
from bot.metrics import (
    CommunityStats,
    Ladder,
    RankedCommunity,
    community_stats,
    org_ladders,
    top_communities,
)
from bot.metrics.funnel import FunnelFigures, funnel
from bot.services import Services
from bot.storage.models import Person, Suggestion, Workspace
from bot.storage.tables import COMMUNITY, DAILY_ACTIVITY, MEMBERSHIP
from bot.synth import SynthSpec, build_world
from nudges.actions import full_router

SHOWN = 3
CROWD = 21


DEMO_WORKSPACE = "demo"
DEMO_DAYS = 120


async def run_demo(
    services: Services,
    console: Console,
    db_path: str,
    *,
    people: int,
    communities: int,
    seed: int,
    export: Path | None,
) -> None:
    started = time.perf_counter()
    t = Translator(services.settings.operator_language)
    with console.status(t("demo.building")):
        if export is None:
            events = await generate(services, people, communities, seed)
            console.print(
                t(
                    "demo.generated",
                    people=t.number(people),
                    communities=t.number(communities),
                    events=t.number(events),
                )
            )
        else:
            events = await import_export(services, export)
            console.print(t("demo.imported", export=export, events=t.number(events)))
    workspace = await services.database.read(lambda s: the_workspace(s))
    assert workspace.id is not None
    workspace_id = workspace.id
    start = await services.database.read(lambda s: start_moment(s, workspace_id))
    services.clock = ConsoleClock(start)
    as_of = services.today()
    if start.date() < utcnow().date():
        console.print(t("demo.activity_ends", day=t.date(as_of - timedelta(days=1))))
    minimum = services.settings.min_group_size
    figures = await services.database.read(lambda s: overview(s, workspace_id, as_of, minimum))
    print_overview(console, figures, as_of, t)
    if figures.largest:
        print_health(console, figures.largest[0].name, figures, t)
    gateway = ConsoleGateway(platform=workspace.platform, t=t)

    async def on_invite(recipient: Recipient, community: str) -> None:
        event = joined(
            recipient.platform, recipient.workspace, recipient.person, community, services.clock()
        )
        await record_and_fold(services, [event])

    gateway.on_invite = on_invite
    services.gateways[workspace.platform] = gateway
    router = full_router(services)
    trials = await run_trials(services, router, workspace, SHOWN, CROWD)
    print_trials(console, trials, t)
    funnel = await services.database.read(lambda s: funnel_figures(s, services, workspace_id))
    print_answers(console, trials, funnel, CROWD, t)
    print_next(console, db_path, t)
    seconds = format_decimal(time.perf_counter() - started, "0.0", locale=t.language)
    console.print(f"\n[dim]{t('demo.done', seconds=seconds)}[/dim]")


def section(console: Console, title: str, note: str) -> None:
    console.print()
    console.print(Rule(f"[bold]{title}[/bold]"))
    console.print(note)


def print_overview(console: Console, figures: Overview, as_of: date, t: Translator) -> None:
    section(console, t("demo.ladder.title"), t("demo.ladder.note"))
    console.print(ladder_table([figures.ladder], as_of, t))
    section(console, t("demo.alive.title"), t("demo.alive.note"))
    alive = Table(title=t("demo.alive.alive"))
    for column in ("community", "rhythm", "weeks", "members", "silent"):
        alive.add_column(t(f"demo.column.{column}"))
    for ranked, stats in figures.alive:
        alive.add_row(
            f"#{community_name(t, ranked.name, ranked.external_id)}",
            shown(ranked.rhythm, t=t),
            f"{ranked.active_weeks}/12",
            shown(stats.members, t=t),
            shown(stats.silent_share, "percent", t),
        )
    largest = Table(title=t("demo.alive.largest"))
    for column in ("community", "members", "rhythm", "weeks", "silent"):
        largest.add_column(t(f"demo.column.{column}"))
    for sized in figures.largest:
        largest.add_row(
            f"#{sized.name}",
            shown(sized.members, t=t),
            shown(sized.stats.rhythm, t=t),
            f"{shown(sized.stats.active_weeks)}/12",
            shown(sized.stats.silent_share, "percent", t),
        )
    console.print(Columns([alive, largest]))


def print_health(console: Console, name: str, figures: Overview, t: Translator) -> None:
    section(console, t("demo.health.title", name=name), t("demo.health.note"))
    for sized in figures.largest:
        if sized.name == name:
            console.print(community_table(name, sized.stats, t))


def print_trials(console: Console, trials: list[Trial], t: Translator) -> None:
    section(console, t("demo.trials.title"), t("demo.trials.note"))
    for trial in trials:
        reasons = ", ".join(_reason(reason) for reason in trial.reasons) or t("demo.trials.none")
        body = f"{render(trial.suggestion).text}\n\n[dim]{t('demo.trials.reasons')} {reasons}[/dim]"
        console.print(Panel(body, title=t("demo.trials.to", person=trial.person), expand=False))


def print_answers(
    console: Console, trials: list[Trial], figures: FunnelFigures, crowd: int, t: Translator
) -> None:
    section(console, t("demo.answers.title"), t("demo.answers.note", crowd=crowd))
    for trial in trials:
        console.print(f"{trial.person} → [bold]{trial.answer}[/bold]: {render(trial.reply).text}")
    console.print(funnel_table(t("demo.answers.funnel"), figures, t))


def print_next(console: Console, db_path: str, t: Translator) -> None:
    section(console, t("demo.next.title"), "")
    console.print(t("demo.next.body", db=db_path))


def _reason(reason: dict[str, object]) -> str:
    detail = reason.get("count", reason.get("value"))
    return f"{reason.get('code')}={detail}" if detail is not None else str(reason.get("code"))


@dataclass(frozen=True)
class Sized:
    community_id: int
    name: str
    members: int
    stats: CommunityStats


@dataclass(frozen=True)
class Overview:
    ladder: Ladder
    alive: list[tuple[RankedCommunity, CommunityStats]]
    largest: list[Sized]


def overview(session: Session, workspace_id: int, as_of: date, minimum: int) -> Overview:
    ladder, _departments = org_ladders(session, workspace_id, as_of, minimum)
    alive = [
        (ranked, community_stats(session, ranked.community_id, as_of, minimum))
        for ranked in top_communities(session, workspace_id, as_of, minimum)
    ]
    largest = [
        Sized(row.id, row.name or row.external_id, int(row.members), stats=stats)
        for row in _largest(session, workspace_id)
        for stats in (community_stats(session, row.id, as_of, minimum),)
    ]
    return Overview(ladder, alive, largest)


def _largest(session: Session, workspace_id: int, limit: int = 5) -> list[Row[Any]]:
    members = func.count(MEMBERSHIP.c.person_id).label("members")
    query = (
        select(COMMUNITY.c.id, COMMUNITY.c.name, COMMUNITY.c.external_id, members)
        .join(MEMBERSHIP, MEMBERSHIP.c.community_id == COMMUNITY.c.id)
        .where(
            COMMUNITY.c.workspace_id == workspace_id,
            COMMUNITY.c.is_private.is_(False),
            COMMUNITY.c.is_archived.is_(False),
            MEMBERSHIP.c.state == "member",
        )
        .group_by(COMMUNITY.c.id, COMMUNITY.c.name, COMMUNITY.c.external_id)
        .order_by(members.desc(), COMMUNITY.c.name)
        .limit(limit)
    )
    return list(session.connection().execute(query))


ANSWERS = ("follow", "join", "never")
SPREAD = 7
"""Shown people are picked across the activity range, not only the most active."""


@dataclass(frozen=True)
class Trial:
    person: str
    suggestion: Card
    reasons: list[dict[str, Any]]
    answer: str
    reply: Card


async def run_trials(
    services: Services, router: Router, workspace: Workspace, wanted: int, crowd: int
) -> list[Trial]:
    """`wanted + crowd` people start suggestions, ask for one and answer it (follow, join,
    not interested, in turn; one in four of the crowd does not answer). The first `wanted`
    trials are returned to be shown; the crowd only feeds the funnel."""
    assert workspace.id is not None
    workspace_id = workspace.id
    active = await services.database.read(lambda s: _active_people(s, workspace_id))
    people = active[::SPREAD] + [p for i, p in enumerate(active) if i % SPREAD]
    trials: list[Trial] = []
    answered = 0
    for person in people:
        if answered >= wanted + crowd:
            break
        asker = Asker(workspace.platform, workspace.external_id, person.external_id)
        await router.handle(asker, "start")
        card = await router.handle(asker, "suggest")
        choices = render(card).choices
        if not any(line.startswith("follow ") for line in choices):
            continue
        answered += 1
        answer = ANSWERS[(answered - 1) % len(ANSWERS)]
        if answered > wanted and answered % 4 == 0:
            continue
        line = next(line for line in choices if line.split()[0] == answer)
        reply = await router.handle(asker, line)
        if len(trials) < wanted:
            reasons = await services.database.read(partial(_reasons, line=line))
            name = person.display_name or person.external_id
            trials.append(Trial(name, card, reasons, answer, reply))
    return trials


def _active_people(session: Session, workspace_id: int) -> list[Person]:
    """People with the most recorded activity first (their suggestions have most to say)."""
    days = func.count().label("days")
    query = (
        select(DAILY_ACTIVITY.c.person_id, days)
        .group_by(DAILY_ACTIVITY.c.person_id)
        .order_by(days.desc(), DAILY_ACTIVITY.c.person_id)
    )
    people = []
    for person_id, _days in session.connection().execute(query):
        person = session.get(Person, person_id)
        if (
            person is not None
            and person.workspace_id == workspace_id
            and not (person.is_bot or person.deleted)
        ):
            people.append(person)
    return people


def _reasons(session: Session, line: str) -> list[dict[str, Any]]:
    words = line.split()
    suggestion_id = int(words[words.index("--suggestion") + 1])
    suggestion = session.get(Suggestion, suggestion_id)
    return list(suggestion.reasons) if suggestion is not None else []


def funnel_figures(session: Session, services: Services, workspace_id: int) -> FunnelFigures:
    counts = funnel(session, workspace_id, services.today())
    return FunnelFigures.of(counts, services.settings.min_group_size)


async def generate(services: Services, people: int, communities: int, seed: int) -> int:
    """Generate the synthetic workspace and fold it; return how many events were written."""
    spec = SynthSpec(
        people=people,
        communities=communities,
        days=DEMO_DAYS,
        seed=seed,
        end=utcnow().date(),
        platform=PLATFORM,
        workspace=DEMO_WORKSPACE,
    )
    world = build_world(spec)
    recorded = await services.tracker.record_bulk(world.events())
    await services.tracker.fold()
    await services.database.refresh_statistics()
    return recorded.new


async def import_export(services: Services, path: Path) -> int:
    summary = await import_slack_export(services, path)
    return summary.folded
