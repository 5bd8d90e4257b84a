"""`settings <what> <value>`: each person chooses how often and when suggestions may come.

settings week 0..3         at most N a week (up to ENGAGE_MAX_PER_WEEK)
settings days tue-thu      working days (mon..sun, lun..dim, or 1..7; ranges and lists)
settings hours 10-16       local send window, whole hours
settings quiet 12-14|off   local quiet hours (may wrap midnight: 22-7)
settings language en|fr|auto
"""

from __future__ import annotations

import re

from bot.commands.context import CommandError

DAY_NAMES = {
    name: number
    for number, names in enumerate(
        (
            ("mon", "monday", "lun", "lundi"),
            ("tue", "tuesday", "mar", "mardi"),
            ("wed", "wednesday", "mer", "mercredi"),
            ("thu", "thursday", "jeu", "jeudi"),
            ("fri", "friday", "ven", "vendredi"),
            ("sat", "saturday", "sam", "samedi"),
            ("sun", "sunday", "dim", "dimanche"),
        ),
        start=1,
    )
    for name in names
}
HOURS = re.compile(r"^(\d{1,2})(?::00)?\s*-\s*(\d{1,2})(?::00)?$")


def parse_settings(args: list[str], cap: int) -> dict[str, object]:
    """The Preference fields to change, or CommandError("command.settings.bad")."""
    what, value = args[0].lower(), " ".join(args[1:]).strip().lower()
    if what in ("week", "semaine") and value.isdigit() and int(value) <= cap:
        return {"max_per_week": int(value)}
    if what in ("days", "jours") and (days := _days(value)):
        return {"working_days": ",".join(str(day) for day in days)}
    if what in ("hours", "heures") and (hours := _hours(value)) and hours[0] < hours[1]:
        return {"window_start": hours[0], "window_end": hours[1]}
    if what in ("quiet", "calme") and value in ("off", "non", "aucune"):
        return {"quiet_start": None, "quiet_end": None}
    if what in ("quiet", "calme") and (hours := _hours(value)) and hours[0] != hours[1]:
        return {"quiet_start": hours[0], "quiet_end": hours[1]}
    if what in ("language", "langue") and value in ("en", "fr", "auto"):
        return {"language": None if value == "auto" else value}
    raise CommandError("command.settings.bad", cap=cap)


def _days(text: str) -> list[int]:
    days: set[int] = set()
    for part in re.split(r"[,\s]+", text):
        if not part:
            continue
        ends = [day for end in part.split("-") if (day := _day(end)) is not None]
        if len(ends) != len(part.split("-")) or len(ends) > 2 or ends[0] > ends[-1]:
            return []
        first, last = ends[0], ends[-1]
        days.update(range(first, last + 1))
    return sorted(days)


def _day(text: str) -> int | None:
    if text.isdigit() and 1 <= int(text) <= 7:
        return int(text)
    return DAY_NAMES.get(text)


def _hours(text: str) -> tuple[int, int] | None:
    match = HOURS.match(text)
    if match is None:
        return None
    start, end = int(match[1]), int(match[2])
    return (start, end) if 0 <= start <= 24 and 0 <= end <= 24 else None
