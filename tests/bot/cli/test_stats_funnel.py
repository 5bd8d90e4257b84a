"""`engage stats --funnel`: the suggestion funnel for a workspace or one community."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from bot.services import Services
from bot.storage.models import FollowStep, Person
from tests.support.funnel import SENT, seed
from tests.support.processes import run_engage as run


async def test_funnel_json_and_table(services: Services, database_url: str, tmp_path: Path) -> None:
    await services.database.write(seed)
    code, out, _ = await run(
        "stats", "--funnel", "--community", "garden", "--as-of", "2026-03-20", "--json",
        cwd=tmp_path, ENGAGE_DATABASE_URL=database_url,
    )  # fmt: skip
    assert code == 0
    report = json.loads(out)
    assert report["community"] == "garden"
    hidden = {"suppressed": True, "minimum": 5}
    assert report["funnel"] == {
        "suggested": 10,
        "followed": 6,
        "joined": hidden,
        "first_post": hidden,
        "dismissed": hidden,
        "ignored": hidden,
    }
    code, out, _ = await run(
        "stats", "--funnel", "--as-of", "2026-03-20", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url
    )
    assert code == 0
    assert "Suggestion funnel — T1" in out
    assert "suggested (delivered)" in out
    assert "11" in out


def follow_seed(session: Session) -> None:
    """Six people followed #garden; three were asked "Join?", two joined after following."""
    _, garden, _ = seed(session)
    people = session.exec(select(Person).order_by(col(Person.id))).all()
    for i, person in enumerate(people[:6]):
        assert person.id is not None
        session.add(
            FollowStep(
                person_id=person.id,
                community_id=garden,
                followed_at=SENT,
                asked_at=SENT + timedelta(weeks=4) if i < 3 else None,
                joined_at=SENT + timedelta(weeks=5) if i < 2 else None,
            )
        )


async def test_follow_to_join_stages(services: Services, database_url: str, tmp_path: Path) -> None:
    await services.database.write(follow_seed)
    code, out, _ = await run(
        "stats", "--funnel", "--community", "garden", "--as-of", "2026-04-30", "--json",
        cwd=tmp_path, ENGAGE_DATABASE_URL=database_url, ENGAGE_MIN_GROUP_SIZE="2",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out)["follow_steps"] == {"followed": 6, "asked": 3, "joined": 2}
    code, out, _ = await run(
        "stats", "--funnel", "--as-of", "2026-03-20", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url
    )
    assert code == 0
    assert "Follow → join — T1" in out
    assert "followed a community" in out
