"""`engage stats` and `engage run-job` as a person runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.services import Services
from tests.support.events import raw_row, store_raw
from tests.support.processes import run_engage as run
from tests.support.workspace import handcrafted_events


@pytest.fixture
async def recorded(services: Services) -> Services:
    await services.tracker.record(handcrafted_events())
    return services


async def test_run_job_fold_then_community_json(
    recorded: Services, database_url: str, tmp_path: Path
) -> None:
    code, out, _ = await run("run-job", "fold", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url)
    assert (code, out) == (0, f"folded {len(handcrafted_events())} event(s)\n")
    code, out, _ = await run(
        "stats", "--community", "#garden", "--as-of", "2026-03-29", "--json",
        cwd=tmp_path, ENGAGE_DATABASE_URL=database_url,
    )  # fmt: skip
    assert code == 0
    stats = json.loads(out)["stats"]
    assert stats["members"] == 15
    assert stats["reactors"] == {"suppressed": True, "minimum": 5}
    assert stats["weekly_posts"] == [0, 0, 0, 1, 2, 2, 2, 2, 4, 3, 2, 3]
    assert stats["rhythm"] == "steady"


async def test_organisation_view_in_rich_tables(
    recorded: Services, database_url: str, tmp_path: Path
) -> None:
    await recorded.tracker.fold()
    code, out, _ = await run(
        "stats", "--as-of", "2026-03-29", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url
    )
    assert code == 0
    assert "Engagement ladder" in out
    assert "#garden" in out
    assert "#archive-club" in out
    assert "#tiny" not in out  # below the minimum group


async def test_trend_month_by_month_in_json_and_tables(
    recorded: Services, database_url: str, tmp_path: Path
) -> None:
    await recorded.tracker.fold()
    code, out, _ = await run(
        "stats", "--trend", "--as-of", "2026-03-29", "--json",
        cwd=tmp_path, ENGAGE_DATABASE_URL=database_url,
    )  # fmt: skip
    assert code == 0
    trend = json.loads(out)
    assert trend["months"][0] == "2025-04-30"
    assert trend["months"][-1] == "2026-03-29"
    organisation = trend["organisation"]
    assert [month["people"] for month in organisation[-3:]] == [15, 15, 15]
    assert organisation[0]["people"] == {"suppressed": True, "minimum": 5}
    assert organisation[-1]["rungs"]["contributor"] == {
        "suppressed": True,
        "minimum": 5,
        "complementary": True,
    }
    assert sorted(trend["departments"]) == ["Engineering", "other"]
    assert len(trend["departments"]["Engineering"]) == 12
    code, out, _ = await run(
        "stats", "--trend", "--as-of", "2026-03-29",
        cwd=tmp_path, ENGAGE_DATABASE_URL=database_url,
    )  # fmt: skip
    assert code == 0
    assert "organisation — engagement ladder, month by month" in out
    assert "Engineering — engagement ladder, month by month" in out
    assert "2026-03" in out
    assert "2025-04" in out


async def test_unknown_community_is_one_line_with_close_names(
    recorded: Services, database_url: str, tmp_path: Path
) -> None:
    await recorded.tracker.fold()
    code, _, err = await run("stats", "-c", "gardn", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url)
    assert code == 1
    assert err.splitlines() == [
        "engage: error: I can't find the community “gardn”. Did you mean: #garden?"
    ]


async def test_bad_date_and_unknown_job(database_url: str, tmp_path: Path) -> None:
    code, _, err = await run(
        "stats", "--as-of", "yesterday", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url
    )
    assert (code, err) == (
        1,
        "engage: error: --as-of needs a date like 2026-03-31, not 'yesterday'\n",
    )
    code, _, err = await run("run-job", "dance", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url)
    assert code == 1
    assert err.startswith("engage: error: unknown job 'dance'; jobs: ")
    assert "fold" in err


async def test_empty_database_says_what_to_do(database_url: str, tmp_path: Path) -> None:
    code, _, err = await run("stats", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url)
    assert code == 1
    assert "no workspace yet" in err


async def test_fold_quarantines_what_it_cannot_fold_and_health_tells(
    recorded: Services, database_url: str, tmp_path: Path
) -> None:
    env = {"ENGAGE_DATABASE_URL": database_url}
    code, out, _ = await run("stats", "--health", cwd=tmp_path, **env)
    assert code == 0
    assert out.startswith(f"inbox: {len(handcrafted_events())} event(s) waiting to be folded, ")
    assert "quarantined: 0 event(s)\n" in out

    await store_raw(recorded, raw_row("community_created", {"name": ["a", "list"]}))
    code, out, _ = await run("run-job", "fold", cwd=tmp_path, **env)
    assert (code, out) == (
        0,
        f"folded {len(handcrafted_events())} event(s); 1 could not be, quarantined "
        "(engage stats --health)\n",
    )
    code, out, _ = await run("stats", "--health", cwd=tmp_path, **env)
    assert code == 0
    assert out.splitlines()[:2] == [
        "inbox: 0 event(s) waiting to be folded",
        "quarantined: 1 event(s)",
    ]
    code, out, _ = await run("stats", "--health", "--json", cwd=tmp_path, **env)
    assert json.loads(out) == {"pending": 0, "oldest_pending": None, "quarantined": 1}
    code, out, _ = await run("run-job", "fold", cwd=tmp_path, **env)
    assert out == "folded 0 event(s)\n"
