"""`engage privacy export|erase` run as an administrator would."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session, select

from bot.services import Services
from bot.storage.models import Objection, Person
from tests.support.processes import run_engage
from tests.support.workspace import handcrafted_events


async def test_export_then_erase_with_objection(
    services: Services, database_url: str, tmp_path: Path
) -> None:
    await services.tracker.record(handcrafted_events())
    await services.tracker.fold()
    out = tmp_path / "u2.json"
    code, said, _ = await run_engage(
        "privacy", "export", "--person", "U2", "--out", str(out),
        cwd=tmp_path, ENGAGE_DATABASE_URL=database_url,
    )  # fmt: skip
    assert (code, said) == (0, f"wrote {out}\n")
    exported = json.loads(out.read_text())
    assert exported["person"]["external_id"] == "U2"
    assert exported["daily_activity"]

    code, said, _ = await run_engage(
        "privacy", "erase", "--person", "U2", "--object", "--yes",
        cwd=tmp_path, ENGAGE_DATABASE_URL=database_url,
    )  # fmt: skip
    assert code == 0
    assert said.startswith("erased ")
    assert "their future events will be dropped" in said

    def state(session: Session) -> tuple[list[str], int]:
        people = [p.external_id for p in session.exec(select(Person))]
        return people, len(session.exec(select(Objection)).all())

    people, objections = await services.database.read(state)
    assert "U2" not in people
    assert objections == 1


async def test_erase_asks_and_unknown_person_is_one_line(
    services: Services, database_url: str, tmp_path: Path
) -> None:
    await services.tracker.record(handcrafted_events())
    await services.tracker.fold()
    code, _, err = await run_engage(
        "privacy", "erase", "--person", "U3", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url
    )
    assert code == 130  # no terminal to confirm on: nothing erased
    people = await services.database.read(lambda s: [p.external_id for p in s.exec(select(Person))])
    assert "U3" in people
    code, _, err = await run_engage(
        "privacy", "export", "--person", "U404", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url
    )
    assert (code, err) == (1, "engage: error: no person 'U404' in workspace T024BE7LD\n")
