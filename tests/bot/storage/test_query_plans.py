"""The hot queries keep sound plans on a freshly migrated and filled database, whether or not
planner statistics were gathered: no plan reads `person` or `membership` once per row of
another table (on 100k people, such a plan turned a 42 s planning pass into 9 minutes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlmodel import Session, func, select

from bot.metrics.community import community_stats, community_stats_from_rollups
from bot.metrics.ladder import org_ladders, rung_counts_from_rollups
from bot.metrics.top import top_communities, top_from_rollups
from bot.services import Services
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from bot.storage.models import Community, Membership, Workspace
from bot.storage.tables import PERSON
from bot.synth import SynthSpec, build_world
from bot.tracker import Tracker
from nudges.recommend.snapshot import read_snapshot
from tests.support.databases import PostgresTemplates, SqliteTemplates
from tests.support.processes import run_engage
from tests.support.query_plans import Recorded, nested_scans, recorded_selects

END = date(2026, 3, 2)
SPEC = SynthSpec(people=300, communities=30, days=90, end=END, seed=4)
AS_OF = END - timedelta(days=1)
LONG_AGO = END - timedelta(days=60)
Query = Callable[[Session, int, int], object]
QUERIES: dict[str, Query] = {
    "snapshot": lambda s, w, c: read_snapshot(s, w, datetime.combine(END, time(), tzinfo=UTC)),
    "ladder": lambda s, w, c: org_ladders(s, w, AS_OF, 5),
    "ladder from rollups": lambda s, w, c: rung_counts_from_rollups(s, w, LONG_AGO),
    "top": lambda s, w, c: top_communities(s, w, AS_OF, 5),
    "top from rollups": lambda s, w, c: top_from_rollups(s, w, LONG_AGO, 5),
    "community stats": lambda s, w, c: community_stats(s, c, AS_OF, 5),
    "community stats from rollups": lambda s, w, c: community_stats_from_rollups(s, c, AS_OF, 5),
}


async def fill(services: Services) -> tuple[int, int]:
    """The synthetic workspace through the import path; its id and its largest community."""
    await services.tracker.record_bulk(build_world(SPEC).events())
    await services.tracker.fold()

    def ids(session: Session) -> tuple[int, int]:
        workspace = session.exec(select(Workspace.id)).one()
        largest = session.exec(
            select(Membership.community_id)
            .group_by(Membership.community_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        assert workspace is not None
        assert session.get(Community, largest) is not None
        return workspace, largest

    return await services.database.read(ids)


async def nested_plans(services: Services, workspace: int, community: int) -> dict[str, list[str]]:
    """Each query group's nested scans, from the plans of the statements it really ran."""
    found: dict[str, list[str]] = {}
    for name, query in QUERIES.items():
        with recorded_selects(services.database) as statements:
            await services.database.read(lambda s, q=query: q(s, workspace, community))
        assert statements, name

        def explain(session: Session, recorded: list[Recorded] = statements) -> list[str]:
            connection = session.connection()
            return [scan for one in recorded for scan in nested_scans(connection, one)]

        found[name] = await services.database.read(explain)
    return found


def statistics_rows(session: Session) -> int:
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        tables = connection.exec_driver_sql(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'"
        ).scalar_one()
        if not tables:
            return 0
        query = "SELECT count(*) FROM sqlite_stat1 WHERE tbl IN ('person', 'membership')"
    else:
        query = (
            "SELECT count(*) FROM pg_stats WHERE tablename IN ('person', 'membership')"
            " AND schemaname = current_schema()"
        )
    return int(connection.exec_driver_sql(query).scalar_one())


@pytest.mark.parametrize("statistics", ["missing", "fresh"])
async def test_no_query_reads_person_or_membership_once_per_row(
    services: Services, statistics: str
) -> None:
    workspace, community = await fill(services)
    if statistics == "fresh":
        await services.database.refresh_statistics()
        assert await services.database.read(statistics_rows) > 0
    elif services.database.is_sqlite:
        assert await services.database.read(statistics_rows) == 0
    found = await nested_plans(services, workspace, community)
    assert {name: scans for name, scans in found.items() if scans} == {}


async def test_the_guard_sees_a_nested_scan(services: Services) -> None:
    """A plan forced to read `person` once per community is reported."""
    await fill(services)
    forced = Recorded(
        "SELECT count(*) FROM community CROSS JOIN person"
        " WHERE person.first_seen_at > community.created_at",
        (),
    )

    def explain(session: Session) -> list[str]:
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            for setting in ("enable_hashjoin", "enable_mergejoin", "enable_material"):
                connection.exec_driver_sql(f"SET LOCAL {setting} = off")
            connection.exec_driver_sql("SET LOCAL join_collapse_limit = 1")
        return nested_scans(connection, forced)

    found = await services.database.write(explain)
    assert found
    assert all("person" in scan for scan in found)


def add_people(session: Session) -> None:
    session.add(Workspace(id=1, platform="slack", external_id="T1"))
    session.flush()
    people = [{"workspace_id": 1, "external_id": f"U{n}"} for n in range(50)]
    session.connection().execute(insert(PERSON), people)  # type: ignore[attr-defined]


def statistics_in(database_url: str) -> int:
    database = Database(database_url)
    try:
        return database.read_sync(lambda session: statistics_rows(session))
    finally:
        database.close()


async def test_migrations_refresh_the_statistics(
    database_templates: SqliteTemplates | PostgresTemplates, tmp_path: Path
) -> None:
    with database_templates.empty(tmp_path) as url:
        upgrade(url, "0002")
        database = Database(url)
        try:
            database.write_sync(add_people)
        finally:
            database.close()
        assert statistics_in(url) == 0
        upgrade(url)
        assert statistics_in(url) > 0


async def test_large_folds_and_bulk_imports_refresh_the_statistics(
    services: Services, tmp_path: Path
) -> None:
    tracker = Tracker(services.database, statistics_after_events=1000)
    await tracker.record_bulk(build_world(SPEC).events())
    await tracker.fold(limit=400)
    assert await services.database.read(statistics_rows) > 0


async def test_a_synthetic_workspace_leaves_fresh_statistics(
    database_templates: SqliteTemplates | PostgresTemplates, tmp_path: Path
) -> None:
    with database_templates.empty(tmp_path) as url:
        code, _, err = await run_engage(
            "synth",
            "--people",
            "40",
            "--communities",
            "4",
            "--days",
            "10",
            cwd=tmp_path,
            ENGAGE_DATABASE_URL=url,
        )
        assert code == 0, err
        assert statistics_in(url) > 0
