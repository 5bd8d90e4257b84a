"""Every way the CLI used to end in a traceback now ends in one line and a non-zero exit."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import yaml
from alembic.util import CommandError
from sqlalchemy.exc import OperationalError

from bot.cli import describe_failure
from bot.services import Services
from tests.support.processes import engage_env, run_engage
from tests.support.slack_export import corrupt_member, write_export, zip_export
from tests.support.workspace import handcrafted_events

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/engage"
LONG_ID = "U" * 5000


@dataclass(frozen=True)
class Case:
    """`engage ARGS` in a directory prepared by `prepare`; stderr must mention `expected`."""

    args: tuple[str, ...]
    expected: str
    env: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[Path], None] = lambda _directory: None


def _damaged_zip(directory: Path) -> None:
    archive = zip_export(write_export(directory / "export"), directory / "export.zip")
    corrupt_member(archive, "datajam/2016-07-02.json")


def _long_user_id(directory: Path) -> None:
    users = [{"id": LONG_ID, "name": "long"}]
    write_export(directory / "export", users=users, days={})


def _yaml(text: str | bytes) -> Callable[[Path], None]:
    def prepare(directory: Path) -> None:
        path = directory / "campaigns.yml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)

    return prepare


def _campaign(starts: str) -> str:
    return (
        "campaigns:\n  - community: garden\n    name: spring\n    pitch: {en: Hi}\n"
        f"    starts: {starts}\n    ends: 2099-01-01\n"
    )


CASES: dict[str, Case] = {
    "damaged zip member": Case(
        ("import", "slack-export", "export.zip"), "datajam/2016-07-02.json", prepare=_damaged_zip
    ),
    "5000-character user id in an export": Case(
        ("import", "slack-export", "export"), "users.json is malformed", prepare=_long_user_id
    ),
    "stats --as-of 0001-01-01": Case(("stats", "--as-of", "0001-01-01"), "1970-01-01"),
    "stats --as-of 9999-12-31": Case(("stats", "--as-of", "9999-12-31"), "2999-12-31"),
    "stats --funnel --as-of 9999-12-31": Case(
        ("stats", "--funnel", "--as-of", "9999-12-31"), "2999-12-31"
    ),
    "suggest --as-of 0001-01-01": Case(("suggest", "--all", "--as-of", "0001-01-01"), "1970-01-01"),
    "suggest --as-of 9999-12-31": Case(("suggest", "--all", "--as-of", "9999-12-31"), "2999-12-31"),
    "report --as-of 0001-01-01": Case(
        ("report", "--as-of", "0001-01-01", "--out", "r.html"), "1970-01-01"
    ),
    "report --out into a missing directory": Case(
        ("report", "--out", "missing/r.html"), "does not exist"
    ),
    "privacy export --out into a missing directory": Case(
        ("privacy", "export", "--person", "U1", "--out", "missing/u1.json"), "does not exist"
    ),
    "campaign apply with an impossible date": Case(
        ("campaign", "apply", "campaigns.yml"), "2026-02-30", prepare=_yaml(_campaign("2026-02-30"))
    ),
    "campaign apply of binary bytes": Case(
        ("campaign", "apply", "campaigns.yml"),
        "not UTF-8",
        prepare=_yaml(bytes(range(256)) * 4),
    ),
    "campaign apply with control characters": Case(
        ("campaign", "apply", "campaigns.yml"),
        "not valid YAML",
        prepare=_yaml(b"\x00\x01campaigns: []\n"),
    ),
    "campaign apply with a Python tag": Case(
        ("campaign", "apply", "campaigns.yml"),
        "not valid YAML",
        prepare=_yaml("campaigns:\n  - community: !!python/name:os.system\n"),
    ),
    "db upgrade bogusrev": Case(("db", "upgrade", "bogusrev"), "bogusrev"),
    "stats on an unreachable database": Case(
        ("stats",), "database unavailable", {"ENGAGE_DATABASE_URL": UNREACHABLE}
    ),
    "run-job fold on an unreachable database": Case(
        ("run-job", "fold"), "database unavailable", {"ENGAGE_DATABASE_URL": UNREACHABLE}
    ),
    "run-job plan on an unreachable database": Case(
        ("run-job", "plan"), "database unavailable", {"ENGAGE_DATABASE_URL": UNREACHABLE}
    ),
    "suggest on an unreachable database": Case(
        ("suggest", "--all"), "database unavailable", {"ENGAGE_DATABASE_URL": UNREACHABLE}
    ),
    "SQLite in a missing directory": Case(
        ("stats",), "does not exist", {"ENGAGE_DATABASE_URL": "sqlite:///missing/engage.db"}
    ),
    "run-job on SQLite in a missing directory": Case(
        ("run-job", "fold"),
        "does not exist",
        {"ENGAGE_DATABASE_URL": "sqlite:///missing/engage.db"},
    ),
    "stats before any migration": Case(
        ("stats",), "engage db upgrade", {"ENGAGE_DATABASE_URL": "sqlite:///empty.db"}
    ),
    "suggest --person with 5000 characters": Case(("suggest", "--person", LONG_ID), "unknown"),
    "privacy export --person with 5000 characters": Case(
        ("privacy", "export", "--person", LONG_ID), "no person"
    ),
}


@pytest.fixture
async def workspace(services: Services) -> Services:
    """A folded workspace, so that every command gets past choosing one."""
    await services.tracker.record(handcrafted_events())
    await services.tracker.fold()
    return services


def _one_line(code: int, err: str) -> str:
    assert code != 0
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("engage: ")
    return lines[0]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_failure_is_one_line_and_non_zero(
    case: Case, workspace: Services, database_url: str, tmp_path: Path
) -> None:
    case.prepare(tmp_path)
    env = {"ENGAGE_DATABASE_URL": database_url, **case.env}
    code, _, err = await run_engage(*case.args, cwd=tmp_path, **env)
    assert case.expected in _one_line(code, err)


@pytest.fixture
def port_in_use() -> Iterator[int]:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        yield taken.getsockname()[1]


async def test_serve_on_a_port_in_use_names_it_and_starts_nothing(
    port_in_use: int, database_url: str, tmp_path: Path
) -> None:
    code, _, err = await run_engage(
        "serve", "--port", str(port_in_use), cwd=tmp_path,
        ENGAGE_DATABASE_URL=database_url, ENGAGE_PLATFORMS="teams",
        MicrosoftAppId="8a1d5c3e-2f4b-4c6d-9e8f-0a1b2c3d4e5f",
        MicrosoftAppPassword="Qm7~rT2vXp9LwZ4nBc6Hd8Jk3Fs5Gy1Ue0Ai",
    )  # fmt: skip
    line = _one_line(code, err)
    assert f"cannot listen on 127.0.0.1:{port_in_use}" in line
    assert "Address already in use" in line


# A command with a bug, joined to the CLI the way every layer's commands join it.
BOOM = (
    "import sys; from adapters.main import build_cli; from bot.cli import run; "
    "app = build_cli(); app.command('boom')(lambda: 1 / 0); sys.exit(run(app, ['boom']))"
)


async def test_a_bug_is_one_line_naming_it_and_debug_shows_the_traceback(tmp_path: Path) -> None:
    async def boom(**env: str) -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", BOOM, env=engage_env(env), cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await process.communicate()
        assert process.returncode is not None
        return process.returncode, err.decode()

    code, err = await boom()
    line = _one_line(code, err)
    assert line.startswith("engage: internal error: ZeroDivisionError: division by zero")
    assert "ENGAGE_DEBUG=1" in line
    code, err = await boom(ENGAGE_DEBUG="1")
    assert code != 0
    assert "Traceback" in err
    assert err.splitlines()[-1] == "ZeroDivisionError: division by zero"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            PermissionError(13, "Permission denied", "/srv/report.html"),
            "error: Permission denied: /srv/report.html; check the path, its directory and "
            "permissions",
        ),
        (
            UnicodeDecodeError("utf-8", b"\xe9", 0, 1, "invalid continuation byte"),
            "error: cannot decode the input ('utf-8' codec can't decode byte 0xe9 in position 0: "
            "invalid continuation byte); files must be UTF-8",
        ),
        (zlib.error("Error -3 while decompressing data"), "error: damaged archive (Error -3"),
        (zipfile.BadZipFile("Bad CRC-32 for file 'x.json'"), "error: damaged archive (Bad CRC"),
        (yaml.YAMLError("unacceptable character #x0000\n  in <file>"), "error: not valid YAML"),
        (CommandError("Can't locate revision identified by 'x'"), "error: migration: Can't"),
        (OverflowError("date value out of range"), "error: a value is out of range or malformed"),
        (
            OperationalError("SELECT 1", {}, sqlite3.OperationalError("no such table: person")),
            "error: the database has no Engage schema (no such table: person): run `engage db "
            "upgrade` first",
        ),
        (psycopg.errors.StringDataRightTruncation("value too long"), "error: the database refused"),
        (psycopg.OperationalError("connection refused"), "error: database unavailable: connection"),
        (KeyError("oops"), "internal error: KeyError: 'oops' (please report it; ENGAGE_DEBUG=1"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else "",
)
def test_each_exception_family_is_one_line_with_a_hint(error: Exception, expected: str) -> None:
    described = describe_failure(error)
    assert described.startswith(expected)
    assert "\n" not in described
