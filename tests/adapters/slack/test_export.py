"""Importing a Slack export end to end: rollups, memberships, re-runs and bad input."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel, col

from adapters.slack.export import default_workspace, import_slack_export
from adapters.slack.export_schema import ExportError
from bot.events import as_utc
from bot.importers.ledger import ImportSummary
from bot.services import Services
from bot.storage.models import (
    Community,
    DailyActivity,
    ImportedFile,
    InboxEvent,
    Membership,
    Person,
    Workspace,
)
from bot.tracker import Tracker
from tests.support.slack_export import (
    BOT,
    CANARY,
    DATAJAM,
    DATASETS,
    DAYS,
    EXPECTED_ROLLUPS,
    JAVIER,
    LENA,
    MAYA,
    OMAR,
    USERS,
    message,
    user,
    write_export,
    zip_export,
)

EXPECTED_MEMBERSHIPS = {
    (DATAJAM, MAYA): ("member", datetime(2016, 7, 1, 0, 1, 40, 2, tzinfo=UTC)),
    (DATAJAM, OMAR): ("member", datetime(2016, 7, 1, tzinfo=UTC)),
    (DATAJAM, JAVIER): ("left", None),
    (DATASETS, LENA): ("left", None),
}
SAMPLE_EVENTS = 24  # 5 people, 2 channels, 7 + 5 + 2 from day files, 3 from reconciliation
DayKey = tuple[str, str, str]


def rollups(session: Session) -> dict[DayKey, tuple[int, ...]]:
    query = (
        select(DailyActivity, col(Community.external_id), col(Person.external_id))
        .join(Community, col(Community.id) == DailyActivity.community_id)
        .join(Person, col(Person.id) == DailyActivity.person_id)
    )
    return {
        (row.day.isoformat(), channel, person): (
            row.posts,
            row.replies,
            row.reactions_given,
            row.reactions_received,
            row.joins,
            row.leaves,
        )
        for row, channel, person in session.execute(query).all()
    }


def memberships(session: Session) -> dict[tuple[str, str], tuple[str, datetime | None]]:
    query = (
        select(Membership, col(Community.external_id), col(Person.external_id))
        .join(Community, col(Community.id) == Membership.community_id)
        .join(Person, col(Person.id) == Membership.person_id)
    )
    return {
        (channel, person): (
            row.state,
            as_utc(row.joined_at) if row.state == "member" and row.joined_at else None,
        )
        for row, channel, person in session.execute(query).all()
    }


def count(session: Session, model: type[SQLModel]) -> int:
    total: int = session.execute(select(func.count()).select_from(model)).scalar_one()
    return total


async def run(services: Services, path: Path, **options: Any) -> ImportSummary:
    return await import_slack_export(services, path, **options)


async def test_directory_import_gives_hand_computed_rollups(
    services: Services, tmp_path: Path
) -> None:
    summary = await run(services, write_export(tmp_path / "houston"))
    assert summary.workspace == "export:houston"
    assert (summary.files_imported, summary.files_skipped) == (5, 0)
    assert (summary.events.new, summary.events.duplicates, summary.events.future) == (24, 0, 0)
    assert (summary.bot_messages, summary.other_messages) == (2, 5)
    assert (summary.people, summary.channels, summary.folded) == (5, 2, SAMPLE_EVENTS)
    assert await services.database.read(rollups) == EXPECTED_ROLLUPS
    assert await services.database.read(memberships) == EXPECTED_MEMBERSHIPS


async def test_communities_and_people_come_from_the_export(
    services: Services, tmp_path: Path
) -> None:
    await run(services, write_export(tmp_path / "houston"), workspace="T061A2UFL")

    def read(session: Session) -> tuple[Any, ...]:
        workspace = session.execute(select(Workspace)).scalar_one()
        communities = session.execute(select(Community)).scalars().all()
        people = {p.external_id: p for p in session.execute(select(Person)).scalars()}
        return workspace, communities, people

    workspace, communities, people = await services.database.read(read)
    assert (workspace.platform, workspace.external_id) == ("slack", "T061A2UFL")
    created = datetime(2016, 7, 1, tzinfo=UTC)
    assert {(c.external_id, c.name, c.is_archived, as_utc(c.created_at)) for c in communities} == {
        (DATAJAM, "datajam", False, created),
        (DATASETS, "datasets", True, created),
    }
    assert all(c.creator_id == people[MAYA].id and not c.is_private for c in communities)
    assert (people[MAYA].display_name, people[MAYA].locale, people[MAYA].tz) == (
        "Maya",
        "en-US",
        "America/Chicago",
    )
    assert (people[JAVIER].display_name, people[JAVIER].locale) == ("javier", "fr-FR")
    assert (people[LENA].deleted, people[BOT].is_bot) == (True, True)


async def test_zip_import_matches_directory_import(services: Services, tmp_path: Path) -> None:
    archive = zip_export(write_export(tmp_path / "export"), tmp_path / "houston.zip")
    summary = await run(services, archive)
    assert summary.workspace == "export:houston"
    assert summary.events.new == SAMPLE_EVENTS
    assert await services.database.read(rollups) == EXPECTED_ROLLUPS
    assert await services.database.read(memberships) == EXPECTED_MEMBERSHIPS


async def test_zip_with_the_export_inside_one_folder(services: Services, tmp_path: Path) -> None:
    directory = write_export(tmp_path / "export")
    archive = zip_export(directory, tmp_path / "slack.zip", folder="Houston Export Jul 31 2016/")
    assert (await run(services, archive)).events.new == SAMPLE_EVENTS
    assert await services.database.read(rollups) == EXPECTED_ROLLUPS


async def test_rerun_adds_nothing_even_after_retention(services: Services, tmp_path: Path) -> None:
    export = write_export(tmp_path / "houston")
    await run(services, export)
    again = await run(services, export)
    assert (again.files_imported, again.files_skipped, again.events.new) == (0, 5, 0)
    assert await Tracker(services.database, raw_retention_days=0).apply_retention() > 0
    assert await services.database.read(lambda s: count(s, InboxEvent)) == 0
    third = await run(services, export)
    assert (third.files_imported, third.events.new, third.folded) == (0, 0, 0)
    assert await services.database.read(rollups) == EXPECTED_ROLLUPS
    assert await services.database.read(memberships) == EXPECTED_MEMBERSHIPS


async def test_a_changed_day_file_is_imported_again_for_its_new_messages(
    services: Services, tmp_path: Path
) -> None:
    export = write_export(tmp_path / "houston")
    await run(services, export)
    later = [*DAYS["datajam/2016-07-02.json"], message(OMAR, "1467468000.000010")]
    write_export(export, {"datajam/2016-07-02.json": later})
    summary = await run(services, export)
    assert (summary.files_imported, summary.files_skipped) == (1, 4)
    assert (summary.events.new, summary.events.duplicates) == (1, 5)
    expected = {**EXPECTED_ROLLUPS, ("2016-07-02", DATAJAM, OMAR): (1, 1, 0, 0, 0, 0)}
    assert await services.database.read(rollups) == expected


@pytest.mark.parametrize("missing", ["channels.json", "users.json"])
async def test_missing_index_file_imports_nothing(
    services: Services, tmp_path: Path, missing: str
) -> None:
    export = write_export(tmp_path / "houston")
    (export / missing).unlink()
    with pytest.raises(ExportError, match=rf"{missing} is missing; nothing was imported"):
        await run(services, export)
    assert await services.database.read(lambda s: count(s, InboxEvent)) == 0


async def test_malformed_users_file_imports_nothing(services: Services, tmp_path: Path) -> None:
    export = write_export(tmp_path / "houston", users=[{"name": "no id"}])
    with pytest.raises(ExportError, match=r"^users.json is malformed: item 0.id: Field required"):
        await run(services, export)
    assert await services.database.read(lambda s: count(s, ImportedFile)) == 0
    assert await services.database.read(lambda s: count(s, InboxEvent)) == 0


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[{", "Invalid JSON"),
        (json.dumps({"messages": []}), "Input should be a valid array"),
        (json.dumps([{"type": "message", "user": MAYA}]), "item 0.ts: Field required"),
        (json.dumps([{"ts": "1467453600.1", "reactions": 3}]), "item 0.reactions"),
    ],
)
async def test_malformed_day_file_keeps_earlier_files_and_nothing_of_its_own(
    services: Services, tmp_path: Path, content: str, problem: str
) -> None:
    export = write_export(tmp_path / "houston")
    (export / "datajam" / "2016-07-02.json").write_text(content)
    with pytest.raises(ExportError, match=rf"^datajam/2016-07-02.json is malformed: .*{problem}"):
        await run(services, export)

    def stored(session: Session) -> tuple[set[str], set[str]]:
        keys = set(session.execute(select(col(InboxEvent.event_key))).scalars())
        files = set(session.execute(select(col(ImportedFile.source_key))).scalars())
        return keys, files

    keys, files = await services.database.read(stored)
    day_one = [f"{DATAJAM}/2016-07-01.json", f"{DATASETS}/2016-07-01.json"]
    names = ["users.json", "channels.json", *day_one]
    assert files == {f"slack:export:houston:{name}" for name in names}
    assert f"{DATAJAM}:1467336000.000003" in keys
    assert not [key for key in keys if key.startswith(f"{DATAJAM}:14674")]
    assert await services.database.read(rollups) == {  # no reconciliation yet
        ("2016-07-01", DATAJAM, MAYA): (1, 0, 0, 2, 1, 0),
        ("2016-07-01", DATAJAM, JAVIER): (1, 0, 2, 0, 1, 0),
        ("2016-07-01", DATAJAM, OMAR): (0, 0, 1, 0, 0, 0),
        ("2016-07-01", DATASETS, LENA): (1, 0, 0, 0, 1, 0),
    }

    write_export(export, {"datajam/2016-07-02.json": DAYS["datajam/2016-07-02.json"]})
    fixed = await run(services, export)
    assert (fixed.files_imported, fixed.files_skipped) == (1, 4)
    assert await services.database.read(rollups) == EXPECTED_ROLLUPS


async def test_future_dated_and_duplicate_messages_are_counted_not_stored(
    services: Services, tmp_path: Path
) -> None:
    post = message(MAYA, "1467336000.000003")
    days = {
        "datajam/2016-07-01.json": [post, post, message(JAVIER, "4102444800.000001")],
        "datajam/2016-07-03.json": [post],
    }
    summary = await run(services, write_export(tmp_path / "houston", days))
    assert (summary.events.future, summary.events.duplicates) == (1, 2)
    folded = await services.database.read(rollups)
    assert folded[("2016-07-01", DATAJAM, MAYA)][0] == 1
    assert not [key for key in folded if key[0] > "2016-07-03"]


async def test_folders_not_in_channels_json_are_skipped(services: Services, tmp_path: Path) -> None:
    days = {**DAYS, "D0PRIVATE1/2016-07-01.json": [message(MAYA, "1467336000.000003")]}
    summary = await run(services, write_export(tmp_path / "houston", days))
    assert summary.unknown_folders == {"D0PRIVATE1"}
    assert await services.database.read(rollups) == EXPECTED_ROLLUPS


async def test_no_text_reaches_the_database_or_the_logs(
    services: Services, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    archive = zip_export(write_export(tmp_path / "export"), tmp_path / "houston.zip")
    await run(services, write_export(tmp_path / "houston"))
    await run(services, archive)
    bad = write_export(tmp_path / "bad", {"datajam/2016-07-01.json": [{"text": CANARY}]})
    with pytest.raises(ExportError) as failure:
        await run(services, bad)

    def dump(session: Session) -> str:
        tables = SQLModel.metadata.sorted_tables
        return repr([session.execute(select(table)).all() for table in tables])

    everything = await services.database.read(dump)
    assert "U061A1R2R" in everything
    assert "canary" not in everything
    assert "canary" not in caplog.text
    assert "canary" not in str(failure.value)


def test_default_workspace_is_the_export_name(tmp_path: Path) -> None:
    (tmp_path / "Slack export Jul 31 2016.zip").write_bytes(b"")
    assert default_workspace(tmp_path / "Slack export Jul 31 2016.zip") == (
        "export:Slack export Jul 31 2016"
    )
    assert default_workspace(tmp_path / "houston") == "export:houston"
    assert len(default_workspace(tmp_path / ("x" * 100))) == 64


async def test_a_nul_in_users_json_is_dropped_and_later_imports_still_fold(
    services: Services, tmp_path: Path
) -> None:
    users = [user(MAYA, "maya", profile={"display_name": "Ma\u0000ya"}), *USERS[1:]]
    summary = await run(services, write_export(tmp_path / "houston", users=users))
    assert summary.folded == SAMPLE_EVENTS
    assert await services.database.read(rollups) == EXPECTED_ROLLUPS
    later = await run(services, write_export(tmp_path / "later"))
    assert later.folded == SAMPLE_EVENTS

    def names(session: Session) -> list[str | None]:
        query = select(Person.display_name).where(Person.external_id == MAYA)
        return sorted(session.execute(query).scalars(), key=str)

    assert await services.database.read(names) == ["Maya", "Maya"]
