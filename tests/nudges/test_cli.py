"""`engage suggest` as an operator runs it: a real subprocess on a real database."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bench.recs.replay import replay
from bench.recs.slack_export import read_export
from bot.services import Services
from nudges.recommend.model import candidates
from nudges.recommend.rank import model_for, score
from tests.bench.recs.club import BIG, CUTOFF, MID, write_club
from tests.nudges.recommend.office_events import (
    ANA,
    AS_OF_DAY,
    BEN,
    CAT,
    COOKING,
    DAN,
    EVE,
    FAY,
    GUS,
    HAL,
    ML,
    office_events,
)
from tests.support.processes import start_engage

PEOPLE = (ANA, BEN, CAT, DAN, EVE, FAY, GUS, HAL)


async def engage(*args: str, url: str, cwd: Path) -> tuple[int, str, str]:
    process = await start_engage(*args, env={"ENGAGE_DATABASE_URL": url}, cwd=str(cwd))
    out, err = await process.process.communicate()
    assert process.process.returncode is not None
    return process.process.returncode, out.decode(), err.decode()


async def office(services: Services) -> None:
    await services.tracker.record(office_events())
    await services.tracker.fold()


async def test_suggest_for_one_person_as_json(
    services: Services, database_url: str, tmp_path: Path
) -> None:
    await office(services)
    code, out, err = await engage(
        "suggest", "--person", ANA, "--as-of", AS_OF_DAY, "--json", url=database_url, cwd=tmp_path
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["as_of"] == "2026-03-02T00:00:00+00:00"
    [entry] = result["people"]
    assert entry["person"] == ANA
    suggestions = entry["suggestions"]
    assert [(s["rank"], s["community"], s["name"]) for s in suggestions] == [
        (1, ML, "ml"),
        (2, COOKING, "cooking"),
    ]
    assert suggestions[0]["reasons"][0] == {"code": "colleagues_active", "count": 4}
    assert suggestions[0]["score"] > suggestions[1]["score"] > 0
    for suggestion in suggestions:
        for text in suggestion["sentence"].values():
            assert not any(person in text for person in PEOPLE)
    assert suggestions[0]["sentence"]["fr"].startswith("4 personnes avec qui vous travaillez")


async def test_as_of_ignores_what_happened_later(
    services: Services, database_url: str, tmp_path: Path
) -> None:
    await office(services)
    code, out, _ = await engage(
        "suggest", "--person", FAY, "--as-of", AS_OF_DAY, "--json", url=database_url, cwd=tmp_path
    )
    assert code == 0
    [entry] = json.loads(out)["people"]
    assert ML in [s["community"] for s in entry["suggestions"]]
    code, out, _ = await engage(
        "suggest",
        "--person",
        FAY,
        "--as-of",
        "2026-03-06",
        "--json",
        url=database_url,
        cwd=tmp_path,
    )
    [entry] = json.loads(out)["people"]
    assert ML not in [s["community"] for s in entry["suggestions"]]


async def test_everyone_as_a_table(services: Services, database_url: str, tmp_path: Path) -> None:
    await office(services)
    code, out, err = await engage(
        "suggest", "--all", "--limit", "1", "--as-of", AS_OF_DAY, url=database_url, cwd=tmp_path
    )
    assert code == 0, err
    assert "#ml" in out
    assert all(person in out for person in PEOPLE)


async def test_mistakes_are_one_line(services: Services, database_url: str, tmp_path: Path) -> None:
    await office(services)
    code, _, err = await engage("suggest", url=database_url, cwd=tmp_path)
    assert (code, err) == (1, "engage: error: give either --person EXTERNAL_ID or --all\n")
    code, _, err = await engage("suggest", "--person", "U0NOBODY", url=database_url, cwd=tmp_path)
    assert code == 1
    assert err.startswith("engage: error: unknown person 'U0NOBODY'")


async def test_as_of_reproduces_the_evaluations_cutoff_from_live_events(
    services: Services, database_url: str, tmp_path: Path
) -> None:
    """The hand-made export's events, later ones included, recorded and folded as live
    events: `suggest --all --as-of` the day before the cutoff ranks each person exactly as
    the offline evaluation's replay does at that cutoff, with the same scores; someone who
    left before the cutoff and came back after is not offered the community again, and
    someone first seen after it is not ranked."""
    timeline = read_export(write_club(tmp_path / "club", archive_flag=False, comeback=True))
    await services.tracker.record(timeline.events)
    await services.tracker.fold()
    day = f"{CUTOFF - timedelta(days=1):%Y-%m-%d}"
    code, out, err = await engage(
        "suggest",
        "--all",
        "--limit",
        "10",
        "--as-of",
        day,
        "--json",
        url=database_url,
        cwd=tmp_path,
    )
    assert code == 0, err
    live = {
        entry["person"]: [(s["community"], s["score"]) for s in entry["suggestions"]]
        for entry in json.loads(out)["people"]
    }
    [cut] = list(replay(timeline, [CUTOFF], timedelta(days=90)))
    model = model_for(cut.snapshot, CUTOFF)
    external = {number: name for name, number in cut.ids.items()}
    replayed = {
        external[person]: [
            (external[s.community], s.score)
            for s in score(model, person, candidates(model.index, person))
        ]
        for person in cut.present
    }
    assert {person: found for person, found in live.items() if found} == replayed
    assert live["U1"][0][0] == MID
    assert BIG not in {community for community, _ in live["U4"]}
    assert "U9" not in live
