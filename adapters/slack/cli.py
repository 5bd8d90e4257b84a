"""`engage slack-manifest`, contributed to the core CLI through the `engage.cli` entry point."""

from __future__ import annotations

import json
from urllib.parse import urlparse

import typer

from adapters.slack.manifest import manifest
from bot.errors import ConfigError


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
