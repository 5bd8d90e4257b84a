"""The operator's Slack commands, added to the CLI by `register` (called by the composition
root, `adapters.main`); each imports what it needs when it runs.

- `engage slack-manifest` prints the app manifest, built here from the scopes, events and
  paths the app uses;
- `engage slack-reseal-tokens` reseals the stored tokens after a key rotation;
- `engage import slack-export` imports a Slack export.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlparse

import typer

from bot.cli.context import settings_from
from bot.errors import ConfigError
from bot.i18n import Translator

if TYPE_CHECKING:
    from rich.progress import TaskID

    from bot.importers.ledger import ImportSummary
    from bot.settings import Settings


def register(app: typer.Typer) -> None:
    """Add the Slack commands: `slack-manifest`, `slack-reseal-tokens` and, in the core's
    `import` group, `import slack-export`."""
    _register_export(_group(app, "import"))

    @app.command("slack-manifest")
    def slack_manifest_command(
        url: str = typer.Option(
            ..., help="Public base URL of this server, e.g. https://engage.example.com"
        ),
        socket: bool = typer.Option(
            False, "--socket", help="Socket Mode: Slack needs no public URL."
        ),
        name: str = typer.Option("Engage", help="App and bot user name shown in Slack."),
    ) -> None:
        """Print the Slack app manifest (JSON) to paste at api.slack.com/apps."""
        parsed = urlparse(url)
        if parsed.scheme not in ("https", "http") or not parsed.netloc:
            raise ConfigError(f"--url must be an absolute http(s) URL, not {url!r}")
        if parsed.scheme == "http" and not socket:
            raise ConfigError("Slack calls only https:// URLs: use https, or --socket")
        typer.echo(json.dumps(manifest(url, socket_mode=socket, name=name), indent=2))

    @app.command("slack-reseal-tokens")
    def slack_reseal_tokens_command() -> None:
        """Seal the stored Slack tokens under the current ENGAGE_SECRET_KEY (key rotation)."""
        settings = settings_from()
        if not settings.secret_key:
            raise ConfigError("set ENGAGE_SECRET_KEY: the tokens are sealed under it")
        count = asyncio.run(_reseal(settings))
        typer.echo(
            f"{count} Slack install(s) sealed under the current ENGAGE_SECRET_KEY; once every "
            "replica runs with it, ENGAGE_SECRET_KEY_FALLBACKS can be emptied"
        )


def _group(app: typer.Typer, name: str) -> typer.Typer:
    for info in app.registered_groups:
        if info.name == name and info.typer_instance is not None:
            return info.typer_instance
    raise LookupError(f"the engage CLI has no {name!r} group")


def _register_export(import_app: typer.Typer) -> None:
    """`import slack-export`, listed first in its group as it always was (once, however
    many times the CLI registers its plugins)."""
    if any(info.name == "slack-export" for info in import_app.registered_commands):
        return

    def slack_export_command(
        path: Annotated[Path, typer.Argument(help="Slack export: a directory or a .zip file.")],
        workspace: Annotated[
            str | None,
            typer.Option(
                help="Workspace id to record the history under (default: export:<PATH name>)."
            ),
        ] = None,
    ) -> None:
        """Import a Slack export (channels.json, users.json, <channel>/<YYYY-MM-DD>.json).

        Metadata only: message text, files and topics are never read into Engage. Re-running
        the import skips files already imported, so nothing is counted twice.
        """
        from bot.storage.migrate import upgrade

        settings = settings_from()
        upgrade(settings.database_url)
        started = time.perf_counter()
        summary = asyncio.run(_import(settings, path, workspace))
        t = Translator(settings.operator_language)
        _print_summary(summary, time.perf_counter() - started, t)

    import_app.command("slack-export")(slack_export_command)
    import_app.registered_commands.insert(0, import_app.registered_commands.pop())


async def _reseal(settings: Settings) -> int:
    from adapters.slack.installs import OAuthInstalls
    from bot.crypto import TokenCipher
    from bot.services import Services

    services = Services.build(settings)
    try:
        await services.database.check()
        cipher = TokenCipher(settings.secret_key, settings.secret_key_fallbacks)
        return await OAuthInstalls(services.database, cipher).reseal()
    finally:
        await services.stop()


DESCRIPTION = "Discover the communities of your company, of your own accord."

LONG_DESCRIPTION = (
    "Engage shows how alive each channel really is (its rhythm, not its size) and, only to "
    "people who ask for it, suggests communities to follow. It reads metadata only (who, "
    "where, when, what kind), never the text of messages, and never adds anyone to a "
    "channel on its own: people join by their own click. /engage help lists what it can do."
)

USAGE = "help | stats [#channel] | me | top | start | stop | pause 2w | resume | settings"


def manifest(base_url: str, *, socket_mode: bool = False, name: str = "Engage") -> dict[str, Any]:
    from adapters.slack.app import EVENTS_PATH
    from adapters.slack.installs import BOT_EVENTS, BOT_SCOPES, REDIRECT_PATH, SLASH_COMMAND

    base = base_url.rstrip("/")
    events_url = f"{base}{EVENTS_PATH}"
    command: dict[str, Any] = {
        "command": SLASH_COMMAND,
        "description": "Community rhythm, your figures and your suggestion settings",
        "usage_hint": USAGE,
        "should_escape": True,
    }
    event_subscriptions: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if not socket_mode:
        command["url"] = events_url
        event_subscriptions["request_url"] = events_url
        interactivity["request_url"] = events_url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": DESCRIPTION,
            "long_description": LONG_DESCRIPTION,
            "background_color": "#1d4d4f",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": {
            "redirect_urls": [f"{base}{REDIRECT_PATH}"],
            "scopes": {"bot": list(BOT_SCOPES)},
        },
        "settings": {
            "event_subscriptions": event_subscriptions,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


async def _import(settings: Settings, path: Path, workspace: str | None) -> ImportSummary:
    from adapters.slack.export import import_slack_export
    from bot.services import Services

    services = Services.build(settings)
    bar = _Bar()
    try:
        summary = await import_slack_export(services, path, workspace=workspace, progress=bar)
        bar.close()
        return summary
    finally:
        bar.close(failed=True)
        await services.stop()


class _Bar:
    """A progress bar over day files on stderr, shown once the export is known to be readable."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self._console = Console(stderr=True)
        self._progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self._console,
        )
        self._task: TaskID | None = None

    def begin(self, total: int) -> None:
        self._progress.start()
        self._task = self._progress.add_task("day files", total=total)

    def advance(self, name: str) -> None:
        if self._task is not None:
            self._progress.advance(self._task)

    def close(self, *, failed: bool = False) -> None:
        """After a failure, a log or a pipe gets the error line alone, not the bar's last frame."""
        if self._task is None:
            return
        if failed and not self._console.is_terminal:
            self._console.quiet = True
        self._progress.stop()
        self._task = None


def _print_summary(summary: ImportSummary, seconds: float, t: Translator) -> None:
    from babel.numbers import format_decimal
    from rich.console import Console
    from rich.table import Table

    table = Table(title=t("cli.import.title", workspace=summary.workspace))
    table.add_column("")
    table.add_column(t("cli.import.count"), justify="right")
    rows = [
        ("files_imported", summary.files_imported),
        ("files_skipped", summary.files_skipped),
        ("new", summary.events.new),
        ("duplicates", summary.events.duplicates),
        ("future", summary.events.future),
        ("bot_messages", summary.bot_messages),
        ("other_messages", summary.other_messages),
        ("people", summary.people),
        ("channels", summary.channels),
        ("folded", summary.folded),
    ]
    for label, value in rows:
        table.add_row(t(f"cli.import.row.{label}"), t.number(value))
    console = Console()
    console.print(table)
    if summary.unknown_folders:
        folders = ", ".join(sorted(summary.unknown_folders))
        console.print(t("cli.import.unknown_folders", folders=folders))
    seconds_shown = format_decimal(seconds, "0.0", locale=t.language)
    console.print(t("cli.import.done", seconds=seconds_shown))
