"""Export holds everything about a person and nothing about others; erase leaves no trace."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.metrics import community_stats
from bot.metrics.community import CommunityCounts, community_stats_from_rollups, counts_from_traces
from bot.privacy.rights import erase_person, export_person, person_columns
from bot.services import Services
from bot.storage.models import (
    Animator,
    Community,
    ConversationRef,
    Dismissal,
    Objection,
    Outbox,
    Person,
    Preference,
    Suggestion,
)
from tests.support.dump import dump_tables, dump_text
from tests.support.events import post, react
from tests.support.workspace import AS_OF, handcrafted_events

NOW = datetime(2026, 3, 29, 12, tzinfo=UTC)


def ids(session: Session) -> tuple[dict[str, int], dict[str, int]]:
    people = {p.external_id: p.id for p in session.exec(select(Person)) if p.id}
    communities = {c.external_id: c.id for c in session.exec(select(Community)) if c.id}
    return people, communities


@pytest.fixture
async def populated(services: Services) -> Services:
    await services.tracker.record(handcrafted_events())
    await services.tracker.fold()

    def add_rows(session: Session) -> None:
        people, communities = ids(session)
        u1, u2, c2 = people["U1"], people["U2"], communities["C2"]
        session.add(Preference(person_id=u1, consent="in"))
        session.add(Preference(person_id=u2, consent="in"))
        session.add(Dismissal(person_id=u1, community_id=c2, kind="never"))
        session.add(Animator(person_id=u1, community_id=communities["C1"], added_by_id=u2))
        session.add(Animator(person_id=u2, community_id=communities["C1"], added_by_id=u1))
        session.add(ConversationRef(person_id=u1, reference={"conversation": {"id": "a:1"}}))
        suggestion = Suggestion(person_id=u1, community_id=c2, state="sent", sent_at=NOW)
        session.add(suggestion)
        session.add(Outbox(dedup_key="s:U1:C2:2026-W13", kind="suggestion", person_id=u1))
        session.add(Outbox(dedup_key="s:U2:C2:2026-W13", kind="suggestion", person_id=u2))

    await services.database.write(add_rows)
    return services


async def test_export_holds_every_kind_of_row_and_nobody_else(populated: Services) -> None:
    def export(session: Session) -> dict[str, object]:
        people, _ = ids(session)
        return export_person(session, people["U1"])

    data = await populated.database.read(export)
    for kind in (
        "preference", "dismissal", "animator", "conversation_ref", "suggestion", "outbox",
        "membership", "daily_activity", "inbox_event",
    ):  # fmt: skip
        assert data.get(kind), kind
    assert data["person"]["external_id"] == "U1"
    text = json.dumps(data)
    others = [f'"U{i}"' for i in range(2, 17)]
    assert [other for other in others if other in text] == []
    assert all(row["person"] in ("U1", None) for row in data["inbox_event"])  # type: ignore[index,union-attr]


def raw_counts(session: Session, community_id: int) -> CommunityCounts:
    """The community's counts before suppression (the test looks under the figures)."""
    counts = counts_from_traces(session, community_id, AS_OF)
    assert counts is not None
    return counts


async def test_erase_leaves_no_row_about_the_person(populated: Services) -> None:
    def before(session: Session) -> tuple[int, object, object]:
        people, communities = ids(session)
        counts = raw_counts(session, communities["C1"])
        return people["U1"], counts.members, counts.contributors

    person_id, members, contributors = await populated.database.read(before)
    assert (members, contributors) == (15, 6)
    report = await populated.database.write(lambda s: erase_person(s, person_id))
    assert report.rows["daily_activity"] > 0
    assert report.rows["inbox_event"] > 0

    def leftovers(session: Session) -> list[str]:
        tables = dump_tables(session)
        found = []
        for table, column in person_columns():
            found += [
                f"{table.name}.{column.name}"
                for row in tables[table.name]
                if row[column.name] == person_id
            ]
        found += [
            "inbox_event"
            for row in tables["inbox_event"]
            if "U1" in (row["person"], row["target_person"])
        ]
        return found

    assert await populated.database.read(leftovers) == []

    def after(session: Session) -> tuple[object, object, int]:
        _, communities = ids(session)
        counts = raw_counts(session, communities["C1"])
        others = len(session.exec(select(Outbox)).all())
        return counts.members, counts.contributors, others

    assert await populated.database.read(after) == (14, 5, 1)

    def posts_both_ways(session: Session) -> tuple[object, object]:
        _, communities = ids(session)
        return (
            community_stats(session, communities["C1"], AS_OF, 5),
            community_stats_from_rollups(session, communities["C1"], AS_OF, 5),
        )

    from_traces, from_rollups = await populated.database.read(posts_both_ways)
    assert from_traces == from_rollups  # the community's daily posts lost theirs too


async def test_objection_drops_future_events_at_every_ingest_path(populated: Services) -> None:
    def erase_u3(session: Session) -> None:
        people, _ = ids(session)
        erase_person(session, people["U3"], object_to_tracking=True)

    await populated.database.write(erase_u3)
    await populated.tracker.refresh_objections()
    later = [post("U3", "C1", "2026-03-27"), react("U4", "C1", "2026-03-27", receiver="U3")]
    assert await populated.tracker.record(later) == 1  # only U4's reaction, without its receiver
    summary = await populated.tracker.record_bulk([post("U3", "C1", "2026-03-28")])
    assert summary.new == 0
    await populated.tracker.fold()
    text = await populated.database.read(dump_text)
    assert "'U3'" not in text
    assert await populated.database.read(lambda s: len(s.exec(select(Objection)).all())) == 1
