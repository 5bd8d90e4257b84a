"""The CLI as a person meets it: help, one-line errors, exit codes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect

from tests.support.processes import run_engage as run


async def test_help_lists_commands_with_one_line_each(tmp_path: Path) -> None:
    code, out, _ = await run("--help", cwd=tmp_path)
    assert code == 0
    for command in ("serve", "db", "version"):
        assert command in out


async def test_version(tmp_path: Path) -> None:
    assert await run("version", cwd=tmp_path) == (0, "engage 0.1.0\n", "")


async def test_unknown_command_is_one_line(tmp_path: Path) -> None:
    code, out, err = await run("frobnicate", cwd=tmp_path)
    assert code == 2
    assert out == ""
    assert err.splitlines() == ["engage: No such command 'frobnicate'. (try 'engage --help')"]


async def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    code, _, err = await run(
        "db",
        "upgrade",
        cwd=tmp_path,
        ENGAGE_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/x",
    )
    assert code == 1
    assert len(err.splitlines()) == 1
    assert err.startswith("engage: error: database unavailable:")


async def test_bad_url_is_one_line(tmp_path: Path) -> None:
    code, _, err = await run("db", "upgrade", cwd=tmp_path, ENGAGE_DATABASE_URL="nonsense")
    assert code == 1
    assert err.splitlines() == [
        "engage: error: ENGAGE_DATABASE_URL: not a database URL: 'nonsense'"
    ]


async def test_missing_required_setting_is_one_line(tmp_path: Path) -> None:
    code, _, err = await run("serve", cwd=tmp_path, ENGAGE_ENV="prod", ENGAGE_PLATFORMS="teams")
    assert code == 1
    assert err.splitlines() == [
        "engage: error: ENGAGE_ENV=prod refuses empty or placeholder secrets: "
        "set MicrosoftAppId, MicrosoftAppPassword"
    ]


async def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    code, out, _ = await run("db", "upgrade", cwd=tmp_path, ENGAGE_DATABASE_URL=url)
    assert code == 0
    assert "is at revision head" in out
    assert {"inbox_event", "daily_activity", "person"} <= set(
        inspect(create_engine(url)).get_table_names()
    )
