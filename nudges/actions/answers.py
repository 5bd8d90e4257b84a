"""Recording a person's answer to a suggestion: state, timestamps, and the ignored streak."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlmodel import Session

from bot.identity import share_preference
from bot.storage.models import Preference, Suggestion

Outcome = Literal["followed", "joined", "dismissed", "answered"]


def answered(
    session: Session, suggestion: Suggestion | None, outcome: Outcome, now: datetime
) -> None:
    """The latest answer sets the state, except that `joined` is final; any answer ends
    the person's run of ignored suggestions. `answered` records a click that changed
    nothing yet (a Join that could only offer a link)."""
    if suggestion is None:
        return
    suggestion.sent_at = suggestion.sent_at or now
    suggestion.answered_at = suggestion.answered_at or now
    if outcome == "followed":
        suggestion.followed_at = suggestion.followed_at or now
    elif outcome == "joined":
        suggestion.joined_at = suggestion.joined_at or now
    elif outcome == "dismissed":
        suggestion.dismissed_at = now
    if outcome != "answered" and suggestion.state != "joined":
        suggestion.state = outcome
    elif suggestion.state in ("planned", "ignored"):
        suggestion.state = "sent"
    session.add(suggestion)
    preference = session.get(Preference, suggestion.person_id)
    if preference is not None and preference.ignored_streak:
        preference.ignored_streak = 0
        session.add(preference)
        share_preference(session, suggestion.person_id)
