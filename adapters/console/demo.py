"""`engage demo`: a workspace, its figures, and suggestions answered — without any token."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

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
from bot.clock import utcnow
from bot.delivery import Recipient
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
    with console.status("Building the workspace…"):
        if export is None:
            events = await generate(services, people, communities, seed)
            console.print(
                f"Generated {people} people, {communities} communities, {events:,} events"
            )
        else:
            events = await import_export(services, export)
            console.print(f"Imported {export}: {events:,} events folded")
    workspace = await services.database.read(lambda s: the_workspace(s))
    assert workspace.id is not None
    workspace_id = workspace.id
    start = await services.database.read(lambda s: start_moment(s, workspace_id))
    services.clock = ConsoleClock(start)
    as_of = services.today()
    if start.date() < utcnow().date():
        console.print(f"The activity ends on {as_of - timedelta(days=1)}: figures as of then.")
    minimum = services.settings.min_group_size
    figures = await services.database.read(lambda s: overview(s, workspace_id, as_of, minimum))
    print_overview(console, figures, as_of)
    if figures.largest:
        print_health(console, figures.largest[0].name, figures)
    gateway = ConsoleGateway(platform=workspace.platform)

    async def on_invite(recipient: Recipient, community: str) -> None:
        event = joined(
            recipient.platform, recipient.workspace, recipient.person, community, services.clock()
        )
        await record_and_fold(services, [event])

    gateway.on_invite = on_invite
    services.gateways[workspace.platform] = gateway
    router = full_router(services)
    trials = await run_trials(services, router, workspace, SHOWN, CROWD)
    print_trials(console, trials)
    funnel = await services.database.read(lambda s: funnel_figures(s, services, workspace_id))
    print_answers(console, trials, funnel, CROWD)
    print_next(console, db_path)
    console.print(f"\n[dim]demo done in {time.perf_counter() - started:.1f} s[/dim]")
