"""People, communities and queued suggestions for the delivery tests, inserted directly."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.cards import Actions, Button, Card, Heading, Paragraph
from bot.storage.models import Community, Outbox, Person, Preference, Suggestion, Workspace
from nudges.card_data import card_to_data
from nudges.outbox import enqueue

TEAM = "T0DELIVER1"
WEEK = "2026-W14"


def suggestion_card(name: str) -> Card:
    return Card(
        (
            Heading(f"#{name}"),
            Paragraph("4 people you work with are active there"),
            Actions((Button("Follow", "follow", name, "primary"), Button("Not now", "not_now"))),
        ),
        fallback=f"A community for you: #{name}",
    )


def add_workspace(session: Session, platform: str = "slack", team: str = TEAM) -> int:
    workspace = Workspace(platform=platform, external_id=team, name="Acme")
    session.add(workspace)
    session.flush()
    assert workspace.id is not None
    return workspace.id


def add_people(session: Session, workspace_id: int, *users: str, consent: str = "in") -> list[int]:
    people = [Person(workspace_id=workspace_id, external_id=user) for user in users]
    session.add_all(people)
    session.flush()
    session.add_all(Preference(person_id=p.id, consent=consent) for p in people if p.id)
    return [p.id for p in people if p.id is not None]


def add_community(session: Session, workspace_id: int, channel: str = "C0GARDEN1") -> int:
    community = Community(workspace_id=workspace_id, external_id=channel, name="garden")
    session.add(community)
    session.flush()
    assert community.id is not None
    return community.id


def queue_suggestion(
    session: Session, person_id: int, community_id: int, not_before: datetime | None = None
) -> str:
    """A planned suggestion and its outbox row, as the planner queues them."""
    suggestion = Suggestion(person_id=person_id, community_id=community_id, score=1.0)
    session.add(suggestion)
    session.flush()
    key = f"suggestion:{person_id}:{community_id}:{WEEK}"
    payload = {
        "suggestion_id": suggestion.id,
        "community_id": community_id,
        "card": card_to_data(suggestion_card("garden")),
    }
    assert enqueue(session, key, "suggestion", person_id, payload, not_before)
    return key


def outbox(session: Session) -> dict[int, Outbox]:
    """Every outbox row, by person id."""
    return {row.person_id: row for row in session.exec(select(Outbox))}


def suggestion_states(session: Session) -> dict[int, str]:
    return {row.person_id: row.state for row in session.exec(select(Suggestion))}
