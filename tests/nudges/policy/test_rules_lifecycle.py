"""After sending: ignored after 14 days, back-off after 3 in a row, joins and first posts."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from bot.services import Services
from bot.storage.models import Preference, Suggestion
from nudges.planner.job import plan
from nudges.policy import advance
from tests.support.clock import FakeClock
from tests.support.events import join, post
from tests.support.suggestions import (
    TUESDAY,
    asker,
    community_id,
    load_workspace,
    person_id,
    suggestion_router,
    suggestions,
)

SENT = TUESDAY - timedelta(days=40)


def sent_suggestions(session: Session, user: str, *ages: int) -> list[int]:
    """Suggestions of #cooking to `user`, sent `ages` days before TUESDAY."""
    rows = [
        Suggestion(
            person_id=person_id(session, user),
            community_id=community_id(session, "C4"),
            state="sent",
            planned_at=TUESDAY - timedelta(days=age),
            sent_at=TUESDAY - timedelta(days=age),
        )
        for age in ages
    ]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows if row.id is not None]


def preference(session: Session, user: str) -> Preference | None:
    return session.get(Preference, person_id(session, user))


async def test_no_answer_in_14_days_is_ignored(services: Services) -> None:
    await load_workspace(services)
    await services.database.write(lambda s: sent_suggestions(s, "U7", 15, 13))
    progress = await services.database.write(lambda s: advance(s, TUESDAY))
    assert progress.ignored == 1
    states = sorted(s.state for s in await services.database.read(suggestions))
    assert states == ["ignored", "sent"]
    stored = await services.database.read(lambda s: preference(s, "U7"))
    assert stored is not None
    assert stored.ignored_streak == 1
    assert stored.snooze_until is None


async def test_three_ignored_in_a_row_pause_suggestions_for_four_weeks(services: Services) -> None:
    await load_workspace(services)
    await suggestion_router(services).handle(asker("U7"), "start")
    await services.database.write(lambda s: sent_suggestions(s, "U7", 30, 22, 15))
    services.clock = FakeClock(TUESDAY)
    summary = await plan(services)
    assert "3 ignored, 1 paused after ignoring" in summary
    assert summary.startswith("planned 0 suggestion(s)")
    stored = await services.database.read(lambda s: preference(s, "U7"))
    assert stored is not None
    assert stored.snooze_until is not None
    assert stored.snooze_until.date() == (TUESDAY + timedelta(weeks=4)).date()
    assert stored.ignored_streak == 0
    services.clock = FakeClock(TUESDAY + timedelta(weeks=4, hours=1))
    assert (await plan(services)).startswith("planned 1 suggestion(s)")


async def test_an_answer_breaks_the_run(services: Services) -> None:
    await load_workspace(services)
    await services.database.write(lambda s: sent_suggestions(s, "U7", 30, 22))
    await services.database.write(lambda s: advance(s, TUESDAY))
    services.clock = FakeClock(TUESDAY)
    await suggestion_router(services).handle(asker("U7"), "follow C4")  # answers the latest
    await services.database.write(lambda s: sent_suggestions(s, "U7", 15))
    await services.database.write(lambda s: advance(s, TUESDAY))
    stored = await services.database.read(lambda s: preference(s, "U7"))
    assert stored is not None
    assert stored.ignored_streak == 1
    assert stored.snooze_until is None


async def test_joins_after_a_suggestion_and_first_posts_are_recorded(services: Services) -> None:
    await load_workspace(services)

    def suggest_cooking(session: Session) -> None:
        session.add(
            Suggestion(
                person_id=person_id(session, "U7"),
                community_id=community_id(session, "C4"),
                state="sent",
                planned_at=TUESDAY,
                sent_at=TUESDAY,
            )
        )

    await services.database.write(suggest_cooking)
    await services.tracker.record([join("U7", "C4", "2026-04-02"), post("U7", "C4", "2026-04-20")])
    await services.tracker.fold()
    progress = await services.database.write(lambda s: advance(s, TUESDAY + timedelta(days=21)))
    assert (progress.joined, progress.first_posts) == (1, 1)
    [suggestion] = await services.database.read(suggestions)
    assert suggestion.state == "joined"
    assert suggestion.joined_at is not None
    assert suggestion.joined_at.date().isoformat() == "2026-04-02"
    assert suggestion.first_post_at is not None
    assert suggestion.first_post_at.date().isoformat() == "2026-04-20"
