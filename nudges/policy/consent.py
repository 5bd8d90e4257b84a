"""Consent and budget checked again at send time: the delivery worker asks before every
message.

A person may have said `stop`, paused, dismissed the community or joined it while the
message waited in the outbox; then it is not sent, and the suggestion is cancelled. So is
a suggestion beyond the person's weekly budget (one queued before budget slots existed,
or after the person chose fewer suggestions a week): it is cancelled as over budget.
Every message Engage sends on its own (introduction, suggestion, digest, welcome line)
is refused after `stop` and while paused; a digest and a suggestion never reach a person
on the same local day: whichever is sent second is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from bot.events import as_utc, utcnow
from bot.settings import Settings
from bot.storage.models import (
    Dismissal,
    Membership,
    Outbox,
    Person,
    PersonFollow,
    Preference,
    Suggestion,
)
from nudges.actions.next_step import KIND as JOIN_NUDGE
from nudges.actions.next_step import join_nudge_allowed
from nudges.outbox.decide import Refusal
from nudges.policy.budget import release_slots, within_budget
from nudges.policy.rules import Introduction, allowance, has_consent
from nudges.policy.standing import introduction_key, introduction_state
from nudges.policy.window import Schedule

SendCheck = Callable[[Session, int, dict[str, Any]], bool | Refusal]
OVER_BUDGET = Refusal("over the person's weekly budget")
STOPPED = Refusal("the person said stop")
PAUSED = Refusal("the person paused Engage")
SAME_DAY = Refusal("another message reached the person this local day")
DIGEST_KIND = "digest"
WELCOME_KIND = "welcome"
ASK_KIND = "showcase_ask"
"""The one question to an animator: may people follow you? (`nudges.actions.people`)"""
SAME_DAY_KINDS = {
    DIGEST_KIND: ("suggestion", "introduction", JOIN_NUDGE),
    "suggestion": (DIGEST_KIND,),
    JOIN_NUDGE: (DIGEST_KIND,),
}


def send_check(settings: Settings, clock: Callable[[], datetime] = utcnow) -> SendCheck:
    """The hook the delivery worker calls, in its own transaction, before each send."""
    mode = settings.consent_mode

    def may_send(session: Session, person_id: int, payload: dict[str, Any]) -> bool | Refusal:
        kind = payload.get("kind")
        preference = session.get(Preference, person_id)
        consent = preference.consent if preference is not None else "unknown"
        now = clock()
        if kind in ("introduction", DIGEST_KIND, WELCOME_KIND, ASK_KIND):
            if consent == "out":
                return STOPPED
            if _paused(preference, now):
                return PAUSED
        if kind == "introduction":
            return mode == "opt_out" and consent == "unknown"
        if kind == DIGEST_KIND:
            if _other_sent_today(session, person_id, kind, now):
                return SAME_DAY
            return _follows_anything(session, person_id)
        if kind == JOIN_NUDGE:
            allowed: bool | Refusal = _consented(
                session, person_id, preference, mode, now
            ) and join_nudge_allowed(session, person_id, payload)
        elif kind != "suggestion":
            return True
        else:
            allowed = _suggestion_allowed(session, person_id, payload, preference, mode, now)
        if allowed and _other_sent_today(session, person_id, kind, now):
            allowed = SAME_DAY
        if allowed and not _within_budget(session, payload, preference, settings.max_per_week):
            allowed = OVER_BUDGET
        if not allowed:
            _cancel(session, payload.get("suggestion_id"))
        return allowed

    return may_send


def _suggestion_allowed(
    session: Session,
    person_id: int,
    payload: dict[str, Any],
    preference: Preference | None,
    mode: str,
    now: datetime,
) -> bool:
    consent = preference.consent if preference is not None else "unknown"
    if not has_consent(consent, mode):
        return False
    snooze = preference.snooze_until if preference is not None else None
    if snooze is not None and as_utc(snooze) > now:
        return False
    if consent != "in" and not _introduced(session, person_id):
        return False
    community_id = payload.get("community_id")
    if not isinstance(community_id, int):
        return False
    dismissal = session.get(Dismissal, (person_id, community_id))
    if dismissal is not None and (dismissal.until is None or as_utc(dismissal.until) > now):
        return False
    membership = session.get(Membership, (person_id, community_id))
    if membership is not None and membership.state in ("member", "follower"):
        return False
    suggestion = session.get(Suggestion, payload.get("suggestion_id"))
    return suggestion is None or suggestion.state == "planned"


def _paused(preference: Preference | None, now: datetime) -> bool:
    snooze = preference.snooze_until if preference is not None else None
    return snooze is not None and as_utc(snooze) > now


def _other_sent_today(session: Session, person_id: int, kind: str, now: datetime) -> bool:
    """Did a message of a kind that may not share a local day with `kind` reach the person
    (or may have: `unknown`) on this local day?"""
    person = session.get(Person, person_id)
    if person is None:
        return False
    schedule = Schedule(tz=person.tz)
    query = select(Outbox.sent_at, Outbox.created_at).where(
        Outbox.person_id == person_id,
        col(Outbox.kind).in_(SAME_DAY_KINDS[kind]),
        col(Outbox.state).in_(("sent", "unknown")),
        Outbox.created_at >= now - timedelta(days=2),
    )
    today = schedule.local_day(now)
    return any(
        schedule.local_day(as_utc(sent or created)) == today
        for sent, created in session.exec(query)
    )


def _consented(
    session: Session, person_id: int, preference: Preference | None, mode: str, now: datetime
) -> bool:
    consent = preference.consent if preference is not None else "unknown"
    snooze = preference.snooze_until if preference is not None else None
    if not has_consent(consent, mode) or (snooze is not None and as_utc(snooze) > now):
        return False
    return consent == "in" or _introduced(session, person_id)


def _within_budget(
    session: Session, payload: dict[str, Any], preference: Preference | None, cap: int
) -> bool:
    suggestion = session.get(Suggestion, payload.get("suggestion_id"))
    if suggestion is None:
        return True
    person = session.get_one(Person, suggestion.person_id)
    max_per_week = preference.max_per_week if preference is not None else 1
    return within_budget(session, suggestion, Schedule(tz=person.tz), allowance(max_per_week, cap))


def _introduced(session: Session, person_id: int) -> bool:
    row = session.exec(
        select(Outbox).where(Outbox.dedup_key == introduction_key(person_id))
    ).first()
    return introduction_state(row.state if row else None) is Introduction.SENT


def _follows_anything(session: Session, person_id: int) -> bool:
    query = select(Membership.community_id).where(
        Membership.person_id == person_id, Membership.state == "follower"
    )
    people = select(PersonFollow.followed_id).where(PersonFollow.follower_id == person_id)
    return session.exec(query).first() is not None or session.exec(people).first() is not None


def _cancel(session: Session, suggestion_id: object) -> None:
    if not isinstance(suggestion_id, int):
        return
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is not None and suggestion.state == "planned":
        suggestion.state = "cancelled"
        session.add(suggestion)
        release_slots(session, [suggestion_id])
