"""`engage serve` as a real process: health, single SQLite owner, prod checks, SIGTERM."""

from __future__ import annotations

import signal
from pathlib import Path

import aiohttp

from tests.support.processes import start_engage


async def test_serve_answers_healthz_and_stops_on_sigterm(
    database_url: str, tmp_path: Path
) -> None:
    server = await start_engage(
        "serve", env={"ENGAGE_DATABASE_URL": database_url, "ENGAGE_PORT": "0"}, cwd=str(tmp_path)
    )
    port = await server.port()
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/healthz") as response,
    ):
        assert response.status == 200
        assert (await response.json())["database"] == "ok"
    server.process.send_signal(signal.SIGTERM)
    code, log = await server.finish()
    assert code == 0
    assert "stopped" in log


async def test_second_serve_on_one_sqlite_file_refuses(tmp_path: Path) -> None:
    env = {"ENGAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'shared.db'}", "ENGAGE_PORT": "0"}
    first = await start_engage("serve", env=env, cwd=str(tmp_path))
    await first.port()
    second = await start_engage("serve", env=env, cwd=str(tmp_path))
    code, log = await second.finish()
    first.process.send_signal(signal.SIGINT)
    first_code, _ = await first.finish()
    errors = [line for line in log.splitlines() if line.startswith("engage:")]
    assert code != 0
    assert errors == [errors[0]]
    assert "already using" in errors[0]
    assert "Traceback" not in log
    assert first_code == 0


async def test_prod_with_empty_signing_secret_refuses_by_name(tmp_path: Path) -> None:
    env = {
        "ENGAGE_ENV": "prod",
        "ENGAGE_PLATFORMS": "slack",
        "SLACK_BOT_TOKEN": "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
        "SLACK_SIGNING_SECRET": "",
        "ENGAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
    }
    code, log = await (await start_engage("serve", env=env, cwd=str(tmp_path))).finish()
    assert code != 0
    assert log.strip().splitlines() == [
        "engage: error: ENGAGE_ENV=prod refuses empty or placeholder secrets: "
        "set SLACK_SIGNING_SECRET"
    ]
