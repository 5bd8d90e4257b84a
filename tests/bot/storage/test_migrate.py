"""Processes migrating one fresh database at once take turns, and all of them succeed."""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

import aiohttp
import psycopg
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from bot.storage.engine import normalise_url
from bot.storage.migrate import MIGRATION_LOCK, alembic_config
from tests.support.databases import PostgresTemplates, SqliteTemplates
from tests.support.processes import LISTENING, EngageProcess, run_engage, start_engage

WAITING = re.compile(r"another process is upgrading this database; waiting")
REFUSED = re.compile(r"already using")


def schema(database_url: str) -> tuple[list[str] | None, set[str]]:
    """The rows of `alembic_version` (None without the table), and the tables there are."""
    engine = create_engine(normalise_url(database_url))
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            if "alembic_version" not in tables:
                return None, tables
            versions = connection.execute(text("SELECT version_num FROM alembic_version"))
            return [row[0] for row in versions], tables
    finally:
        engine.dispose()


def head() -> str:
    revision = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert revision is not None
    return revision


async def healthy(server: EngageProcess) -> None:
    await healthy_on(await server.port())


async def healthy_on(port: int) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/healthz") as response,
    ):
        assert response.status == 200
        assert (await response.json())["status"] == "ok"


async def stop_all(servers: list[EngageProcess]) -> list[tuple[int, str]]:
    for server in servers:
        if server.process.returncode is None:
            server.process.send_signal(signal.SIGTERM)
    return [await server.finish() for server in servers]


async def test_upgrades_started_together_on_a_fresh_database_all_succeed(
    database_templates: SqliteTemplates | PostgresTemplates, tmp_path: Path
) -> None:
    with database_templates.empty(tmp_path) as url:
        upgrades = (
            run_engage("db", "upgrade", cwd=tmp_path, ENGAGE_DATABASE_URL=url) for _ in range(3)
        )
        for code, _, err in await asyncio.gather(*upgrades):
            assert code == 0, err
        versions, tables = schema(url)
    assert versions == [head()]
    assert {"person", "membership", "scheduler_lease"} <= tables


async def test_servers_started_together_on_a_fresh_database(
    database_templates: SqliteTemplates | PostgresTemplates, tmp_path: Path
) -> None:
    """PostgreSQL: two replicas start while a migration holds the database's turn; both
    wait for it without touching the schema, then migrate one after the other and serve.
    SQLite serves one process per file: one serves, the other refuses in one line."""
    with database_templates.empty(tmp_path) as url:
        env = {"ENGAGE_DATABASE_URL": url, "ENGAGE_PORT": "0"}
        if isinstance(database_templates, SqliteTemplates):
            await _one_serves_the_other_refuses(url, env, tmp_path)
            return
        plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(plain, autocommit=True) as holder:
            holder.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
            servers = [await start_engage("serve", env=env, cwd=str(tmp_path)) for _ in range(2)]
            try:
                for server in servers:
                    await server.wait_for_line(WAITING)
                assert schema(url) == (None, set())
                holder.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
                await asyncio.gather(*(healthy(server) for server in servers))
                assert schema(url)[0] == [head()]
            finally:
                finished = await stop_all(servers)
        for code, log in finished:
            assert code == 0, log
            assert "Traceback" not in log


async def _one_serves_the_other_refuses(url: str, env: dict[str, str], tmp_path: Path) -> None:
    servers = [await start_engage("serve", env=env, cwd=str(tmp_path)) for _ in range(2)]
    either = re.compile(f"{LISTENING.pattern}|{REFUSED.pattern}")
    try:
        said = await asyncio.gather(*(server.wait_for_line(either) for server in servers))
        listening = [i for i, line in enumerate(said) if line[1]]
        assert len(listening) == 1
        serving, refused = servers[listening[0]], servers[1 - listening[0]]
        port = int(said[listening[0]][2])
        refused_code, refused_log = await refused.finish()
        await healthy_on(port)
        assert schema(url)[0] == [head()]
    finally:
        await stop_all(servers)
    assert refused_code != 0
    assert "Traceback" not in refused_log
    assert serving.process.returncode == 0
