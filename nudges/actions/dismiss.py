"""`notnow`, `never`, `unhide`: hide a community from suggestions for 90 days or for good."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.cards import Actions, Card, Paragraph
from bot.commands import Context
from bot.storage.models import Dismissal
from nudges.actions.answers import answered
from nudges.actions.target import name_of, parse_target, public_community, suggestion_for
from nudges.cards import command_button
from nudges.policy.rules import NOT_NOW


async def notnow_command(context: Context, args: list[str]) -> Card:
    return await _dismiss(context, args, "notnow")


async def never_command(context: Context, args: list[str]) -> Card:
    return await _dismiss(context, args, "never")


async def _dismiss(context: Context, args: list[str], command: str) -> Card:
    target = parse_target(args, command)
    now = context.services.clock()
    until = now + NOT_NOW if command == "notnow" else None

    def apply(session: Session) -> tuple[str, str]:
        community = public_community(session, context, target.reference)
        assert community.id is not None
        dismissal = session.get(Dismissal, (context.person_id, community.id))
        if dismissal is None:
            dismissal = Dismissal(person_id=context.person_id, community_id=community.id, kind="")
        dismissal.kind = "never" if until is None else "not_now"
        dismissal.until, dismissal.created_at = until, now
        session.add(dismissal)
        suggestion = suggestion_for(session, context.person_id, community.id, target, now)
        answered(session, suggestion, "dismissed", now)
        return name_of(community), community.external_id

    name, external = await context.services.database.write(apply)
    t = context.t
    text = t(f"command.{command}.done", name=name, until=_day(until))
    undo = command_button(t("command.unhide.button"), "unhide", external)
    return Card((Paragraph(text), Actions((undo,))))


async def unhide_command(context: Context, args: list[str]) -> Card:
    target = parse_target(args, "unhide")

    def apply(session: Session) -> tuple[bool, str]:
        community = public_community(session, context, target.reference)
        dismissal = session.get(Dismissal, (context.person_id, community.id))
        if dismissal is not None:
            session.delete(dismissal)
        return dismissal is not None, name_of(community)

    removed, name = await context.services.database.write(apply)
    key = "command.unhide.done" if removed else "command.unhide.not_hidden"
    return Card((Paragraph(context.t(key, name=name)),))


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment is not None else ""
