"""Membership state from join/leave events (in time order) and from posting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table
from sqlmodel import Session

from bot.storage.models import Membership
from bot.tracker.directory import insert_ignoring_conflicts

MEMBERSHIP: Table = Membership.__table__  # type: ignore[attr-defined]


def ensure_members(session: Session, first_posts: dict[tuple[int, int], datetime]) -> None:
    """Someone who posts in a community is a member, unless a membership is already known."""
    rows = [
        {
            "person_id": person,
            "community_id": community,
            "state": "member",
            "since": moment,
            "joined_at": moment,
            "source": "activity",
        }
        for (person, community), moment in first_posts.items()
    ]
    insert_ignoring_conflicts(session.connection(), MEMBERSHIP, rows)


def apply_membership_changes(
    session: Session, changes: Sequence[tuple[datetime, int, int, str]]
) -> None:
    """Apply (moment, person, community, state) in time order; older news never wins."""
    for moment, person, community, state in changes:
        membership = session.get(Membership, (person, community))
        if membership is None:
            session.add(
                Membership(
                    person_id=person,
                    community_id=community,
                    state=state,
                    since=moment,
                    joined_at=moment if state == "member" else None,
                    source="self",
                )
            )
            session.flush()
            continue
        if moment >= membership.since:
            if state == "member" and membership.state != "member":
                membership.joined_at = moment
            membership.state = state
            membership.since = moment
        elif state == "member" and (membership.joined_at is None or moment < membership.joined_at):
            membership.joined_at = moment
    session.flush()
