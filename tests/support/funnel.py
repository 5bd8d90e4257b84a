"""Delivered suggestions at every stage of the funnel, inserted directly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bot.storage.models import Community, Person, Suggestion, Workspace

SENT = datetime(2026, 3, 3, 10, tzinfo=UTC)


def seed(session: Session) -> tuple[int, int, int]:
    """12 people; 10 suggestions of #garden, 2 of #pets; one planned never sent."""
    workspace = Workspace(platform="slack", external_id="T1")
    session.add(workspace)
    session.flush()
    assert workspace.id is not None
    people = [Person(workspace_id=workspace.id, external_id=f"U{i}") for i in range(12)]
    garden = Community(workspace_id=workspace.id, external_id="C1", name="garden")
    pets = Community(workspace_id=workspace.id, external_id="C2", name="pets")
    session.add_all([*people, garden, pets])
    session.flush()
    assert garden.id is not None
    assert pets.id is not None
    day = timedelta(days=1)
    for i, person in enumerate(people[:10]):
        assert person.id is not None
        session.add(
            Suggestion(
                person_id=person.id,
                community_id=garden.id,
                state="sent",
                sent_at=SENT,
                followed_at=SENT + day if i < 6 else None,
                joined_at=SENT + 2 * day if i < 3 else (SENT + 30 * day if i == 9 else None),
                first_post_at=SENT + 3 * day if i < 2 else None,
                dismissed_at=SENT + day if i in (6, 7) else None,
            )
        )
    for i, person in enumerate(people[10:]):
        assert person.id is not None
        session.add(
            Suggestion(
                person_id=person.id,
                community_id=pets.id,
                state="ignored" if i == 0 else "planned",
                sent_at=SENT if i == 0 else None,
            )
        )
    return workspace.id, garden.id, pets.id
