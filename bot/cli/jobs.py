"""The core's scheduler jobs (fold, retention, roster) and `engage run-job NAME`.

A job is `async def job(services) -> str` returning a one-line summary. The composition root
(`adapters.main`) puts the core's jobs and the suggestion engine's together; `run_job` runs
one of them once, now, with the platforms' gateways installed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

import typer

from bot.cli.context import settings_from
from bot.errors import EngageError
from bot.i18n import Told, Translator, tell

if TYPE_CHECKING:
    from bot.gateways import GatewayFactory
    from bot.services import Services

Job = Callable[["Services"], Awaitable[str]]


def core_jobs() -> dict[str, Job]:
    """The core's own jobs; the suggestion engine adds plan, deliver and digest."""
    from bot.roster import roster

    return {"fold": fold, "retention": retention, "roster": roster}


async def fold(services: Services) -> str:
    tracker = services.tracker
    if tracker.fold_deferred(services.settings.fold_max_delay_seconds):
        return Told("job.fold.deferred", rate=f"{tracker.arrivals.rate():.0f}")
    await tracker.refresh_objections()  # objections made by other processes
    folded = await tracker.fold()
    if tracker.quarantined:
        return Told("job.fold.quarantined", folded=folded, quarantined=tracker.quarantined)
    return Told("job.fold.done", folded=folded)


async def retention(services: Services) -> str:
    from bot.privacy.rights import apply_retention

    raw = await services.tracker.apply_retention()
    report = await services.database.write(
        lambda session: apply_retention(session, services.settings, services.clock())
    )
    return Told(
        "job.retention", raw=raw, rollups=report.rollups, outbox=report.outbox, audit=report.audit
    )


def run_job(name: str, jobs: Mapping[str, Job], gateways: Mapping[str, GatewayFactory]) -> None:
    """Run the job called `name` once and print what it did."""
    from bot.gateways import install_gateways
    from bot.services import Services

    job = jobs.get(name)
    if job is None:
        raise EngageError.of("cli.error.unknown_job", job=repr(name), jobs=", ".join(sorted(jobs)))
    settings = settings_from()

    async def run() -> str:
        services = Services.build(settings)
        try:
            await services.database.check()
            install_gateways(services, gateways)
            return await job(services)
        finally:
            await services.stop()

    typer.echo(tell(asyncio.run(run()), Translator(settings.operator_language)))
