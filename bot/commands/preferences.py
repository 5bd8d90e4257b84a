"""`start`, `stop`, `pause`, `resume`, `settings`: each person's say over suggestions."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from bot.cards import Actions, Button, Card, Facts, Heading, Paragraph
from bot.clock import utcnow
from bot.commands.context import CommandError, Context
from bot.commands.settings_edit import parse_settings
from bot.identity import share_preference
from bot.storage.models import Person, Preference

COMMAND_ACTION = "engage.command"
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
