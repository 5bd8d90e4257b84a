"""`export` and `forget` in chat: a person's own data, sent to them or erased on confirmation."""

from __future__ import annotations

import json

from sqlmodel import Session

from bot.cards import Actions, Attachment, Button, Card, Heading, Paragraph
from bot.commands import COMMAND_ACTION, CommandError, Context
from bot.privacy.rights import erase_person, export_person

CONFIRM, OBJECT = "--confirm", "--object"


async def export_command(context: Context, _args: list[str]) -> Card:
    """Everything Engage holds about the asker, as a JSON file attached to the answer."""
    data = await context.services.database.read(
        lambda session: export_person(session, context.person_id)
    )
    content = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode()
    filename = f"engage-export-{context.today.isoformat()}.json"
    text = context.t("command.export.done", filename=filename)
    return Card((Paragraph(text),), fallback=text, attachment=Attachment(filename, content))


async def forget_command(context: Context, args: list[str]) -> Card:
    """Without a flag: ask for confirmation. `--confirm`, or `--object` to stop tracking too."""
    flags = {arg.lower() for arg in args}
    if not flags:
        return _confirmation(context)
    if not flags <= {CONFIRM, OBJECT}:
        raise CommandError("command.forget.bad")
    objecting = OBJECT in flags

    def erase(session: Session) -> None:
        erase_person(session, context.person_id, object_to_tracking=objecting)

    await context.services.database.write(erase)
    key = "command.forget.objected" if objecting else "command.forget.done"
    text = context.t(key)
    return Card((Paragraph(text),), fallback=text)


def _confirmation(context: Context) -> Card:
    t = context.t
    title = t("command.forget.title")
    buttons = (
        Button(t("command.forget.confirm"), COMMAND_ACTION, f"forget {CONFIRM}", "danger"),
        Button(t("command.forget.object"), COMMAND_ACTION, f"forget {OBJECT}", "danger"),
        Button(t("command.forget.cancel"), COMMAND_ACTION, "forget-cancel"),
    )
    return Card(
        (Heading(title), Paragraph(t("command.forget.explain")), Actions(buttons)),
        fallback=title,
    )


async def cancel_command(context: Context, _args: list[str]) -> Card:
    text = context.t("command.forget.cancelled")
    return Card((Paragraph(text),), fallback=text)
