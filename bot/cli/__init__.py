"""The `engage` command line. Commands that live in adapters join through `engage.cli`."""

from __future__ import annotations

import sys
from importlib.metadata import entry_points

import typer

import bot
from bot.cli.campaigns import campaign_app
from bot.cli.communities import community_app
from bot.cli.db import db_app
from bot.cli.failures import debugging, describe_failure
from bot.cli.imports import import_app
from bot.cli.jobs import run_job_command
from bot.cli.language import localise, operator_language
from bot.cli.privacy import privacy_app
from bot.cli.report import report_command
from bot.cli.stats import stats_command
from bot.cli.synth import synth_command
from bot.errors import EngageError
from bot.i18n import Translator

app = typer.Typer(
    help="Engage: help people discover communities of their own accord.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")
app.add_typer(privacy_app, name="privacy")
app.add_typer(campaign_app, name="campaign")
app.add_typer(community_app, name="community")
app.command("report")(report_command)
app.command("stats")(stats_command)
app.command("run-job")(run_job_command)
app.command("synth")(synth_command)


@app.command("version")
def version_command() -> None:
    """Print Engage's version."""
    typer.echo(f"engage {bot.__version__}")


def _register_plugins() -> None:
    for entry in entry_points(group="engage.cli"):
        entry.load()(app)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI: expected failures print one line and exit non-zero, never a traceback."""
    t = Translator(operator_language())
    try:
        _register_plugins()
        command = typer.main.get_command(app)
        localise(command, t)
        code = command.main(args=argv, prog_name="engage", standalone_mode=False)
    except EngageError as exc:
        typer.echo(t("cli.message.error", message=exc.told(t)), err=True)
        return 1
    except typer.Abort:
        typer.echo(t("cli.message.aborted"), err=True)
        return 130
    except typer.TyperException as exc:
        return _usage_error(exc, t)
    except Exception as exc:
        if debugging():
            raise
        typer.echo(f"engage: {describe_failure(exc, t)}", err=True)
        return 1
    return code if isinstance(code, int) else 0


def _usage_error(exc: typer.TyperException, t: Translator) -> int:
    context = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError":
        typer.echo(exc.format_message())
        return 0
    path = context.command_path if context is not None else "engage"
    typer.echo(t("cli.message.usage", path=path, problem=exc.format_message()), err=True)
    return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
