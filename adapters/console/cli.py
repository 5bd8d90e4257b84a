"""`engage demo` and `engage console`, added to the CLI by the composition root.

What they need (the demo, the shell, the database) loads when the command runs."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.context import settings_from
from bot.errors import EngageError

QUIET = "WARNING"
"""Both commands talk to a person on stdout; routine log lines would drown them."""


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)
    app.command("console")(console_command)


def demo_command(
    db: Annotated[
        Path | None, typer.Option(help="SQLite file to create (default: a temporary file).")
    ] = None,
    people: Annotated[int, typer.Option(help="How many people.")] = 300,
    communities: Annotated[int, typer.Option(help="How many communities.")] = 40,
    seed: Annotated[int, typer.Option(help="Same seed, same workspace.")] = 0,
    slack_export: Annotated[
        Path | None, typer.Option(help="Use a Slack export (directory or .zip) instead.")
    ] = None,
) -> None:
    """Show what Engage does on a fresh workspace: figures, suggestions, answers, funnel."""
    import asyncio

    from rich.console import Console

    from adapters.console.demo import run_demo
    from bot.privacy.rights import require_person_views
    from bot.services import Services
    from bot.storage.migrate import upgrade

    if db is None:
        handle, name = tempfile.mkstemp(prefix="engage-demo-", suffix=".db")
        os.close(handle)
        Path(name).unlink()
        db = Path(name)
    elif db.exists():
        raise EngageError.of("cli.error.demo_exists", db=db)
    settings = settings_from(database_url=f"sqlite:///{db.resolve()}", log_level=QUIET)
    if slack_export is not None:
        require_person_views(settings)  # real people's suggestions are shown by name
    upgrade(settings.database_url)
    services = Services.build(settings)

    async def run() -> None:
        try:
            await run_demo(
                services,
                Console(),
                str(db),
                people=people,
                communities=communities,
                seed=seed,
                export=slack_export,
            )
        finally:
            await services.stop()

    asyncio.run(run())


def console_command(
    db: Annotated[
        Path | None,
        typer.Option(help="SQLite file made by `engage demo` (default: settings)."),
    ] = None,
    workspace: Annotated[str | None, typer.Option(help="Workspace id, if several.")] = None,
) -> None:
    """Act as a person of the workspace: post, react, join, chat with the bot, move time on."""
    import asyncio

    from adapters.console.shell import run_console
    from bot.privacy.rights import require_person_views
    from bot.services import Services
    from bot.storage.migrate import upgrade

    if db is not None and not db.exists():
        raise EngageError.of("cli.error.console_missing", db=db)
    url = f"sqlite:///{db.resolve()}" if db is not None else None
    settings = settings_from(database_url=url, log_level=QUIET)
    require_person_views(settings)  # acting as someone shows their own figures
    upgrade(settings.database_url)
    asyncio.run(run_console(Services.build(settings), workspace))
