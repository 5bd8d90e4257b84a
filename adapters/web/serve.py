"""`engage serve`: run the server until SIGTERM or SIGINT, then shut down gracefully.

The server (`adapters.web.app`), the platforms' SDKs and the database load when the
command runs, not when the CLI starts.
"""

from __future__ import annotations

import errno
import gc
import logging
import os
import signal
import socket
from collections.abc import Callable, Mapping
from contextlib import closing
from typing import TYPE_CHECKING

import typer

from bot.cli.context import settings_from
from bot.errors import EngageError

if TYPE_CHECKING:
    from bot.cli.jobs import Job
    from bot.gateways import GatewayFactory
    from bot.settings import Settings

Gateways = Mapping[str, "GatewayFactory"]
log = logging.getLogger("engage.serve")
SHUTDOWN_TIMEOUT_SECONDS = 10.0


def register(
    app: typer.Typer, *, jobs: Callable[[], Mapping[str, Job]], gateways: Gateways
) -> None:
    """Add `engage serve`, whose server runs `jobs()` and installs `gateways`."""

    @app.command("serve")
    def serve_command(
        host: str | None = typer.Option(None, help="Address to bind (ENGAGE_HOST)."),
        port: int | None = typer.Option(None, help="Port to bind, 0 for any (ENGAGE_PORT)."),
    ) -> None:
        """Run the web server (Slack, Teams, /healthz, /metrics) after migrating the database."""
        # Before logging is configured: alembic logs its plug-ins' set-up when imported.
        import bot.storage.migrate  # noqa: F401

        serve(settings_from(host=host, port=port), jobs=jobs(), gateways=gateways)


def serve(settings: Settings, *, jobs: Mapping[str, Job], gateways: Gateways) -> None:
    """Check settings, take the SQLite lock, migrate, then serve until a stop signal."""
    import asyncio

    from bot.settings import check_ready_to_serve
    from bot.storage.engine import single_process_lock
    from bot.storage.migrate import upgrade

    for warning in check_ready_to_serve(settings):
        log.warning(warning)
    with single_process_lock(settings.database_url) as alone:
        upgrade(settings.database_url, tolerate_newer=True)
        asyncio.run(run_until_signal(settings, jobs=jobs, gateways=gateways, alone=alone))


async def run_until_signal(
    settings: Settings, *, jobs: Mapping[str, Job], gateways: Gateways, alone: bool = False
) -> None:
    import asyncio

    from aiohttp import web

    from adapters.web.app import create_app

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    with closing(_listen(settings.host, settings.port)) as listening:
        runner = web.AppRunner(
            create_app(settings, alone=alone, jobs=jobs, gateways=gateways),
            handle_signals=False,
            shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS,
        )
        await runner.setup()
        _freeze_startup_objects()
        try:
            await web.SockSite(runner, listening).start()
            for address in runner.addresses:
                host, port = address[0], address[1]
                log.info(
                    "Engage listening on http://%s:%s (database %s)", host, port, _safe(settings)
                )
            await stop.wait()
            log.info("stopping: finishing requests in flight")
        finally:
            await runner.cleanup()
    log.info("stopped")


def _listen(host: str, port: int) -> socket.socket:
    """Bind before anything starts (scheduler, jobs), so a port in use stops nothing but us."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family)
    except OSError as error:
        in_use = error.errno == errno.EADDRINUSE
        bind = (error.errno or 0) > 0  # a negative errno is a host name lookup's
        reason = os.strerror(error.errno or 0) if bind else error.strerror or str(error)
        hint = "stop what uses it or choose another --port" if in_use else "check --host, --port"
        raise EngageError(f"cannot listen on {host}:{port}: {reason}; {hint}") from None


def _freeze_startup_objects() -> None:
    """What start-up built (modules, the app, the SDKs) lives as long as the process; left
    to the cyclic GC, its full collections (~180k objects) pause the loop for tens of ms."""
    gc.collect()
    gc.freeze()


def _safe(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)
