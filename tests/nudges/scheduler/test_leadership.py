"""Real `engage serve` processes: one scheduler leader, and a takeover when it dies.

On PostgreSQL (ENGAGE_TEST_DATABASE_URL) two servers share the database; on SQLite a
second server refuses to start, so the one server leads alone.
"""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path

import aiohttp

from tests.support.processes import EngageProcess, start_engage

LEASE_SECONDS = 2.0
LONG_LEASE_SECONDS = 60.0
ROLE = re.compile(r"scheduler: (leader|standby)")


async def serve(database_url: str, tmp_path: Path) -> tuple[EngageProcess, str, int]:
    env = {
        "ENGAGE_DATABASE_URL": database_url,
        "ENGAGE_PORT": "0",
        "ENGAGE_LEADER_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    server = await start_engage("serve", env=env, cwd=str(tmp_path))
    role = (await server.wait_for_line(ROLE)).group(1)
    return server, role, await server.port()


async def health_role(port: int) -> str:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/healthz") as response,
    ):
        assert response.status == 200
        return str((await response.json())["scheduler"])


async def test_one_leader_and_a_takeover_within_the_lease(
    database_url: str, tmp_path: Path
) -> None:
    first, first_role, first_port = await serve(database_url, tmp_path)
    assert first_role == "leader"
    assert await health_role(first_port) == "leader"
    if database_url.startswith("sqlite"):
        await _second_refuses(first, database_url, tmp_path)
        return
    second, second_role, second_port = await serve(database_url, tmp_path)
    assert second_role == "standby"
    assert await health_role(second_port) == "standby"

    first.process.send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    await first.process.wait()
    await second.wait_for_line(re.compile(r"scheduler: leader"), within=LEASE_SECONDS * 5)
    takeover = time.monotonic() - killed_at
    assert takeover < LEASE_SECONDS * 2, f"took {takeover:.2f} s"
    assert await health_role(second_port) == "leader"

    second.process.send_signal(signal.SIGTERM)
    code, log = await second.finish()
    assert code == 0
    assert "scheduler: resigned" in log


async def _second_refuses(first: EngageProcess, database_url: str, tmp_path: Path) -> None:
    env = {"ENGAGE_DATABASE_URL": database_url, "ENGAGE_PORT": "0"}
    code, log = await (await start_engage("serve", env=env, cwd=str(tmp_path))).finish()
    assert code != 0
    assert "already using" in log
    first.process.send_signal(signal.SIGTERM)
    first_code, first_log = await first.finish()
    assert first_code == 0
    assert "scheduler: resigned" in first_log


async def test_a_server_restarted_after_sigkill_leads_at_once_when_alone(
    database_url: str, tmp_path: Path
) -> None:
    """The killed leader's lease is still valid for a minute. On SQLite the restarted server
    holds the single-process lock, which proves the lease stale: it leads at once. On
    PostgreSQL another replica may hold it, so the lease is honoured."""
    env = {
        "ENGAGE_DATABASE_URL": database_url,
        "ENGAGE_PORT": "0",
        "ENGAGE_LEADER_LEASE_SECONDS": str(LONG_LEASE_SECONDS),
    }
    killed = await start_engage("serve", env=env, cwd=str(tmp_path))
    assert (await killed.wait_for_line(ROLE)).group(1) == "leader"
    killed.process.send_signal(signal.SIGKILL)
    await killed.process.wait()
    restarted_at = time.monotonic()

    restarted = await start_engage("serve", env=env, cwd=str(tmp_path))
    try:
        role = (await restarted.wait_for_line(ROLE)).group(1)
        port = await restarted.port()
        expected = "leader" if database_url.startswith("sqlite") else "standby"
        assert role == expected
        assert await health_role(port) == expected
        assert time.monotonic() - restarted_at < LONG_LEASE_SECONDS / 2
    finally:
        restarted.process.send_signal(signal.SIGTERM)
        code, log = await restarted.finish()
    assert code == 0, log
