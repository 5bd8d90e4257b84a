"""Reading every person's standing for the rules in a few set-based queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import Session

from bot.events import as_utc
from bot.identity import human
from bot.storage.tables import OUTBOX, PERSON, PREFERENCE, SUGGESTION
from nudges.policy.rules import Introduction, Standing
from nudges.policy.window import Schedule, parse_days

NOT_COUNTED = ("failed", "cancelled")
NOT_DELIVERED = ("dead", "cancelled")
INTRODUCTION_KIND = "introduction"
DIGEST_KIND = "digest"
LOOKBACK = timedelta(days=8)
CHUNK = 900
SCHEDULE_COLUMNS = ("working_days", "window_start", "window_end", "quiet_start", "quiet_end")


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
    for row in rows:
        schedule = _schedule(row.tz, *(row[-len(SCHEDULE_COLUMNS) :] if row.person_id else ()))
        if not open_only or _open(schedule, now):
            found.append(_recipient(row, schedule, now, recent, introductions, digests))
    return found


@lru_cache(maxsize=4096)
def _schedule(tz: str | None, *preference: Any) -> Schedule:
    """Schedules are shared by everyone with the same zone and settings."""
    if not preference:
        return Schedule(tz=tz)
    days, start, end, quiet_start, quiet_end = preference
    return Schedule(tz, parse_days(days), start, end, quiet_start, quiet_end)


@lru_cache(maxsize=4096)
def _open(schedule: Schedule, now: datetime) -> bool:
    return schedule.open_at(now)


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
