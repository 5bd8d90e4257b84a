"""The database-wide figures /metrics exposes: outbox queue, inbox backlog, roster syncs."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import partial

from sqlalchemy import update
from sqlmodel import Session

from bot.logs import read_figures
from bot.services import Services
from bot.storage.models import Meta
from bot.storage.tables import INBOX_EVENT, OUTBOX
from tests.support.events import post, raw_row, store_raw
from tests.support.outbox import add_community, add_people, add_workspace, queue_suggestion
from tests.support.query_plans import recorded_selects

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def queue(session: Session) -> None:
    """Five rows: due 90 s ago, due in an hour, being sent since 30 s ago, sent, dead."""
    workspace = add_workspace(session)
    people = add_people(session, workspace, "U1", "U2", "U3", "U4", "U5")
    community = add_community(session, workspace)
    not_before = [NOW - timedelta(seconds=90), NOW + timedelta(hours=1)]
    not_before += [NOW - timedelta(seconds=30), NOW - timedelta(days=1), NOW - timedelta(days=2)]
    for person, moment in zip(people, not_before, strict=True):
        queue_suggestion(session, person, community, moment)
    for person, state in zip(people[2:], ("sending", "sent", "dead"), strict=True):
        connection = session.connection()
        connection.execute(update(OUTBOX).where(OUTBOX.c.person_id == person).values(state=state))


async def test_an_empty_install_reports_nothing_waiting(services: Services) -> None:
    figures = await services.database.read(partial(read_figures, now=NOW))
    assert (figures.outbox_depth, figures.outbox_oldest_age, figures.ingest_lag) == (0, 0.0, 0.0)
    assert figures.roster_sync_ages == {}


async def test_outbox_depth_counts_queued_rows_and_age_the_longest_wait(
    services: Services,
) -> None:
    await services.database.write(queue)
    figures = await services.database.read(partial(read_figures, now=NOW))
    assert figures.outbox_depth == 3
    assert figures.outbox_oldest_age == 90.0


async def test_ingest_lag_is_the_age_of_the_oldest_event_not_folded(services: Services) -> None:
    await services.tracker.record([post("U1", "C1", "2026-03-02")])
    await services.tracker.fold()
    await store_raw(services, raw_row("message", {}), raw_row("message", {}))
    arrivals = [NOW - timedelta(minutes=10), NOW - timedelta(minutes=3)]

    def arrive(session: Session) -> None:
        connection = session.connection()
        pending = connection.execute(
            INBOX_EVENT.select()
            .where(INBOX_EVENT.c.processed.is_(False))
            .order_by(INBOX_EVENT.c.id)
        ).all()
        for row, moment in zip(pending, arrivals, strict=True):
            connection.execute(
                update(INBOX_EVENT).where(INBOX_EVENT.c.id == row.id).values(received_at=moment)
            )
        quarantined = pending[0].id
        connection.execute(
            update(INBOX_EVENT).where(INBOX_EVENT.c.id == quarantined).values(quarantined_at=NOW)
        )

    await services.database.write(arrive)
    figures = await services.database.read(partial(read_figures, now=NOW))
    assert figures.ingest_lag == 180.0


async def test_roster_sync_ages_come_from_the_meta_keys(services: Services) -> None:
    def synced(session: Session) -> None:
        session.add(Meta(key="roster.synced_at.slack.T024BE7LD", value="2026-12-04T11:00:00+00:00"))
        session.add(Meta(key="roster.synced_at.teams.6e5ac0e3-1f4c", value="2026-12-04T11:59:00"))
        session.add(Meta(key="roster.synced_at.slack.T0BROKEN", value="yesterday"))
        session.add(Meta(key="privacy.salt", value="2026-12-04T11:00:00+00:00"))

    await services.database.write(synced)
    figures = await services.database.read(partial(read_figures, now=NOW))
    assert figures.roster_sync_ages == {
        ("slack", "T024BE7LD"): 3600.0,
        ("teams", "6e5ac0e3-1f4c"): 60.0,
    }


async def test_every_scrape_query_reads_the_outbox_and_inbox_through_an_index(
    services: Services,
) -> None:
    await services.database.write(queue)
    await services.tracker.record([post("U1", "C1", "2026-03-02")])
    with recorded_selects(services.database) as statements:
        await services.database.read(partial(read_figures, now=NOW))

    def plans(session: Session) -> list[str]:
        connection = session.connection()
        if connection.dialect.name == "sqlite":
            explain = "EXPLAIN QUERY PLAN "
        else:  # a sequential scan only where no index can serve the query
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            explain = "EXPLAIN "
        lines = []
        for one in statements:
            rows = connection.exec_driver_sql(explain + one.statement, one.parameters)
            lines += [str(row[-1]) for row in rows]
        return lines

    found = await services.database.write(plans)
    full_scans = [
        line
        for line in found
        if re.search(r"(^SCAN|Seq Scan on) (outbox|inbox_event)\b", line.strip())
    ]
    assert len(statements) == 5
    assert found
    assert full_scans == [], found
