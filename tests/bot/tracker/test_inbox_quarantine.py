"""An event that cannot be folded is quarantined: kept, counted, skipped; the rest folds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlmodel import Session

from bot.events import utcnow
from bot.services import Services
from bot.storage.models import Community, DailyActivity, Person, Workspace
from bot.storage.tables import INBOX_EVENT
from bot.tracker.inbox import inbox_health
from tests.support.events import post, raw_row, store_raw

OTHER_WORKSPACE = "T0OTHER01"


def posts_by_workspace(session: Session) -> dict[str, int]:
    query = (
        select(Workspace.external_id, DailyActivity.posts)
        .join(Community, Community.id == DailyActivity.community_id)  # type: ignore[arg-type]
        .join(Workspace, Workspace.id == Community.workspace_id)  # type: ignore[arg-type]
    )
    totals: dict[str, int] = {}
    for workspace, posts in session.execute(query):
        totals[workspace] = totals.get(workspace, 0) + posts
    return totals


async def test_text_stored_with_a_nul_by_an_earlier_version_folds_without_it(
    services: Services,
) -> None:
    await store_raw(
        services,
        raw_row("community_renamed", {"name": "gen\u0000eral"}),
        raw_row("person_seen", {"display_name": "Ma\u0000ya", "tz": "Europe/Paris"}),
    )
    await services.tracker.record([post("U2", "C1", "2026-03-03")])
    assert await services.tracker.fold() == 3

    def names(session: Session) -> tuple[list[str], list[str | None]]:
        communities = session.execute(select(Community.name)).scalars()
        people = session.execute(select(Person.display_name).where(Person.external_id == "U1"))
        return list(communities), list(people.scalars())

    assert await services.database.read(names) == (["general"], ["Maya"])
    assert services.tracker.quarantined == 0


UNREADABLE = "unreadable"
"""An attribute the database itself cannot read: not a boolean on PostgreSQL, not JSON at
all on SQLite (whose JSON column does not check what it is given)."""


@pytest.mark.parametrize(
    ("kind", "attrs", "why"),
    [
        ("community_renamed", ["gen", "eral"], "UnfoldableEventError"),
        ("community_created", {"name": 7}, "UnfoldableEventError"),
        ("community_exploded", {}, "UnfoldableEventError"),
        ("message", UNREADABLE, ""),
    ],
)
async def test_an_event_that_cannot_be_folded_is_quarantined_and_the_rest_folds(
    services: Services, kind: str, attrs: object, why: str
) -> None:
    before = [post(f"U{n}", "C1", "2026-03-02") for n in range(5)]
    after = [post(f"U{n}", "C2", "2026-03-04") for n in range(5)]
    elsewhere = [post("U9", "C1", "2026-03-03").__class__(
        platform="slack", workspace=OTHER_WORKSPACE, key="Other1",
        occurred_at=before[0].occurred_at, person="U9", community="C9",
    )]  # fmt: skip
    await services.tracker.record(before)
    row = raw_row(kind, {"is_reply": "perhaps"} if attrs == UNREADABLE else attrs)
    await store_raw(services, row)
    if attrs == UNREADABLE and services.database.is_sqlite:
        statement = text("UPDATE inbox_event SET attrs = '{is_reply' WHERE event_key = :key")
        await services.database.write(lambda s: s.execute(statement, {"key": row["event_key"]}))
    await services.tracker.record([*after, *elsewhere])

    assert await services.tracker.fold() == 11
    assert services.tracker.quarantined == 1
    assert await services.database.read(posts_by_workspace) == {"T024BE7LD": 10, OTHER_WORKSPACE: 1}

    def quarantined(session: Session) -> list[tuple[Any, ...]]:
        query = select(
            INBOX_EVENT.c.kind, INBOX_EVENT.c.processed, INBOX_EVENT.c.quarantine_reason
        ).where(INBOX_EVENT.c.quarantined_at.is_not(None))
        return [tuple(row) for row in session.execute(query)]

    [(stored_kind, processed, reason)] = await services.database.read(quarantined)
    assert (stored_kind, processed) == (kind, False)
    if attrs == UNREADABLE:
        why = "OperationalError: malformed JSON" if services.database.is_sqlite else "DataError"
    assert reason.startswith(why)
    health = await services.database.read(inbox_health)
    assert (health.pending, health.oldest_pending, health.quarantined) == (0, None, 1)

    assert await services.tracker.fold() == 0
    assert services.tracker.quarantined == 0
    await services.tracker.record([post("U1", "C2", "2026-03-05")])
    assert await services.tracker.fold() == 1
    assert await services.database.read(posts_by_workspace) == {"T024BE7LD": 11, OTHER_WORKSPACE: 1}


async def test_quarantined_events_are_kept_for_the_raw_retention_period(
    services: Services,
) -> None:
    older, newer = raw_row("community_renamed", [1]), raw_row("community_renamed", [2])
    await store_raw(services, older, newer)
    await services.tracker.fold()
    assert services.tracker.quarantined == 2
    long_ago = utcnow() - timedelta(days=31)
    await services.database.write(
        lambda session: session.execute(
            update(INBOX_EVENT)
            .where(INBOX_EVENT.c.event_key == older["event_key"])
            .values(quarantined_at=long_ago)
        )
    )
    assert await services.tracker.apply_retention() == 1
    kept = await services.database.read(
        lambda s: list(s.execute(select(INBOX_EVENT.c.event_key)).scalars())
    )
    assert kept == [newer["event_key"]]
