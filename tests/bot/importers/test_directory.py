"""`engage import directory FILE` as an operator runs it, on a workspace built from live
events: bad rows named one per line, good rows kept, departments on the ladder and in
campaign audiences, e-mails never stored in clear, nothing changed by a second run."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from bot.campaigns.spec import Audience
from bot.campaigns.store import audience_query, count_of
from bot.crypto import EmailHasher
from bot.events import PersonSeen
from bot.metrics import org_ladders
from bot.services import Services
from bot.settings import Settings
from bot.storage.models import Community, DirectoryEntry, Person
from tests.support.dump import dump_text
from tests.support.events import WORKSPACE, join, post
from tests.support.processes import start_engage

KEY = "a directory test key, long enough"
DAY = "2026-03-10"
CANARY = "canary.7f3a@example.org"


async def engage(settings: Settings, *args: str, cwd: Path) -> tuple[int, str, str]:
    env = {"ENGAGE_DATABASE_URL": settings.database_url, "ENGAGE_SECRET_KEY": KEY}
    process = await start_engage(*args, env=env, cwd=str(cwd))
    out, err = await process.process.communicate()
    assert process.process.returncode is not None
    return process.process.returncode, out.decode(), err.decode()


async def live_workspace(services: Services) -> None:
    """Twelve people who joined #garden (C1) and posted, as Slack's events record them."""
    events = [join(f"U{i}", "C1", "2026-03-02") for i in range(1, 13)]
    events += [post(f"U{i}", "C1", DAY) for i in range(1, 13, 2)]
    await services.tracker.record(events)
    await services.tracker.fold()


CSV = (
    "external_id,email,department,site,manager_level\n"
    + "".join(f"U{i},,Sales,Paris,\n" for i in range(1, 7))
    + "".join(f"U{i},,Engineering,Lyon,2\n" for i in range(7, 12))
    + f",{CANARY},Engineering,,\n"  # U12, by e-mail only
    + ",,Sales,,\n"  # row 14: nobody
    + "U13,not-an-address,Sales,,\n"  # row 15
    + "U14,,,,\n"  # row 16: no department
    + "U15,,Sales,,boss\n"  # row 17
)


def departments(session: Session) -> dict[str, str | None]:
    return {p.external_id: p.department for p in session.exec(select(Person))}


async def test_csv_with_bad_rows_feeds_the_ladder_and_the_audience(
    services: Services, settings: Settings, tmp_path: Path
) -> None:
    await live_workspace(services)
    email = PersonSeen(
        platform="slack",
        workspace=WORKSPACE,
        key="U12:profile:1",
        occurred_at=datetime(2026, 3, 3, tzinfo=UTC),
        person="U12",
        email_hash=EmailHasher(KEY)(CANARY.upper()),
    )
    await services.tracker.record([email])
    await services.tracker.fold()
    path = tmp_path / "hr.csv"
    path.write_text(CSV)

    code, out, err = await engage(settings, "import", "directory", str(path), cwd=tmp_path)

    assert code == 0, err
    assert err.splitlines() == [
        "hr.csv:row 14: neither an external_id nor an email",
        "hr.csv:row 15: email is not an e-mail address",
        "hr.csv:row 16: department is missing",
        "hr.csv:row 17: manager_level 'boss' is not a whole number from 0 to 100",
    ]
    assert out.strip() == (
        "directory: 12 row(s) kept, 4 bad row(s) skipped; 12 entries new or changed, "
        "12 person(s) given a department, 0 account(s) linked by e-mail"
    )

    def check(session: Session) -> None:
        assert departments(session) == {
            **{f"U{i}": "Sales" for i in range(1, 7)},
            **{f"U{i}": "Engineering" for i in range(7, 13)},
        }
        workspace = session.exec(select(Person)).first()
        assert workspace is not None
        organisation, by_department = org_ladders(session, workspace.workspace_id, DAY_AS_OF, 5)
        ladders = {ladder.group: ladder for ladder in by_department}
        assert sorted(ladders) == ["Engineering", "Sales"]
        assert (ladders["Sales"].people, ladders["Engineering"].people) == (6, 6)
        assert organisation.people == 12
        other = Community(workspace_id=workspace.workspace_id, external_id="C9", name="new")
        session.add(other)
        session.flush()
        assert other.id is not None
        sales = audience_query(
            workspace.workspace_id, other.id, Audience("department", department="Sales"), NOW
        )
        assert count_of(session, sales) == 6
        session.rollback()
        dump = dump_text(session)
        assert CANARY not in dump
        assert "canary" not in dump.lower()

    await services.database.read(check)
    assert "canary" not in (out + err).lower()

    code, out, _ = await engage(settings, "import", "directory", str(path), cwd=tmp_path)
    assert code == 0
    assert "0 entries new or changed, 0 person(s) given a department" in out


DAY_AS_OF = datetime.fromisoformat(DAY).date()
NOW = datetime(2026, 3, 11, tzinfo=UTC)


async def test_json_rows_reach_people_seen_later_and_link_accounts(
    services: Services, settings: Settings, tmp_path: Path
) -> None:
    await live_workspace(services)
    path = tmp_path / "hr.json"
    people = [
        {"external_id": "U1", "email": "ana@example.org", "department": "Legal", "site": "Nice"},
        {"email": "newcomer@example.org", "department": "Sales", "manager_level": 1},
        {"external_id": "U2", "department": " "},
        "U3",
        {"external_id": "U4", "department": "Legal", "manager_level": -1},
    ]
    path.write_text(json.dumps({"people": people}))

    code, out, err = await engage(settings, "import", "directory", str(path), cwd=tmp_path)

    assert code == 0, err
    assert err.splitlines() == [
        "hr.json:row 3: department is missing",
        "hr.json:row 4: not an object with named fields",
        "hr.json:row 5: manager_level '-1' is not a whole number from 0 to 100",
    ]
    assert "2 row(s) kept, 3 bad row(s) skipped" in out
    assert "1 account(s) linked by e-mail" in out
    # A newcomer seen on Teams after the import, known there by e-mail only.
    hasher = EmailHasher(KEY)
    newcomer = PersonSeen(
        platform="teams",
        workspace="tenant-1",
        key="email:aad-9",
        occurred_at=datetime(2026, 3, 12, tzinfo=UTC),
        person="aad-9",
        email_hash=hasher("newcomer@example.org"),
    )
    ana_on_teams = dataclasses_replace(newcomer, "aad-1", hasher("ana@example.org"))
    await services.tracker.record([newcomer, ana_on_teams])
    await services.tracker.fold()

    def check(session: Session) -> None:
        found = departments(session)
        assert (found["U1"], found["aad-9"], found["aad-1"], found["U2"]) == (
            "Legal",
            "Sales",
            "Legal",
            None,
        )
        u1 = session.exec(select(Person).where(Person.external_id == "U1")).one()
        ana = session.exec(select(Person).where(Person.external_id == "aad-1")).one()
        assert u1.human_id == ana.human_id == u1.id
        entries = session.exec(select(DirectoryEntry)).all()
        assert {(e.kind, e.site, e.manager_level) for e in entries} == {
            ("id", "Nice", None),
            ("email", "Nice", None),
            ("email", None, 1),
        }
        assert "example.org" not in dump_text(session)

    await services.database.read(check)


def dataclasses_replace(event: PersonSeen, person: str, email_hash: str | None) -> PersonSeen:
    return dataclasses.replace(event, key=f"email:{person}", person=person, email_hash=email_hash)
