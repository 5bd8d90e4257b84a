"""A hand-made Slack export with known answers at the cutoff of 2025-04-01.

me (U1) is in #home with U2 and U3. Two communities may be suggested to me:
- #big: four members (U4..U7), none of them mine, quiet since 2025-03-24;
- #mid: three members, two of them (U2, U3) mine, posting until 2025-03-31.
U8, in #mid only, may be suggested #home (three members, two of them U8's) and #big.
After the cutoff I join #mid of my own accord and #big on an invitation (not counted).
`future=True` adds what only happens after the cutoff: #late is created and I post
there, U8 joins #big, and #mid is flagged archived in channels.json with no date (a live
install, which stores no archive date, could not roll that flag back: `archive_flag`).
`comeback=True` adds a membership a live install stores only as its latest stint, and a
newcomer: U4 leaves #big on 2025-03-28 and rejoins on 2025-04-08; U9 first posts in #home
on 2025-04-09.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.support.slack_export import message, user, write_export

CUTOFF = datetime(2025, 4, 1, tzinfo=UTC)
CREATED = datetime(2025, 1, 1, tzinfo=UTC)
HOME, BIG, MID, LATE = "C0HOME", "C0BIG", "C0MID", "C0LATE"
ME = "U1"
NAMES = {HOME: "home", BIG: "big", MID: "mid", LATE: "late"}
WEEKS = [date(2025, 1, 6) + timedelta(weeks=w) for w in range(12)]  # to 2025-03-24


def ts(day: date, hour: int = 12, n: int = 0) -> str:
    moment = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    return f"{moment.timestamp():.0f}.{n:06d}"


def channel(cid: str, created: datetime = CREATED, archived: bool = False) -> dict[str, Any]:
    return {
        "id": cid,
        "name": NAMES[cid],
        "created": f"{created.timestamp():.0f}",
        "is_archived": archived,
        "is_general": False,
        "members": [],
    }


def write_club(
    root: Path, *, future: bool = True, archive_flag: bool | None = None, comeback: bool = False
) -> Path:
    """`archive_flag` (default: `future`) flags #mid archived in channels.json, undated."""
    days: dict[str, list[dict[str, Any]]] = {}

    def say(cid: str, person: str, day: date, subtype: str | None = None, **extra: Any) -> None:
        found = days.setdefault(f"{NAMES[cid]}/{day.isoformat()}.json", [])
        found.append(message(person, ts(day, 12, len(found)), subtype, **extra))

    for week in WEEKS:
        for person in ("U1", "U2", "U3"):
            say(HOME, person, week)
        for person in ("U4", "U5", "U6", "U7"):
            say(BIG, person, week)
        for person in ("U2", "U3", "U8"):
            say(MID, person, week)
    say(MID, "U8", date(2025, 3, 31))
    say(MID, ME, date(2025, 4, 10), "channel_join")
    say(BIG, ME, date(2025, 4, 11), "channel_join", inviter="U4")
    channels = [
        channel(HOME),
        channel(BIG),
        channel(MID, archived=future if archive_flag is None else archive_flag),
    ]
    if future:
        channels.append(channel(LATE, datetime(2025, 4, 5, tzinfo=UTC)))
        say(LATE, ME, date(2025, 4, 6))
        say(LATE, "U2", date(2025, 4, 6))
        say(BIG, "U8", date(2025, 4, 7), "channel_join")
    if comeback:
        say(BIG, "U4", date(2025, 3, 28), "channel_leave")
        say(BIG, "U4", date(2025, 4, 8), "channel_join")
        say(HOME, "U9", date(2025, 4, 9))
    users = [user(f"U{n}", f"person{n}") for n in range(1, 10 if comeback else 9)]
    return write_export(root, days, users=users, channels=channels)
