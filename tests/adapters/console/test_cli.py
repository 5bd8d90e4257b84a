"""`engage demo` and `engage console` as a newcomer runs them: real subprocesses."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.support.processes import ENGAGE, engage_env

SECTIONS = (
    "1. The organisation's engagement ladder",
    "2. Most alive versus largest communities",
    "3. Health card of #",
    "4. Suggestions for three people who asked for them",
    "5. Their answers, through the command router",
    "Suggestion funnel",
    "6. What to try next",
)
CLOCK_LINE = re.compile(r"^\w+ \d{4}-\d\d-\d\d \d\d:\d\d UTC$", re.MULTILINE)
FRENCH_CLOCK_LINE = re.compile(r"^\w+ \d{1,2} \w+ \d{4} \d\d:\d\d UTC$", re.MULTILINE)
FOLLOW = re.compile(r"(\d+)\) (?:Follow|Suivre)\b")
SENT_AT = re.compile(r"direct message from Engage, \w+ (\d{4}-\d\d-\d\d \d\d:\d\d) UTC")
TIME_ZONE = re.compile(r"\(([\w/+-]+)\)$", re.MULTILINE)
COMMUNITY = re.compile(r"#([\w-]+)")
WIDE = {"COLUMNS": "200"}


def engage(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ENGAGE, *args],
        cwd=cwd,
        env=engage_env({**WIDE, **(env or {})}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_prints_every_section_and_reasoned_suggestions(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    done = engage("demo", "--db", str(db), "--people", "40", "--communities", "8", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    positions = [out.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    assert re.search(r"[▁▂▃▄▅▆▇█]{12}", out), "the health card has a 12-week sparkline"
    assert "silent share" in out
    reasons = re.findall(r"reasons: (.+)", out)
    assert len(reasons) == 3
    assert all("=" in line and "none" not in line for line in reasons)
    for answer in ("follow", "join", "never"):
        assert f"→ {answer}:" in out
    assert f"engage console --db {db}" in out
    again = engage("demo", "--db", str(db), cwd=tmp_path)
    assert again.returncode == 1
    assert "already exists" in again.stderr


class Console:
    """Drives `engage console` line by line; `time` after each line marks its end."""

    def __init__(
        self,
        process: asyncio.subprocess.Process,
        clock: str = "time",
        clock_line: re.Pattern[str] = CLOCK_LINE,
    ) -> None:
        self.process = process
        self.clock, self.clock_line = clock, clock_line

    async def send(self, line: str) -> str:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(f"{line}\n{self.clock}\n".encode())
        await self.process.stdin.drain()
        seen: list[str] = []

        async def until_clock() -> str:
            assert self.process.stdout is not None
            while True:
                raw = await self.process.stdout.readline()
                assert raw, "console ended early:\n" + "".join(seen)
                seen.append(raw.decode())
                if self.clock_line.match(seen[-1].strip()):
                    return "".join(seen)

        return await asyncio.wait_for(until_clock(), 60)


async def test_console_suggestion_follow_and_digest(tmp_path: Path) -> None:
    db = tmp_path / "synth.db"
    url = {"ENGAGE_DATABASE_URL": f"sqlite:///{db}"}
    made = engage("synth", "--people", "40", "--communities", "8", cwd=tmp_path, env=url)
    assert made.returncode == 0, made.stderr
    preview = engage("suggest", "--all", "--json", cwd=tmp_path, env=url)
    person = next(p["person"] for p in json.loads(preview.stdout)["people"] if p["suggestions"])
    process = await asyncio.create_subprocess_exec(
        *ENGAGE,
        "console",
        "--db",
        str(db),
        cwd=tmp_path,
        env=engage_env(WIDE),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    console = Console(process)
    assert "You are now" in await console.send(f"as {person}")
    await console.send("/engage start")
    zone = TIME_ZONE.search(await console.send("/engage settings"))
    assert zone is not None

    week = await console.send("tick 1w")
    suggestion = week[week.index("direct message from Engage") :]
    sent = SENT_AT.search(suggestion)
    assert sent is not None
    local = datetime.strptime(sent.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    local = local.astimezone(ZoneInfo(zone.group(1)))
    assert local.isoweekday() in (2, 3, 4), "a working day of the default send window"
    assert 10 <= local.hour < 16, "inside the default send window"
    click = FOLLOW.search(suggestion)
    assert click is not None, week
    name = COMMUNITY.search(suggestion)
    assert name is not None
    community = name.group(1)

    await console.send(click.group(1))
    assert f"#{community}" in await console.send("/engage following")

    later = await console.send("tick 1w")
    digests = later.split("direct message from Engage")[1:]
    assert any(f"#{community}" in digest for digest in digests), later

    stopped = await console.send("/engage stop")
    assert "start" in stopped
    assert process.stdin is not None
    process.stdin.write(b"quit\n")
    _, errors = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, errors.decode()


async def test_demo_then_console_in_french(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    french = {"ENGAGE_LANGUAGE": "fr"}
    done = engage(
        "demo", "--db", str(db), "--people", "40", "--communities", "8", cwd=tmp_path, env=french
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    sections = (
        "1. L’échelle d’engagement de l’organisation",
        "2. Les plus vivantes face aux plus grandes communautés",
        "3. Fiche santé de #",
        "4. Suggestions pour trois personnes qui en ont demandé",
        "5. Leurs réponses, par le routeur de commandes",
        "Entonnoir des suggestions",
        "6. Que faire ensuite",
    )
    positions = [out.index(section) for section in sections]
    assert positions == sorted(positions)
    assert "part de silencieux" in out
    assert "Échelle d’engagement — 28 jours jusqu’au" in out
    assert len(re.findall(r"raisons : (.+)", out)) == 3
    assert f"engage console --db {db}" in out
    assert "démo terminée en" in out
    assert "The organisation" not in out
    assert "What to try next" not in out

    process = await asyncio.create_subprocess_exec(
        *ENGAGE, "console", "--db", str(db),
        cwd=tmp_path, env=engage_env({**WIDE, "LANG": "fr_FR.UTF-8"}),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    console = Console(process, clock="heure", clock_line=FRENCH_CLOCK_LINE)
    opening = await console.send("aide")
    assert "Console Engage sur l’espace de travail" in opening
    assert "comme <personne>" in opening
    assert "avancer [durée]" in opening
    assert "Choisissez d’abord qui vous êtes" in await console.send("/engage aide")
    people = await console.send("qui")
    person = people.split()[0]
    assert "Vous êtes maintenant" in await console.send(f"comme {person}")
    for line in ("/engage aide", "/engage démarrer", "/engage preferences"):
        answer = await console.send(line)
        assert "I don't know" not in answer, answer
        assert "Je ne connais pas" not in answer, answer
    assert "Nous sommes le " in await console.send("avancer 1d")
    assert "Commande de console inconnue 'bogus' : tapez aide." in await console.send("bogus")
    assert process.stdin is not None
    process.stdin.write(b"quitter\n")
    _, errors = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, errors.decode()
