"""Who may be written to: each person's standing, read for the rules, and the send-time check.

`load_recipients` reads every person's standing (consent, pause, window, this week's
suggestions, introduction, latest digest) in a few set-based queries, for the planner
and the jobs that write on their own.

`send_check` asks again before every message (the delivery worker calls it): a person may
have said `stop`, paused, dismissed the community or joined it while the message waited
in the outbox; then it is not sent, and the suggestion is cancelled. So is
a suggestion beyond the person's weekly budget (one queued before budget slots existed,
or after the person chose fewer suggestions a week): it is cancelled as over budget.
Every message Engage sends on its own (introduction, suggestion, digest, welcome line)
is refused after `stop` and while paused; a digest and a suggestion never reach a person
on the same local day: whichever is sent second is refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import Session

from bot.events import as_utc, utcnow
from bot.identity import human
from bot.settings import Settings
from bot.storage.models import (
    Dismissal,
    FollowStep,
    Membership,
    Person,
    Preference,
    Suggestion,
)
from bot.storage.tables import MEMBERSHIP, OUTBOX, PERSON, PERSON_FOLLOW, PREFERENCE, SUGGESTION
from nudges.outbox.records import Refusal
from nudges.outbox.worker import SendCheck
from nudges.policy import Introduction, Standing, allowance, has_consent
from nudges.policy.budget import Schedule, parse_days, release_slots, within_budget

NOT_COUNTED = ("failed", "cancelled")
NOT_DELIVERED = ("dead", "cancelled")
INTRODUCTION_KIND = "introduction"
DIGEST_KIND = "digest"
JOIN_NUDGE_KIND = "join_nudge"
"""The "Join?" card after weeks of following (`nudges.actions.next_step`)."""
LOOKBACK = timedelta(days=8)
CHUNK = 900
SCHEDULE_COLUMNS = ("working_days", "window_start", "window_end", "quiet_start", "quiet_end")
OVER_BUDGET = Refusal("over the person's weekly budget")
STOPPED = Refusal("the person said stop")
PAUSED = Refusal("the person paused Engage")
SAME_DAY = Refusal("another message reached the person this local day")
WELCOME_KIND = "welcome"
ASK_KIND = "showcase_ask"
"""The one question to an animator: may people follow you? (`nudges.actions.people`)"""
SAME_DAY_KINDS = {
    DIGEST_KIND: ("suggestion", "introduction", JOIN_NUDGE_KIND),
    "suggestion": (DIGEST_KIND,),
    JOIN_NUDGE_KIND: (DIGEST_KIND,),
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
        if kind == JOIN_NUDGE_KIND:
            allowed: bool | Refusal = _consented(
                session, person_id, preference, mode, now
            ) and _join_nudge_allowed(session, person_id, payload)
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


def _join_nudge_allowed(session: Session, person_id: int, payload: dict[str, Any]) -> bool:
    """At send time: still only following, and no answer given meanwhile."""
    community_id = payload.get("community_id")
    if not isinstance(community_id, int):
        return False
    membership = session.get(Membership, (person_id, community_id))
    step = session.get(FollowStep, (person_id, community_id))
    following = membership is not None and membership.state == "follower"
    return following and step is not None and step.answer is None and step.joined_at is None


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
    query = select(OUTBOX.c.sent_at, OUTBOX.c.created_at).where(
        OUTBOX.c.person_id == person_id,
        OUTBOX.c.kind.in_(SAME_DAY_KINDS[kind]),
        OUTBOX.c.state.in_(("sent", "unknown")),
        OUTBOX.c.created_at >= now - timedelta(days=2),
    )
    today = schedule.local_day(now)
    return any(
        schedule.local_day(as_utc(sent or created)) == today
        for sent, created in session.connection().execute(query)
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
    state = (
        session.connection()
        .execute(select(OUTBOX.c.state).where(OUTBOX.c.dedup_key == introduction_key(person_id)))
        .scalar_one_or_none()
    )
    return introduction_state(state) is Introduction.SENT


def _follows_anything(session: Session, person_id: int) -> bool:
    communities = select(MEMBERSHIP.c.community_id).where(
        MEMBERSHIP.c.person_id == person_id, MEMBERSHIP.c.state == "follower"
    )
    people = select(PERSON_FOLLOW.c.followed_id).where(PERSON_FOLLOW.c.follower_id == person_id)
    connection = session.connection()
    return any(connection.execute(query).first() is not None for query in (communities, people))


def _cancel(session: Session, suggestion_id: object) -> None:
    if not isinstance(suggestion_id, int):
        return
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is not None and suggestion.state == "planned":
        suggestion.state = "cancelled"
        session.add(suggestion)
        release_slots(session, [suggestion_id])


@dataclass(frozen=True, slots=True)
class Recipient:
    """A person the planner may write to, with their standing."""

    person_id: int
    workspace_id: int
    external_id: str
    locale: str | None
    language: str | None
    standing: Standing
    human_id: int = 0
    """The human this account is (`bot.identity`): whose budget the suggestion takes."""

    @property
    def budget_holder(self) -> int:
        return self.human_id or self.person_id


def introduction_key(person_id: int) -> str:
    return f"introduction:{person_id}"


def load_recipients(
    session: Session,
    now: datetime,
    *,
    started_only: bool,
    open_only: bool = False,
    person_ids: Iterable[int] | None = None,
    workspace_id: int | None = None,
) -> list[Recipient]:
    """People (not bots, not deleted) with their preferences, history and introduction.

    `open_only`: only those whose local window is open at `now` (the planner's question).
    `workspace_id`: only that workspace's people.
    """
    query = _people_query(started_only)
    if workspace_id is not None:
        query = query.where(PERSON.c.workspace_id == workspace_id)
    if person_ids is not None:
        wanted = list(person_ids)
        rows = [
            row
            for start in range(0, len(wanted), CHUNK)
            for row in session.connection().execute(
                query.where(PERSON.c.id.in_(wanted[start : start + CHUNK]))
            )
        ]
    else:
        rows = list(session.connection().execute(query))
    recent = _recent_suggestions(session, now, workspace_id)
    digests = _recent_digests(session, now, workspace_id)
    introductions = {} if started_only else _introductions(session, workspace_id)
    found = []
    schedules: dict[tuple[Any, ...], tuple[Schedule, bool]] = {}
    for row in rows:
        key = (row.tz, *(row[-len(SCHEDULE_COLUMNS) :] if row.person_id else ()))
        if key not in schedules:  # shared by everyone with the same zone and settings
            schedule = _schedule(*key)
            schedules[key] = schedule, not open_only or schedule.open_at(now)
        schedule, shown = schedules[key]
        if shown:
            found.append(_recipient(row, schedule, now, recent, introductions, digests))
    return found


def _schedule(tz: str | None, *preference: Any) -> Schedule:
    if not preference:
        return Schedule(tz=tz)
    days, start, end, quiet_start, quiet_end = preference
    return Schedule(tz, parse_days(days), start, end, quiet_start, quiet_end)


def _people_query(started_only: bool) -> Select[Any]:
    query = (
        select(
            PERSON.c.id,
            PERSON.c.workspace_id,
            PERSON.c.external_id,
            PERSON.c.locale,
            PERSON.c.tz,
            human().label("human"),
            PREFERENCE.c.person_id,
            PREFERENCE.c.consent,
            PREFERENCE.c.max_per_week,
            PREFERENCE.c.snooze_until,
            PREFERENCE.c.language,
            *(PREFERENCE.c[name] for name in SCHEDULE_COLUMNS),
        )
        .select_from(PERSON.outerjoin(PREFERENCE, PREFERENCE.c.person_id == PERSON.c.id))
        .where(PERSON.c.is_bot.is_(False), PERSON.c.deleted.is_(False))
    )
    if started_only:
        query = query.where(PREFERENCE.c.consent == "in")
    return query.order_by(PERSON.c.id)


def _recent_suggestions(
    session: Session, now: datetime, workspace_id: int | None
) -> dict[int, list[datetime]]:
    """Each human's suggestions of the last days, whichever account received them."""
    query = (
        select(human(), SUGGESTION.c.planned_at)
        .select_from(SUGGESTION.join(PERSON, PERSON.c.id == SUGGESTION.c.person_id))
        .where(SUGGESTION.c.planned_at >= now - LOOKBACK, SUGGESTION.c.state.not_in(NOT_COUNTED))
    )
    if workspace_id is not None:
        linked = PERSON.alias("linked")
        humans = select(human(linked)).where(linked.c.workspace_id == workspace_id)
        query = query.where(human().in_(humans))
    recent: defaultdict[int, list[datetime]] = defaultdict(list)
    for person_id, planned_at in session.connection().execute(query):
        recent[person_id].append(as_utc(planned_at))
    return recent


def _recent_digests(
    session: Session, now: datetime, workspace_id: int | None
) -> dict[int, datetime]:
    """When each person's latest digest was queued: a message of that local day."""
    query = (
        select(OUTBOX.c.person_id, func.max(OUTBOX.c.created_at))
        .where(
            OUTBOX.c.kind == DIGEST_KIND,
            OUTBOX.c.created_at >= now - LOOKBACK,
            OUTBOX.c.state.not_in(NOT_DELIVERED),
        )
        .group_by(OUTBOX.c.person_id)
    )
    if workspace_id is not None:
        query = query.where(OUTBOX.c.person_id.in_(_people_of(workspace_id)))
    return {
        person_id: as_utc(created) for person_id, created in session.connection().execute(query)
    }


def _introductions(
    session: Session, workspace_id: int | None
) -> dict[int, tuple[Introduction, datetime]]:
    query = select(OUTBOX.c.person_id, OUTBOX.c.state, OUTBOX.c.created_at).where(
        OUTBOX.c.kind == INTRODUCTION_KIND
    )
    if workspace_id is not None:
        query = query.where(OUTBOX.c.person_id.in_(_people_of(workspace_id)))
    return {
        person_id: (introduction_state(state), as_utc(created))
        for person_id, state, created in session.connection().execute(query)
    }


def _people_of(workspace_id: int) -> Select[Any]:
    return select(PERSON.c.id).where(PERSON.c.workspace_id == workspace_id)


def introduction_state(outbox_state: str | None) -> Introduction:
    """`unknown` may have reached the person (at most once): count it as sent."""
    if outbox_state is None:
        return Introduction.NONE
    return Introduction.SENT if outbox_state in ("sent", "unknown") else Introduction.QUEUED


def _recipient(
    row: Any,
    schedule: Schedule,
    now: datetime,
    recent: dict[int, list[datetime]],
    introductions: dict[int, tuple[Introduction, datetime]],
    digests: dict[int, datetime],
) -> Recipient:
    has_preference = row.person_id is not None
    moments = recent.get(row.human, [])
    introduction, introduced_at = introductions.get(row.id, (Introduction.NONE, None))
    messages = [*moments, *([introduced_at] if introduced_at else [])]
    week = schedule.week(now) if moments else ""
    standing = Standing(
        consent=row.consent if has_preference else "unknown",
        max_per_week=row.max_per_week if has_preference else 1,
        snooze_until=as_utc(row.snooze_until) if row.snooze_until else None,
        schedule=schedule,
        this_week=sum(1 for moment in moments if schedule.week(moment) == week),
        last_message_at=max(messages, default=None),
        introduction=introduction,
        digest_at=digests.get(row.id),
    )
    return Recipient(
        row.id, row.workspace_id, row.external_id, row.locale, row.language, standing, row.human
    )
