"""The core's `engage` commands, in the operator's language, failing in one line.

`register` adds the core's commands to the application the composition root
(`adapters.main`) builds; `run` runs that application. Each command imports what it needs
when it runs, so `engage --help` loads no database, metrics or platform code.

Typer reads help texts at import time, before any setting is known, so the catalogue holds
them and `localise` puts them on the command tree just before it runs:

- a command's help under `cli.command.<path>`, where <path> is its words after `engage`
  joined by dots (`stats`, `db.upgrade`, `run-job`; `engage` itself for the root);
- an option's or argument's under `cli.option.<path>.<parameter>`, <parameter> being its
  Python name (`as_of` for `--as-of`), else under `cli.option.<parameter>`, shared by every
  command (`workspace`, `as_of`, `as_json`, …).

A command or option without a key keeps the English help written in its code. Messages and
table headings take `Translator(settings.operator_language)`; `EngageError.of(key, …)` is
told in the operator's language by `run`'s error handler, and a `Told` summary by `tell`.

Commands raise EngageError with the best message where they know it; what escapes them is
described by `describe_failure`, by family. Anything else is a bug: one line names it, and
ENGAGE_DEBUG=1 shows its traceback.
"""

from __future__ import annotations

import os
import sys
import zipfile
import zlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import typer
import typer.core

import bot
from bot.cli.campaigns import campaign_app, community_app
from bot.cli.context import operator_language
from bot.cli.db import db_app
from bot.cli.imports import import_app, synth_command
from bot.cli.privacy import privacy_app
from bot.cli.stats import report_command, stats_command
from bot.errors import EngageError
from bot.i18n import Translator, catalog

if TYPE_CHECKING:
    from bot.cli.jobs import Job
    from bot.gateways import GatewayFactory
DEBUG_VARIABLE = "ENGAGE_DEBUG"


def register(
    app: typer.Typer,
    *,
    jobs: Callable[[], Mapping[str, Job]],
    gateways: Mapping[str, GatewayFactory],
) -> None:
    """Add the core's commands to `app`; `run-job` runs one of `jobs()` with `gateways`."""
    app.add_typer(db_app, name="db")
    app.add_typer(import_app, name="import")
    app.add_typer(privacy_app, name="privacy")
    app.add_typer(campaign_app, name="campaign")
    app.add_typer(community_app, name="community")

    def run_job_command(
        name: str = typer.Argument(
            ..., help="Job to run: plan, deliver, digest, fold, retention, roster."
        ),
    ) -> None:
        """Run one scheduler job once and print what it did."""
        from bot.cli.jobs import run_job

        run_job(name, jobs(), gateways)

    app.command("report")(report_command)
    app.command("stats")(stats_command)
    app.command("run-job")(run_job_command)
    app.command("synth")(synth_command)
    app.command("version")(version_command)


def version_command() -> None:
    """Print Engage's version."""
    typer.echo(f"engage {bot.__version__}")


def run(app: typer.Typer, argv: list[str] | None = None) -> int:
    """Run the CLI: expected failures print one line and exit non-zero, never a traceback."""
    t = Translator(operator_language())
    try:
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


PANELS = {"Arguments": "cli.panel.arguments", "Options": "cli.panel.options"}


def localise(command: Any, t: Translator, path: str = "") -> None:
    """Put the catalogue's help texts in `t`'s language on `command` and its subcommands."""
    where = path or "engage"
    if (text := _text(t, f"cli.command.{where}")) is not None:
        command.help, command.short_help = text, None
    help_option = command.get_help_option(command.context_class(command))
    for param in [*command.params, *([help_option] if help_option else [])]:
        keys = (
            ("cli.option.help",)
            if param is help_option
            else (f"cli.option.{where}.{param.name}", f"cli.option.{param.name}")
        )
        if (text := next(filter(None, (_text(t, key) for key in keys)), None)) is not None:
            param.help = text
        if not isinstance(getattr(param, "rich_help_panel", None), str):
            kind = "Arguments" if isinstance(param, typer.core.TyperArgument) else "Options"
            param.rich_help_panel = t(PANELS[kind])
    for name, sub in getattr(command, "commands", {}).items():
        if not isinstance(getattr(sub, "rich_help_panel", None), str):
            sub.rich_help_panel = t("cli.panel.commands")
        localise(sub, t, f"{path}.{name}" if path else name)


def _text(t: Translator, key: str) -> str | None:
    return t(key) if key in catalog("en") else None


def debugging() -> bool:
    """ENGAGE_DEBUG=1 lets unexpected exceptions through with their traceback."""
    return os.environ.get(DEBUG_VARIABLE, "").strip().lower() in ("1", "true", "yes", "on")


def describe_failure(exc: Exception, t: Translator | None = None) -> str:
    """`error: what went wrong; what to do`, or `internal error: …` for a bug."""
    t = t or Translator("en")
    known = _known(exc, t)
    if known is not None:
        return t("cli.failure.known", message=known)
    return t(
        "cli.failure.internal",
        kind=type(exc).__name__,
        detail=_first_line(exc),
        variable=DEBUG_VARIABLE,
    )


def _known(exc: Exception, t: Translator) -> str | None:
    """Only the libraries already loaded can have raised `exc`: no other is imported here."""
    if "sqlalchemy" in sys.modules:
        from bot.storage.database import explain_db_error

        if (database := explain_db_error(exc)) is not None:
            return database
    detail = _first_line(exc)
    if isinstance(exc, UnicodeError):
        return t("cli.failure.decode", detail=detail)
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return t("cli.failure.os", detail=exc.strerror or detail, where=where)
    if isinstance(exc, zipfile.BadZipFile | zlib.error):
        return t("cli.failure.archive", detail=detail)
    if isinstance(exc, _loaded(("yaml", "YAMLError"))):
        return t("cli.failure.yaml", detail=detail)
    migration = (("alembic.util", "CommandError"), ("alembic.script.revision", "RevisionError"))
    if isinstance(exc, _loaded(*migration)):
        return t("cli.failure.migration", detail=detail)
    if isinstance(exc, OverflowError | ValueError):
        return t("cli.failure.value", detail=detail)
    return None


def _loaded(*classes: tuple[str, str]) -> tuple[type, ...]:
    """The exception classes, among (module, name), whose module is already imported."""
    modules = ((sys.modules.get(module), name) for module, name in classes)
    return tuple(getattr(module, name) for module, name in modules if module is not None)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
