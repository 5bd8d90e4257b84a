"""Folding is idempotent, resumable, ordered where order matters, and bounded by retention."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, func, select

from bot.events import CommunityArchived, CommunityRenamed, PersonSeen, ReactionRemoved, utcnow
from bot.services import Services
from bot.storage.models import Community, DailyActivity, InboxEvent, Membership, Person
from bot.storage.tables import DAILY_ACTIVITY, INBOX_EVENT, MEMBERSHIP
from bot.tracker.directory import Directory
from bot.tracker.fold import fold_batch
from tests.support.events import WORKSPACE, at, join, leave, post, react
from tests.support.workspace import handcrafted_events


def snapshot(session: Session) -> list[tuple[object, ...]]:
    rollups = session.exec(select(DailyActivity)).all()
    memberships = session.exec(select(Membership)).all()
    return sorted(
        [
            (r.day, r.community_id, r.person_id, r.posts, r.replies, r.reactions_given)
            for r in rollups
        ]
    ) + sorted([(m.person_id, m.community_id, m.state, m.joined_at) for m in memberships])


async def test_folding_twice_changes_nothing(services: Services) -> None:
    await services.tracker.record(handcrafted_events())
    assert await services.tracker.fold() == len(handcrafted_events())
    before = await services.database.read(snapshot)
    assert await services.tracker.fold() == 0
    assert await services.database.read(snapshot) == before


async def test_folding_in_small_batches_gives_the_same_result(services: Services) -> None:
    await services.tracker.record(handcrafted_events())
    directory = Directory()
    batches = 0
    while await services.database.write(lambda session: fold_batch(session, directory, 7)):
        batches += 1
    assert batches == -(-len(handcrafted_events()) // 7)
    in_small_batches = await services.database.read(snapshot)

    def forget_the_folding(session: Session) -> None:
        connection = session.connection()
        connection.execute(delete(DAILY_ACTIVITY))  # type: ignore[attr-defined]
        connection.execute(delete(MEMBERSHIP))  # type: ignore[attr-defined]
        connection.execute(update(INBOX_EVENT).values(processed=False))  # type: ignore[attr-defined]

    await services.database.write(forget_the_folding)
    await services.tracker.fold()
    assert await services.database.read(snapshot) == in_small_batches


async def test_membership_follows_event_time_not_arrival(services: Services) -> None:
    await services.tracker.record([leave("U1", "C9", "2026-02-10"), join("U1", "C9", "2026-02-01")])
    await services.tracker.fold()
    await services.tracker.record([join("U1", "C9", "2026-01-15")])
    await services.tracker.fold()
    membership = await services.database.read(lambda s: s.exec(select(Membership)).one())
    assert membership.state == "left"
    assert membership.since == at("2026-02-10", 18)
    assert membership.joined_at == at("2026-01-15", 9)


async def test_a_first_post_takes_its_place_among_the_joins_and_leaves(
    services: Services,
) -> None:
    """In one batch: C1 joined, left, rejoined, then posted (the row is the rejoin, the
    leave is not lost behind the post); C2 posted before joining (a member from the post)."""
    await services.tracker.record(
        [
            join("U1", "C1", "2026-01-27", hour=8),
            leave("U1", "C1", "2026-01-27", hour=10),
            join("U1", "C1", "2026-02-05", hour=8),
            post("U1", "C1", "2026-02-05"),
            post("U1", "C2", "2026-01-20"),
            join("U1", "C2", "2026-02-01"),
        ]
    )
    await services.tracker.fold()

    def read(session: Session) -> dict[str, tuple[str, datetime, datetime | None]]:
        places = {c.id: c.external_id for c in session.exec(select(Community))}
        return {
            places[m.community_id]: (m.state, m.since, m.joined_at)
            for m in session.exec(select(Membership))
        }

    found = await services.database.read(read)
    rejoined = at("2026-02-05", 8)
    assert found["C1"] == ("member", rejoined, rejoined)
    assert found["C2"] == ("member", at("2026-02-01", 9), at("2026-01-20"))


async def test_posting_makes_a_member_and_reactions_reach_the_receiver(services: Services) -> None:
    await services.tracker.record(
        [post("U1", "C5", "2026-03-02"), react("U2", "C5", "2026-03-02", receiver="U1")]
    )
    await services.tracker.fold()

    def read(session: Session) -> tuple[list[str], dict[str, tuple[int, int, int]]]:
        people = {p.id: p.external_id for p in session.exec(select(Person))}
        members = [people[m.person_id] for m in session.exec(select(Membership))]
        rollups = {
            people[r.person_id]: (r.posts, r.reactions_given, r.reactions_received)
            for r in session.exec(select(DailyActivity))
        }
        return members, rollups

    members, rollups = await services.database.read(read)
    assert members == ["U1"]  # reacting alone does not make a member
    assert rollups == {"U1": (1, 0, 1), "U2": (0, 1, 0)}


async def test_removed_reactions_never_go_below_zero(services: Services) -> None:
    removal = ReactionRemoved(
        platform="slack",
        workspace=WORKSPACE,
        key="EvRemoved1",
        occurred_at=at("2026-03-02"),
        person="U2",
        community="C5",
        receiver="U1",
    )
    await services.tracker.record([react("U2", "C5", "2026-03-02", receiver="U1"), removal])
    await services.tracker.fold()
    extra = replace(removal, key="EvRemoved2")
    await services.tracker.record([extra])
    await services.tracker.fold()
    counts = await services.database.read(
        lambda s: sorted(
            (r.reactions_given, r.reactions_received) for r in s.exec(select(DailyActivity))
        )
    )
    assert counts == [(0, 0), (0, 0)]


async def test_community_lifecycle(services: Services) -> None:
    await services.tracker.record(handcrafted_events()[:20])
    renamed = CommunityRenamed(
        platform="slack", workspace=WORKSPACE, key="ren1", occurred_at=at("2026-02-01"),
        community="C1", name="secret-garden",
    )  # fmt: skip
    archived = CommunityArchived(
        platform="slack",
        workspace=WORKSPACE,
        key="arc1",
        occurred_at=at("2026-02-02"),
        community="C1",
    )
    await services.tracker.record([renamed, archived])
    await services.tracker.fold()
    garden = await services.database.read(
        lambda s: s.exec(select(Community).where(Community.external_id == "C1")).one()
    )
    assert (garden.name, garden.is_archived, garden.created_at) == (
        "secret-garden",
        True,
        at("2026-01-01", 7),
    )


async def test_retention_deletes_only_folded_rows_past_the_limit(services: Services) -> None:
    await services.tracker.record([post("U1", "C1", "2026-03-02") for _ in range(3)])
    await services.tracker.fold()
    await services.tracker.record([post("U1", "C1", "2026-03-03")])  # pending: kept
    old = utcnow() - timedelta(days=31)
    await services.database.write(
        lambda s: s.connection().execute(
            update(INBOX_EVENT).values(received_at=old)  # type: ignore[attr-defined]
        )
    )
    assert await services.tracker.apply_retention() == 3
    remaining = await services.database.read(
        lambda s: s.exec(select(func.count()).select_from(InboxEvent)).one()
    )
    assert remaining == 1


async def test_a_profile_field_longer_than_its_column_is_unknown_not_a_failure(
    services: Services,
) -> None:
    seen = PersonSeen(
        platform="slack",
        workspace=WORKSPACE,
        key="profile-1",
        occurred_at=at("2026-03-02"),
        person="U1",
        display_name="Maya",
        tz="Europe/" + "Paris" * 20,
        locale="fr-FR-x-" + "a" * 20,
    )
    await services.tracker.record([seen, post("U1", "C1", "2026-03-02")])
    assert await services.tracker.fold() == 2

    def profile(session: Session) -> tuple[str | None, str | None, str | None]:
        person = session.exec(select(Person)).one()
        return person.display_name, person.tz, person.locale

    assert await services.database.read(profile) == ("Maya", None, None)
