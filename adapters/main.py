"""The composition root: the one place where Engage is put together.

`build_cli()` makes the `engage` command line: the core's commands (`bot.cli`), the
suggestion preview (`nudges.cli`), the server (`adapters.web.serve`), the console and demo
(`adapters.console.cli`) and each platform's commands (`adapters.slack.cli`,
`adapters.teams.cli`). `serve` and `run-job` receive the scheduler's jobs (`jobs`) and the
platforms' gateway factories (`gateway_factories`) from here; tests build the same pieces.

Nothing heavy loads here: each command imports what it needs when it runs (the platforms'
SDKs, the database, the recommender), so `engage --help` and `engage version` start at once.
Run it as `engage` (the installed script) or `python -m adapters.main`.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from adapters.console import cli as console_cli
from adapters.slack import cli as slack_cli
from adapters.teams import cli as teams_cli
from adapters.web import serve as web_serve
from bot import cli as core_cli
from nudges import cli as nudges_cli

if TYPE_CHECKING:
    from bot.cli.jobs import Job
    from bot.delivery import Gateway
    from bot.gateways import GatewayFactory
    from bot.services import Services


def build_cli() -> typer.Typer:
    """The `engage` application with every command of every layer."""
    app = typer.Typer(
        help="Engage: help people discover communities of their own accord.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    gateways = gateway_factories()
    core_cli.register(app, jobs=jobs, gateways=gateways)
    console_cli.register(app)
    nudges_cli.register(app)
    slack_cli.register(app)
    teams_cli.register(app)
    web_serve.register(app, jobs=jobs, gateways=gateways)
    return app


def jobs() -> dict[str, Job]:
    """Every scheduler job: the core's (fold, retention, roster) and the engine's."""
    from nudges.jobs import all_jobs

    return all_jobs()


def gateway_factories() -> dict[str, GatewayFactory]:
    """Per platform, what builds its gateway in a process that does not serve it."""
    return {"slack": slack_gateway, "teams": teams_gateway}


def slack_gateway(services: Services) -> Gateway | None:
    from adapters.slack.gateway import build_gateway

    return build_gateway(services)


def teams_gateway(services: Services) -> Gateway | None:
    from adapters.teams.gateway import build_gateway

    return build_gateway(services)


def main(argv: list[str] | None = None) -> int:
    """The `engage` script."""
    return core_cli.run(build_cli(), argv)


if __name__ == "__main__":
    sys.exit(main())
