"""The promises as a newcomer meets them in `engage console`: never a suggestion and a
digest on one day; after `pause` no digest until `resume`; after `stop`, nothing at all."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from tests.adapters.console.test_cli import COMMUNITY, FOLLOW, SENT_AT, WIDE, Console, engage
from tests.support.processes import ENGAGE, engage_env

DM = "direct message from Engage"
DIGEST = ("weekly digest", "résumé hebdomadaire")


def days_of(output: str) -> list[str]:
    return [moment[:10] for moment in SENT_AT.findall(output)]


async def test_pause_resume_and_stop_hold_for_digests(tmp_path: Path) -> None:
    db = tmp_path / "synth.db"
    url = {"ENGAGE_DATABASE_URL": f"sqlite:///{db}"}
    made = engage("synth", "--people", "40", "--communities", "8", cwd=tmp_path, env=url)
    assert made.returncode == 0, made.stderr
    preview = engage("suggest", "--all", "--json", cwd=tmp_path, env=url)
    person = next(p["person"] for p in json.loads(preview.stdout)["people"] if p["suggestions"])
    process = await asyncio.create_subprocess_exec(
        *ENGAGE, "console", "--db", str(db), cwd=tmp_path, env=engage_env(WIDE),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    console = Console(process)
    await console.send(f"as {person}")
    await console.send("/engage start")
    week = await console.send("tick 1w")
    click, name = FOLLOW.search(week), COMMUNITY.search(week[week.index(DM) :])
    assert click is not None, week
    assert name is not None
    await console.send(click.group(1))

    both = await console.send("tick 2w")  # suggestions and digests, never on the same day
    assert any(title in both for title in DIGEST)
    assert len(days_of(both)) == len(set(days_of(both))) >= 2, both

    await console.send("/engage pause 2w")
    paused = await console.send("tick 1w")
    assert DM not in paused, paused
    await console.send("/engage resume")
    resumed = await console.send("tick 1w")
    assert any(title in resumed for title in DIGEST), resumed

    await console.send("/engage stop")
    stopped = await console.send("tick 2w")
    assert DM not in stopped, stopped
    assert process.stdin is not None
    process.stdin.write(b"quit\n")
    _, errors = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, errors.decode()
