"""`engage run-job NAME`: run one background job once, now."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import typer

from bot.cli.context import settings_from
from bot.errors import EngageError
from bot.gateways import install_gateways
from bot.i18n import Told, Translator, tell
from bot.privacy.rights import apply_retention
from bot.roster import roster
from bot.services import Services

Job = Callable[[Services], Awaitable[str]]


async def _fold(services: Services) -> str:
    tracker = services.tracker
    if tracker.fold_deferred(services.settings.fold_max_delay_seconds):
        return Told("job.fold.deferred", rate=f"{tracker.arrivals.rate():.0f}")
    await tracker.refresh_objections()  # objections made by other processes
    folded = await tracker.fold()
    if tracker.quarantined:
        return Told("job.fold.quarantined", folded=folded, quarantined=tracker.quarantined)
    return Told("job.fold.done", folded=folded)


async def _retention(services: Services) -> str:
    raw = await services.tracker.apply_retention()
    report = await services.database.write(
        lambda session: apply_retention(session, services.settings, services.clock())
    )
    return Told(
        "job.retention", raw=raw, rollups=report.rollups, outbox=report.outbox, audit=report.audit
    )


JOBS: dict[str, Job] = {"fold": _fold, "retention": _retention, "roster": roster}


def run_job_command(
    name: str = typer.Argument(
        ..., help="Job to run: plan, deliver, digest, fold, retention, roster."
    ),
) -> None:
    """Run one scheduler job once and print what it did."""
    job = JOBS.get(name)
    if job is None:
        raise EngageError.of("cli.error.unknown_job", job=repr(name), jobs=", ".join(sorted(JOBS)))
    settings = settings_from()

    async def run() -> str:
        services = Services.build(settings)
        try:
            await services.database.check()
            install_gateways(services)
            return await job(services)
        finally:
            await services.stop()

    typer.echo(tell(asyncio.run(run()), Translator(settings.operator_language)))
