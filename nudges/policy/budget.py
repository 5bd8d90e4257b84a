"""When and how often a person may be written to: their send window and weekly budget.

The window (`Schedule`): working days, send hours and quiet hours, all in the person's own
time zone.

A person's budget period is their local ISO week (`Schedule.week`); its slots are numbered
1..their weekly allowance. A suggestion counts against the budget only while it holds a
slot, and `(person, period, slot)` is a primary key, so two planning passes that overlap
(the leader and an operator's `engage run-job plan`, or a resumed former leader), each
having read the same budget, cannot both queue a suggestion in the last free slot: the
second insert conflicts and is skipped. A suggestion that fails or is cancelled gives its
slot back. Accounts of one human (`bot.identity`) share one budget: their slots are held
by the human (the lowest id of the accounts), whichever account a suggestion goes to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, select, tuple_
from sqlmodel import Session

from bot.events import as_utc
from bot.identity import human
from bot.storage.bulk import insert_ignoring_taken
from bot.storage.models import Suggestion
from bot.storage.tables import BUDGET_SLOT, PERSON

UTC_ZONE = ZoneInfo("UTC")
WORKING_DAYS = frozenset({2, 3, 4})
WINDOW = (10, 16)
KEY = ("person_id", "period", "slot")
CHUNK = 500


@cache
def zone(name: str | None) -> tzinfo:
    """The person's IANA zone; UTC when unknown or not a valid name."""
    if not name:
        return UTC_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC_ZONE


@dataclass(frozen=True, slots=True)
class Schedule:
    """Hours are local whole hours; quiet hours may wrap around midnight (22 -> 7)."""

    tz: str | None = None
    working_days: frozenset[int] = WORKING_DAYS
    window_start: int = WINDOW[0]
    window_end: int = WINDOW[1]
    quiet_start: int | None = None
    quiet_end: int | None = None

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(zone(self.tz))

    def local_day(self, moment: datetime) -> date:
        return self.local(moment).date()

    def week(self, moment: datetime) -> str:
        """The local ISO week, such as `2026-W14`."""
        year, week, _ = self.local(moment).isocalendar()
        return f"{year}-W{week:02d}"

    def is_quiet(self, moment: datetime) -> bool:
        if self.quiet_start is None or self.quiet_end is None:
            return False
        return _within(self.local(moment).hour, self.quiet_start, self.quiet_end)

    def open_at(self, moment: datetime) -> bool:
        """A working day, inside the send window, outside quiet hours — all local."""
        local = self.local(moment)
        if local.isoweekday() not in self.working_days:
            return False
        return _within(local.hour, self.window_start, self.window_end) and not self.is_quiet(moment)


@cache
def parse_days(text: str) -> frozenset[int]:
    return frozenset(int(part) for part in text.split(",") if part.strip().isdigit())


def _within(hour: int, start: int, end: int) -> bool:
    if start <= end:
        return start <= hour < end
    return hour >= start or hour < end


@dataclass(frozen=True, slots=True)
class SlotClaim:
    """A suggestion asking for a slot of its person's period, within their allowance;
    `person_id` is the budget's holder (`holder_of`)."""

    suggestion_id: int
    person_id: int
    period: str
    allowance: int


def holder_of(session: Session, person_id: int) -> int:
    """Whose budget a suggestion to this account takes: the human's."""
    query = select(human()).where(PERSON.c.id == person_id)
    found = session.connection().execute(query).scalar_one_or_none()
    return int(found) if found is not None else person_id


def period_of(schedule: Schedule, moment: datetime) -> str:
    return schedule.week(moment)


def claim_slots(session: Session, claims: Sequence[SlotClaim]) -> set[int]:
    """Give each claim the lowest slot free in its period, if one is within its allowance;
    return the suggestions that got one. The caller's transaction holds the slots."""
    if not claims:
        return set()
    taken = _taken(session, {(claim.person_id, claim.period) for claim in claims})
    rows = []
    for claim in claims:
        used = taken[(claim.person_id, claim.period)]
        free = next((n for n in range(1, claim.allowance + 1) if n not in used), None)
        if free is not None:
            used.add(free)
            rows.append(
                {
                    "person_id": claim.person_id,
                    "period": claim.period,
                    "slot": free,
                    "suggestion_id": claim.suggestion_id,
                }
            )
    if not rows:
        return set()
    # One order for every writer, so that two passes waiting on each other's slots
    # (PostgreSQL) never wait in a cycle.
    rows.sort(key=lambda row: (row["person_id"], row["period"], row["slot"]))
    connection = session.connection()
    statement = insert_ignoring_taken(connection, BUDGET_SLOT, KEY).returning(
        BUDGET_SLOT.c.suggestion_id
    )
    return {suggestion_id for (suggestion_id,) in connection.execute(statement, rows)}


def release_slots(session: Session, suggestion_ids: Iterable[int]) -> None:
    """Suggestions that will not reach the person (failed, cancelled, dropped) stop counting."""
    ids = list(suggestion_ids)
    connection = session.connection()
    for start in range(0, len(ids), CHUNK):
        connection.execute(
            delete(BUDGET_SLOT).where(BUDGET_SLOT.c.suggestion_id.in_(ids[start : start + CHUNK]))
        )


def within_budget(
    session: Session, suggestion: Suggestion, schedule: Schedule, allowance: int
) -> bool:
    """At send time: does the suggestion hold a slot within the person's allowance now?

    One queued without a slot (before budget slots existed) claims the lowest free one
    now, so that of such suggestions only as many as the budget allows are sent."""
    assert suggestion.id is not None
    slot = (
        session.connection()
        .execute(select(BUDGET_SLOT.c.slot).where(BUDGET_SLOT.c.suggestion_id == suggestion.id))
        .scalar_one_or_none()
    )
    if slot is not None:
        return bool(slot <= allowance)
    period = period_of(schedule, as_utc(suggestion.planned_at))
    claim = SlotClaim(suggestion.id, holder_of(session, suggestion.person_id), period, allowance)
    # A slot taken by a concurrent claim (PostgreSQL) leaves the next one to try.
    return any(suggestion.id in claim_slots(session, [claim]) for _ in range(allowance))


def _taken(session: Session, keys: set[tuple[int, str]]) -> defaultdict[tuple[int, str], set[int]]:
    taken: defaultdict[tuple[int, str], set[int]] = defaultdict(set)
    ordered = sorted(keys)
    connection = session.connection()
    for start in range(0, len(ordered), CHUNK):
        query = select(BUDGET_SLOT.c.person_id, BUDGET_SLOT.c.period, BUDGET_SLOT.c.slot).where(
            tuple_(BUDGET_SLOT.c.person_id, BUDGET_SLOT.c.period).in_(
                ordered[start : start + CHUNK]
            )
        )
        for person_id, period, slot in connection.execute(query):
            taken[(person_id, period)].add(slot)
    return taken
