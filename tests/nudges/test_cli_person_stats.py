"""`ENGAGE_PERSON_STATS=off` refuses the operator's per-person preview; `on` allows it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.services import Services
from tests.nudges.recommend.office_events import ANA, office_events
from tests.support.processes import run_engage


@pytest.fixture
async def office(services: Services) -> None:
    await services.tracker.record(office_events())
    await services.tracker.fold()


@pytest.mark.parametrize("who", [("--person", ANA), ("--all",)])
async def test_off_refuses_in_one_line_and_prints_nothing(
    office: None, database_url: str, tmp_path: Path, who: tuple[str, ...]
) -> None:
    code, out, err = await run_engage(
        "suggest", *who, "--json", cwd=tmp_path,
        ENGAGE_DATABASE_URL=database_url, ENGAGE_PERSON_STATS="off",
    )  # fmt: skip
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "engage: error: ENGAGE_PERSON_STATS=off: per-person views are disabled "
        "(each person still sees their own figures with `me`)"
    ]


async def test_on_is_the_default_and_shows_the_person(
    office: None, database_url: str, tmp_path: Path
) -> None:
    code, out, _ = await run_engage(
        "suggest", "--person", ANA, "--json", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url
    )
    assert code == 0
    assert [entry["person"] for entry in json.loads(out)["people"]] == [ANA]
