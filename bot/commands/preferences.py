"""A person's own say and figures: `me` (their figures, which nobody else can see), and
`start`, `stop`, `pause`, `resume`, `settings` (whether, how often and when suggestions come).

settings week 0..3         at most N a week (up to ENGAGE_MAX_PER_WEEK)
settings days tue-thu      working days (mon..sun, lun..dim, or 1..7; ranges and lists)
settings hours 10-16       local send window, whole hours
settings quiet 12-14|off   local quiet hours (may wrap midnight: 22-7)
settings language en|fr|auto
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from bot.cards import Actions, Button, Card, Chart, Facts, Heading, Paragraph
from bot.commands import COMMAND_ACTION, CommandError, Context, figure
from bot.events import utcnow
from bot.identity import share_preference
from bot.metrics import person_stats
from bot.metrics.definitions import count
from bot.storage.models import Person, PersonFollow, Preference, Showcase

DURATION = re.compile(
    r"^(?P<n>\d{1,3})\s*(?P<unit>d|days?|j|jours?|w|weeks?|s|sem|semaines?)$", re.IGNORECASE
)
MAX_PAUSE = timedelta(days=365)


def parse_pause(args: list[str], today: date) -> datetime:
    text = " ".join(args).strip()
    try:
        until = date.fromisoformat(text)
    except ValueError:
        match = DURATION.match(text)
        if match is None:
            raise CommandError("command.pause.bad") from None
        days = int(match["n"]) * (1 if match["unit"][0].lower() in "dj" else 7)
        until = today + timedelta(days=days)
    if not today < until <= today + MAX_PAUSE:
        raise CommandError("command.pause.bad")
    return datetime.combine(until, time(), tzinfo=utcnow().tzinfo)


def _preference(session: Session, person_id: int) -> Preference:
    preference = session.get(Preference, person_id)
    if preference is None:
        preference = Preference(person_id=person_id)
        session.add(preference)
    preference.updated_at = utcnow()
    return preference


async def _update(context: Context, **changes: object) -> Preference:
    def apply(session: Session) -> Preference:
        preference = _preference(session, context.person_id)
        for name, value in changes.items():
            setattr(preference, name, value)
        share_preference(session, context.person_id)  # one human, one set of preferences
        return preference

    return await context.services.database.write(apply)


async def start_command(context: Context, _args: list[str]) -> Card:
    preference = await _update(context, consent="in", snooze_until=None, ignored_streak=0)
    per_week = min(preference.max_per_week, context.services.settings.max_per_week)
    return Card((Paragraph(context.t("command.start.done", per_week=per_week)),))


async def stop_command(context: Context, _args: list[str]) -> Card:
    await _update(context, consent="out")
    return Card((Paragraph(context.t("command.stop.done")),))


async def pause_command(context: Context, args: list[str]) -> Card:
    until = parse_pause(args, context.today)
    await _update(context, snooze_until=until)
    return Card((Paragraph(context.t("command.pause.done", until=until.date().isoformat())),))


async def resume_command(context: Context, _args: list[str]) -> Card:
    await _update(context, snooze_until=None)
    return Card((Paragraph(context.t("command.resume.done")),))


async def settings_command(context: Context, args: list[str]) -> Card:
    if args:
        await _update(context, **parse_settings(args, context.services.settings.max_per_week))

    def load(session: Session) -> tuple[Preference, str]:
        preference = session.get(Preference, context.person_id) or Preference(
            person_id=context.person_id
        )
        person = session.get(Person, context.person_id)
        return preference, (person.tz if person and person.tz else "UTC")

    preference, tz = await context.services.database.read(load)
    t = context.t
    consent = t(f"command.settings.consent_{preference.consent}")
    days = ", ".join(t(f"weekday.{day}") for day in preference.working_days.split(",") if day)
    window = t(
        "command.settings.window_value",
        days=days,
        start=preference.window_start,
        end=preference.window_end,
        tz=tz,
    )
    facts = [
        (t("command.settings.consent"), consent),
        (t("command.settings.per_week"), t.number(preference.max_per_week)),
        (t("command.settings.window"), window),
        (t("command.settings.language"), t.language.upper()),
    ]
    if preference.snooze_until and preference.snooze_until > utcnow():
        facts.append((t("command.settings.paused"), preference.snooze_until.date().isoformat()))
    if preference.quiet_start is not None and preference.quiet_end is not None:
        facts.append(
            (t("command.settings.quiet"), f"{preference.quiet_start}:00–{preference.quiet_end}:00")
        )
    on = preference.consent == "in"
    buttons = (
        Button(t("command.settings.stop"), COMMAND_ACTION, "stop", "danger")
        if on
        else Button(t("command.settings.start"), COMMAND_ACTION, "start", "primary"),
        Button(t("command.settings.pause"), COMMAND_ACTION, "pause 2w"),
        Button(t("command.settings.resume"), COMMAND_ACTION, "resume"),
    )
    return Card((Heading(t("command.settings.title")), Facts(tuple(facts)), Actions(buttons)))


def follower_count(session: Session, person_id: int) -> int | None:
    """How many people follow someone followable (None when they are not)."""
    showcase = session.get(Showcase, person_id)
    if showcase is None or not showcase.followable:
        return None
    query = (
        select(func.count())
        .select_from(PersonFollow)
        .where(
            PersonFollow.followed_id == person_id  # type: ignore[arg-type]
        )
    )
    return int(session.connection().execute(query).scalar_one())


async def me_command(context: Context, _args: list[str]) -> Card:
    stats = await context.services.database.read(
        lambda session: person_stats(
            session, context.person_id, context.workspace_id, context.today
        )
    )
    followers = await context.services.database.read(
        lambda session: follower_count(session, context.person_id)
    )
    t = context.t
    facts = [
        (t("command.me.rung"), t(f"rung.{stats.rung}")),
        (t("command.me.posts"), t.number(stats.posts)),
        (t("command.me.replies"), t.number(stats.replies)),
        (t("command.me.reactions_given"), t.number(stats.reactions_given)),
        (t("command.me.reactions_received"), t.number(stats.reactions_received)),
        (t("command.me.active_weeks"), t.number(stats.active_weeks)),
        (t("command.me.communities"), t.number(stats.communities_active)),
    ]
    if followers is not None:
        shown = figure(t, count(followers, context.minimum))
        facts.append((t("showcase.me_followers"), shown))
    return Card(
        (
            Heading(t("command.me.title")),
            Chart(t("command.me.chart"), stats.weekly_posts),
            Facts(tuple(facts)),
        ),
        fallback=t("command.me.title"),
    )


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
