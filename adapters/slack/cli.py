"""`engage slack-manifest`, contributed to the core CLI through the `engage.cli` entry point."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlparse

import typer

from adapters.slack.installs import OAuthInstalls
from adapters.slack.manifest import manifest
from bot.cli.context import settings_from
from bot.errors import ConfigError
from bot.services import Services
from bot.settings import Settings, TokenCipher


def register(app: typer.Typer) -> None:
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


async def _reseal(settings: Settings) -> int:
    services = Services.build(settings)
    try:
        await services.database.check()
        cipher = TokenCipher(settings.secret_key, settings.secret_key_fallbacks)
        return await OAuthInstalls(services.database, cipher).reseal()
    finally:
        await services.stop()
