"""Processes migrating one fresh database at once take turns, and all of them succeed.
Migrations are additive unless marked destructive, and a destructive one needs --yes."""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
from pathlib import Path

import aiohttp
import psycopg
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from bot.storage.engine import normalise_url
from bot.storage.migrate import (
    MIGRATION_LOCK,
    MIGRATIONS,
    DestructiveMigrationError,
    NewerSchemaError,
    SchemaState,
    alembic_config,
    check_schema,
    migrations,
    upgrade,
)
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


Columns = dict[str, dict[str, tuple[bool, bool]]]
"""table -> column -> (nullable, has a server default)"""


def columns(database_url: str) -> Columns:
    engine = create_engine(normalise_url(database_url))
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            return {
                table: {
                    column["name"]: (bool(column["nullable"]), column.get("default") is not None)
                    for column in inspector.get_columns(table)
                }
                for table in inspector.get_table_names()
                if table != "alembic_version"
            }
    finally:
        engine.dispose()


def not_additive(before: Columns, after: Columns) -> list[str]:
    """What a step did that the previous version of Engage, still running, could trip on."""
    problems = []
    for table, old in before.items():
        if table not in after:
            problems.append(f"dropped table {table}")
            continue
        for name, (nullable, _) in old.items():
            if name not in after[table]:
                problems.append(f"dropped column {table}.{name}")
            elif nullable and not after[table][name][0]:
                problems.append(f"made {table}.{name} NOT NULL")
        for name, (nullable, has_default) in after[table].items():
            if name not in old and not nullable and not has_default:
                problems.append(f"added {table}.{name} NOT NULL without a server default")
    return problems


async def test_every_migration_is_additive_unless_marked_destructive(
    database_templates: SqliteTemplates | PostgresTemplates, tmp_path: Path
) -> None:
    """A replica of the previous version keeps working beside the new one during a rolling
    upgrade only if no step drops or tightens what it reads and writes."""
    steps = migrations()
    assert steps, "no migrations found"
    with database_templates.empty(tmp_path) as url:
        before = columns(url)
        for step in steps:
            upgrade(url, step.revision)
            after = columns(url)
            if not step.destructive:
                assert not_additive(before, after) == [], step.revision
            before = after


def test_the_additive_check_sees_a_dropped_column_and_a_new_required_one() -> None:
    before: Columns = {"person": {"id": (False, False), "name": (True, False)}}
    after: Columns = {"person": {"id": (False, False), "dept": (False, False)}}
    assert not_additive(before, after) == [
        "dropped column person.name",
        "added person.dept NOT NULL without a server default",
    ]


DESTRUCTIVE_STEP = """\"""drop the audit table (a test's destructive migration)

Revision ID: 9001
Revises: {head}
\"""

from alembic import op

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None
destructive = True


def upgrade() -> None:
    op.drop_table("audit")


def downgrade() -> None:
    raise NotImplementedError
"""


@pytest.fixture
def with_destructive_step(tmp_path: Path) -> Path:
    """This version's migrations plus a destructive one after them, in a scratch directory."""
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    step = DESTRUCTIVE_STEP.format(head=head())
    (scripts / "versions" / "9001_drop_audit.py").write_text(step)
    return scripts


def test_upgrade_refuses_a_destructive_migration_unless_allowed(
    database_url: str, with_destructive_step: Path
) -> None:
    check = check_schema(database_url, with_destructive_step)
    assert check.state is SchemaState.BEHIND
    assert [(step.revision, step.destructive) for step in check.pending] == [("9001", True)]
    with pytest.raises(DestructiveMigrationError, match=r"9001 is destructive.*--yes"):
        upgrade(database_url, scripts=with_destructive_step)
    versions, tables = schema(database_url)
    assert versions == [head()]
    assert "audit" in tables
    upgrade(database_url, allow_destructive=True, scripts=with_destructive_step)
    versions, tables = schema(database_url)
    assert versions == ["9001"]
    assert "audit" not in tables


async def test_a_database_migrated_by_a_newer_version_is_ahead(
    database_url: str, with_destructive_step: Path, tmp_path: Path
) -> None:
    upgrade(database_url, allow_destructive=True, scripts=with_destructive_step)
    check = check_schema(database_url)
    assert (check.state, check.database, check.code) == (SchemaState.AHEAD, ("9001",), head())
    with pytest.raises(NewerSchemaError, match="9001, which this version of Engage does not"):
        upgrade(database_url)
    upgrade(database_url, tolerate_newer=True)  # an older replica during a rolling upgrade
    assert schema(database_url)[0] == ["9001"]
    code, out, err = await run_engage("db", "check", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url)
    assert code == 2, err
    assert "is ahead: at revision 9001" in out


ADDITIVE_STEP = """\"""a nullable column (a test's additive migration from a newer version)

Revision ID: 9001
Revises: {head}
\"""

import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("person", sa.Column("nickname", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("nickname")
"""
NEWER = re.compile(r"the database is at revision 9001, newer than this version of Engage")


async def test_a_replica_of_the_previous_version_serves_after_a_newer_additive_upgrade(
    database_url: str, tmp_path: Path
) -> None:
    """A rolling upgrade: the new version migrated; a replica still on this one restarts."""
    scripts = tmp_path / "newer"
    shutil.copytree(MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9001_nickname.py").write_text(ADDITIVE_STEP.format(head=head()))
    upgrade(database_url, scripts=scripts)
    env = {"ENGAGE_DATABASE_URL": database_url, "ENGAGE_PORT": "0"}
    server = await start_engage("serve", env=env, cwd=str(tmp_path))
    try:
        await server.wait_for_line(NEWER)
        await healthy(server)
    finally:
        ((code, log),) = await stop_all([server])
    assert code == 0, log
    assert schema(database_url)[0] == ["9001"]
    refused, _, err = await run_engage("db", "upgrade", cwd=tmp_path, **env)
    assert refused == 1
    assert "which this version of Engage does not know" in err
