"""The composition root builds every command, and starting the CLI loads no heavy library."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer
import typer.core

from adapters.main import build_cli, gateway_factories, jobs
from tests.support.processes import engage_env

HEAVY = ("slack_bolt", "slack_sdk", "botbuilder", "numpy", "scipy", "sqlmodel")
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
