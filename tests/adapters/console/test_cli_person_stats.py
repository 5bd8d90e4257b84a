"""With ENGAGE_PERSON_STATS=off nobody acts as someone else, nor demos on real people."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.processes import run_engage

REFUSAL = (
    "engage: error: ENGAGE_PERSON_STATS=off: per-person views are disabled "
    "(each person still sees their own figures with `me`)"
)


@pytest.mark.parametrize(
    "command", [("console",), ("demo", "--slack-export", "export.zip", "--db", "demo.db")]
)
async def test_off_refuses_in_one_line(
    database_url: str, tmp_path: Path, command: tuple[str, ...]
) -> None:
    code, out, err = await run_engage(
        *command, cwd=tmp_path, ENGAGE_DATABASE_URL=database_url, ENGAGE_PERSON_STATS="off"
    )
    assert (code, out, err.splitlines()) == (1, "", [REFUSAL])
    assert not (tmp_path / "demo.db").exists()
