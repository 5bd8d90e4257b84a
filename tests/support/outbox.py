"""People, communities and queued suggestions for the delivery tests, inserted directly."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.cards import Actions, Button, Card, Heading, Paragraph
from bot.events import as_utc, utcnow
from bot.storage.models import Community, Outbox, Person, Preference, Suggestion, Workspace
from nudges.planner.context import load_context
from nudges.planner.job import Pick
from nudges.planner.write import (
    SuggestionPayloads,
    insert_outbox_text,
    outbox_text_row,
    suggestion_key,
)
from nudges.policy.consent import load_recipients

TEAM = "T0DELIVER1"
WEEK = "2026-W14"
SENTENCE = "4 people you work with are active there"


def suggestion_card(name: str) -> Card:
    return Card(
        (
            Heading(f"#{name}"),
            Paragraph(SENTENCE),
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
    """A planned suggestion and its outbox row, as the planner queues them: the payload is
    the planner's own (`SuggestionPayloads`, `outbox_text_row`, `insert_outbox_text`)."""
    now = utcnow()
    suggestion = Suggestion(person_id=person_id, community_id=community_id, score=1.0)
    session.add(suggestion)
    session.flush()
    assert suggestion.id is not None
    community = session.get_one(Community, community_id)
    context = load_context(session, community.workspace_id, [person_id], now)
    (recipient,) = load_recipients(session, now, started_only=False, person_ids=[person_id])
    pick = Pick(person_id, community_id, 1.0, [], {"en": SENTENCE})
    payload = SuggestionPayloads(context, "en").text(pick, suggestion.id, recipient)
    key = suggestion_key(person_id, community_id, WEEK)
    row = outbox_text_row(key, "suggestion", person_id, payload, now)
    row["not_before"] = as_utc(not_before) if not_before is not None else now
    assert insert_outbox_text(session, [row]) == {key}
    return key


def outbox(session: Session) -> dict[int, Outbox]:
    """Every outbox row, by person id."""
    return {row.person_id: row for row in session.exec(select(Outbox))}


def suggestion_states(session: Session) -> dict[int, str]:
    return {row.person_id: row.state for row in session.exec(select(Suggestion))}
