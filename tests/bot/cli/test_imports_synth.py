"""`engage synth` as a person runs it: a workspace lands in the database, folded, once."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlmodel import col

from bot.storage.engine import normalise_url
from bot.storage.models import Community, DailyActivity, InboxEvent, Membership, Person
from tests.support.processes import start_engage

SIZES = ("--people", "200", "--communities", "30", "--days", "120", "--seed", "5")


async def engage(database_url: str, *args: str, cwd: Path) -> tuple[int, str, str]:
    process = await start_engage(*args, env={"ENGAGE_DATABASE_URL": database_url}, cwd=str(cwd))
    out, err = await process.process.communicate()
    assert process.process.returncode is not None
    return process.process.returncode, out.decode(), err.decode()


def figure(output: str, label: str) -> int:
    match = re.search(rf"{re.escape(label)}\s*│\s*([\d,]+)", output)
    assert match, f"no '{label}' row in:\n{output}"
    return int(match.group(1).replace(",", ""))


def counts(database_url: str) -> dict[str, int]:
    engine = create_engine(normalise_url(database_url))
    tables = {
        "people": Person, "communities": Community, "memberships": Membership,
        "rollups": DailyActivity, "inbox": InboxEvent,
    }  # fmt: skip
    with engine.connect() as connection:
        found = {
            name: connection.execute(select(func.count()).select_from(model)).scalar_one()
            for name, model in tables.items()
        }
        found["pending"] = connection.execute(
            select(func.count()).select_from(InboxEvent).where(col(InboxEvent.processed).is_(False))
        ).scalar_one()
    engine.dispose()
    return found


async def test_synth_fills_the_database_then_adds_nothing_again(
    database_url: str, tmp_path: Path
) -> None:
    code, out, err = await engage(
        database_url, "synth", *SIZES, "--end", "2026-03-02", cwd=tmp_path
    )
    assert code == 0, err
    assert "Synthetic workspace TSYN5 (seed 5)" in out
    assert "2025-11-02 to 2026-03-01" in out
    new = figure(out, "events new")
    assert 15_000 < new < 23_000
    assert figure(out, "events folded into statistics") == new
    assert "events written" in err
    assert "events folded" in err
    stored = counts(database_url)
    assert (stored["people"], stored["communities"], stored["inbox"]) == (200, 30, new)
    assert stored["pending"] == 0
    assert stored["memberships"] > 200
    assert stored["rollups"] > 1000

    code, out, err = await engage(
        database_url, "synth", *SIZES, "--end", "2026-03-02", cwd=tmp_path
    )
    assert code == 0, err
    assert (figure(out, "events new"), figure(out, "events already there (ignored)")) == (0, new)
    assert counts(database_url) == stored


async def test_impossible_sizes_are_one_line(database_url: str, tmp_path: Path) -> None:
    code, out, err = await engage(database_url, "synth", "--people", "3", cwd=tmp_path)
    assert code == 1
    assert out == ""
    assert err.splitlines() == ["engage: error: --people must be at least 5"]
