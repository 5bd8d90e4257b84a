"""`engage serve`, contributed to the core CLI through the `engage.cli` entry point."""

from __future__ import annotations

import typer

from adapters.web.serve import serve
from bot.cli.context import settings_from


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_command(
        host: str | None = typer.Option(None, help="Address to bind (ENGAGE_HOST)."),
        port: int | None = typer.Option(None, help="Port to bind, 0 for any (ENGAGE_PORT)."),
    ) -> None:
        """Run the web server (Slack, Teams, /healthz, /metrics) after migrating the database."""
        serve(settings_from(host=host, port=port))
