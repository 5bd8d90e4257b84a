"""What the recommender knows: plain data, no database or platform types."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.metrics.definitions import WEEKS


@dataclass(frozen=True, slots=True)
class CommunityInfo:
    id: int
    is_private: bool = False
    is_archived: bool = False
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class MembershipInfo:
    """A person's relation to a community at the snapshot's date."""

    person: int
    community: int
    state: str = "member"  # member | follower | left
    joined_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DayActivity:
    """One rollup row: what a person did in a community on one day."""

    day: date
    community: int
    person: int
    posts: int = 0
    replies: int = 0
    reactions_given: int = 0
    reactions_received: int = 0
    joins: int = 0

    @property
    def messages(self) -> int:
        return self.posts + self.replies

    @property
    def actions(self) -> int:
        return self.posts + self.replies + self.reactions_given


@dataclass(frozen=True, slots=True)
class DismissalInfo:
    person: int
    community: int
    until: datetime | None = None  # None: never suggest again

    def active(self, as_of: datetime) -> bool:
        return self.until is None or self.until > as_of


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Communities, memberships, dismissals, and activity rollups over a bounded window.

    `activity` should cover the `RHYTHM_SPAN_DAYS` (`bot.metrics.definitions`) before
    `as_of`; older rows are ignored.
    """

    as_of: datetime
    communities: Mapping[int, CommunityInfo]
    memberships: Sequence[MembershipInfo] = ()
    activity: Sequence[DayActivity] = ()
    dismissals: Sequence[DismissalInfo] = ()


def counted_days(as_of: datetime) -> tuple[date, date]:
    """First and last day of the window: a day counts once it has started before `as_of`."""
    last = (as_of - timedelta(microseconds=1)).date()
    return window_start(last), last


def window_start(last: date) -> date:
    """Monday of the ISO week eleven weeks before the week of `last`: twelve ISO weeks."""
    return last - timedelta(days=last.weekday()) - timedelta(weeks=WEEKS - 1)
