"""`engage db check`, `dump` and `restore`, as an operator runs them, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from bot.storage.engine import normalise_url
from bot.storage.migrate import migrations, upgrade
from tests.support.databases import PostgresTemplates, SqliteTemplates
from tests.support.processes import run_engage as run

END = "2026-11-30"


async def test_check_says_a_migrated_database_is_current(database_url: str, tmp_path: Path) -> None:
    code, out, err = await run("db", "check", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url)
    assert code == 0, err
    assert f"is current: revision {migrations()[-1].revision}" in out


async def test_check_lists_the_pending_migrations_of_an_outdated_database(
    database_templates: SqliteTemplates | PostgresTemplates, tmp_path: Path
) -> None:
    known = migrations()
    with database_templates.empty(tmp_path) as url:
        upgrade(url, known[-3].revision)
        code, out, err = await run("db", "check", cwd=tmp_path, ENGAGE_DATABASE_URL=url)
        assert code == 1, err
        assert f"is behind: at revision {known[-3].revision}" in out
        listed = [line.split()[0] for line in out.splitlines() if line.startswith("  ")]
        assert listed == [step.revision for step in known[-2:]]
        assert "run engage db upgrade (all are additive" in out
        code, out, _ = await run("db", "upgrade", cwd=tmp_path, ENGAGE_DATABASE_URL=url)
        assert code == 0
        code, out, _ = await run("db", "check", cwd=tmp_path, ENGAGE_DATABASE_URL=url)
        assert code == 0, out


async def test_check_on_an_empty_database_lists_every_migration(
    database_templates: SqliteTemplates | PostgresTemplates, tmp_path: Path
) -> None:
    with database_templates.empty(tmp_path) as url:
        code, out, _ = await run("db", "check", cwd=tmp_path, ENGAGE_DATABASE_URL=url)
    assert code == 1
    assert "at revision none (empty)" in out
    assert f"{len(migrations())} pending migration(s)" in out


async def test_check_says_a_revision_engage_never_had_is_unknown(
    database_url: str, tmp_path: Path
) -> None:
    engine = create_engine(normalise_url(database_url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'a1b2c3d4e5f6'"))
    engine.dispose()
    code, out, _ = await run("db", "check", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url)
    assert code == 3
    assert "is at an unknown revision a1b2c3d4e5f6" in out
    code, _, err = await run("db", "upgrade", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url)
    assert code == 1
    assert "a1b2c3d4e5f6, which this version of Engage does not know" in err


async def test_dump_then_restore_into_a_fresh_database_gives_identical_stats(
    database_url: str, database_templates: SqliteTemplates | PostgresTemplates, tmp_path: Path
) -> None:
    synth = ("synth", "--people", "40", "--communities", "6", "--days", "45", "--end", END)
    code, _, err = await run(*synth, cwd=tmp_path, ENGAGE_DATABASE_URL=database_url)
    assert code == 0, err
    backup = tmp_path / "engage.dump"
    code, out, err = await run(
        "db", "dump", str(backup), cwd=tmp_path, ENGAGE_DATABASE_URL=database_url
    )
    assert code == 0, err
    assert backup.stat().st_size > 0
    views = (("stats", "--as-of", END, "--json"), ("stats", "--as-of", END), ("stats", "--health"))
    with database_templates.empty(tmp_path) as restored:
        code, out, err = await run(
            "db", "restore", str(backup), cwd=tmp_path, ENGAGE_DATABASE_URL=restored
        )
        assert code == 0, err
        assert "restored into" in out
        for view in views:
            original = await run(*view, cwd=tmp_path, ENGAGE_DATABASE_URL=database_url)
            copy = await run(*view, cwd=tmp_path, ENGAGE_DATABASE_URL=restored)
            assert original[0] == copy[0] == 0, (original[2], copy[2])
            assert original[1].strip()
            assert copy[1] == original[1]
        code, _, _ = await run("db", "check", cwd=tmp_path, ENGAGE_DATABASE_URL=restored)
        assert code == 0
    assert (
        '"people": 40' in (await run(*views[0], cwd=tmp_path, ENGAGE_DATABASE_URL=database_url))[1]
    )


async def test_restore_refuses_a_database_that_is_not_empty(
    database_url: str, tmp_path: Path
) -> None:
    backup = tmp_path / "engage.dump"
    code, _, err = await run(
        "db", "dump", str(backup), cwd=tmp_path, ENGAGE_DATABASE_URL=database_url
    )
    assert code == 0, err
    code, _, err = await run(
        "db", "restore", str(backup), cwd=tmp_path, ENGAGE_DATABASE_URL=database_url
    )
    assert code == 1
    assert err.startswith("engage: error: the target database is not empty")
    assert "restore into a new, empty database" in err


async def test_restore_refuses_a_file_that_is_not_a_dump_of_that_kind(
    database_templates: SqliteTemplates | PostgresTemplates, tmp_path: Path
) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a dump")
    with database_templates.empty(tmp_path) as url:
        code, _, err = await run("db", "restore", str(bogus), cwd=tmp_path, ENGAGE_DATABASE_URL=url)
    assert code == 1
    assert "is not a" in err
    assert "dump made by engage db dump" in err


async def test_postgres_dump_without_pg_dump_says_what_to_install(tmp_path: Path) -> None:
    empty_path = tmp_path / "bin"
    empty_path.mkdir()
    url = "postgresql+psycopg://engage:secret@127.0.0.1:1/engage"
    code, _, err = await run(
        "db",
        "dump",
        str(tmp_path / "x.dump"),
        cwd=tmp_path,
        ENGAGE_DATABASE_URL=url,
        PATH=str(empty_path),
    )
    assert code == 1
    assert err.strip() == (
        "engage: error: pg_dump is not installed (or not on PATH): install PostgreSQL's client "
        "tools, of the server's major version or newer (Debian: apt-get install postgresql-client)"
    )
    assert "secret" not in err
    assert not (tmp_path / "x.dump").exists()
