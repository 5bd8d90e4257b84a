"""`engage stats --funnel`: the suggestion funnel for a workspace or one community."""

from __future__ import annotations

import json
from pathlib import Path

from bot.services import Services
from tests.support.funnel import seed
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
