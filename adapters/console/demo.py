"""`engage demo`: a workspace, its figures, and suggestions answered — without any token."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from babel.numbers import format_decimal
from rich.console import Console

from adapters.console.activity import joined, record_and_fold
from adapters.console.demo_print import (
    print_answers,
    print_health,
    print_next,
    print_overview,
    print_trials,
)
from adapters.console.figures import overview
from adapters.console.gateway import ConsoleGateway
from adapters.console.ticks import ConsoleClock
from adapters.console.trial import funnel_figures, run_trials
from adapters.console.workspace import generate, import_export, start_moment, the_workspace
from bot.delivery import Recipient
from bot.events import utcnow
from bot.i18n import Translator
from bot.services import Services
from nudges.commands import full_router

SHOWN = 3
CROWD = 21


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
