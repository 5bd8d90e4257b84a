"""The composition root builds every command, and starting the CLI loads no heavy library."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer
import typer.core

from adapters.main import build_cli, gateway_factories, jobs
from bot.services import Services
from tests.support.processes import engage_env
from tests.support.workspace import handcrafted_events

HEAVY = (
    "slack_bolt",
    "slack_sdk",
    "botbuilder",
    "aiohttp",
    "numpy",
    "scipy",
    "sqlmodel",
    "sqlalchemy",
    "psycopg",
    "cryptography",
)
STATS_HEAVY = ("slack_bolt", "slack_sdk", "botbuilder", "aiohttp", "scipy", "alembic")
PROBE = """
import sys
from adapters.main import build_cli
from bot.cli import run
code = run(build_cli(), sys.argv[1:])
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[0].split(",")))
print("HEAVY:" + ",".join(heavy))
"""


@pytest.mark.parametrize("args", [["--help"], ["version"], []])
def test_help_and_version_load_no_sdk_database_or_numerics(args: list[str]) -> None:
    probe = PROBE.replace("sys.argv[0]", repr(",".join(HEAVY)))
    result = subprocess.run(
        [sys.executable, "-c", probe, *args],
        env=engage_env({"COLUMNS": "200"}),
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines()[-1] == "HEAVY:", result.stdout


@pytest.fixture
async def folded_url(services: Services, database_url: str) -> str:
    await services.tracker.record(handcrafted_events())
    await services.tracker.fold()
    return database_url


def test_stats_loads_no_platform_sdk_server_or_unused_driver(folded_url: str) -> None:
    database_url = folded_url
    heavy = (*STATS_HEAVY, *(("psycopg",) if database_url.startswith("sqlite") else ()))
    probe = PROBE.replace("sys.argv[0]", repr(",".join(heavy)))
    result = subprocess.run(
        [sys.executable, "-c", probe, "stats", "--as-of", "2026-03-29"],
        env=engage_env({"COLUMNS": "200", "ENGAGE_DATABASE_URL": database_url}),
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Engagement ladder" in result.stdout
    assert result.stdout.splitlines()[-1] == "HEAVY:", result.stdout


def test_every_layer_contributes_its_commands() -> None:
    group = typer.main.get_command(build_cli())
    assert isinstance(group, typer.core.TyperGroup)
    commands = group.commands
    for name in ("stats", "db", "run-job", "version", "serve", "suggest", "demo", "console"):
        assert name in commands
    assert {"slack-manifest", "teams-package"} <= set(commands)


def test_the_root_lists_each_platform_gateway_and_every_job() -> None:
    assert sorted(gateway_factories()) == ["slack", "teams"]
    assert {"fold", "retention", "roster", "plan", "deliver", "digest"} == set(jobs())
