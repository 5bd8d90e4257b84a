"""The platform-neutral command layer: `/engage <words>` on Slack, the same words on Teams."""

from __future__ import annotations

import logging
import shlex
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from sqlmodel import Session

from bot.cards import Card, Facts, Heading, Paragraph
from bot.commands.context import Asker, CommandError, Context
from bot.commands.people import language_of, resolve_asker
from bot.i18n import Translator
from bot.services import Services

log = logging.getLogger("engage.commands")
Handler = Callable[[Context, list[str]], Awaitable[Card]]


@dataclass(frozen=True)
class Command:
    """A subcommand; its usage and summary live in the catalog under `command.<name>`."""

    name: str
    handler: Handler
    listed: bool = True


class Router:
    def __init__(self, services: Services, commands: Iterable[Command] = ()) -> None:
        self.services = services
        self.commands: dict[str, Command] = {}
        for command in commands:
            self.add(command)

    def add(self, command: Command) -> None:
        self.commands[command.name] = command

    async def handle(self, asker: Asker, text: str) -> Card:
        """Answer one command line; bad input gets help, never an exception."""
        words = _split(text)
        context = await self.context(asker)
        name = words[0].lower() if words else "help"
        command = self.commands.get(name)
        if command is None:
            return self.help(context, unknown=words[0])
        try:
            return await command.handler(context, words[1:])
        except CommandError as problem:
            usage = context.t(f"command.{name}.usage")
            text = context.t(problem.key, **problem.values)
            return Card((Paragraph(context.t("help.bad_argument", problem=text, usage=usage)),))

    async def context(self, asker: Asker) -> Context:
        settings = self.services.settings

        def load(session: Session) -> tuple[int, int, str]:
            workspace_id, person_id = resolve_asker(session, asker)
            return (
                workspace_id,
                person_id,
                language_of(session, person_id, asker.locale, settings.default_locale),
            )

        workspace_id, person_id, language = await self.services.database.write(load)
        return Context(
            services=self.services,
            asker=asker,
            t=Translator(language),  # type: ignore[arg-type]
            workspace_id=workspace_id,
            person_id=person_id,
            today=self.services.today(),
        )

    def help(self, context: Context, unknown: str | None = None) -> Card:
        t = context.t
        intro = t("help.unknown", word=unknown) if unknown else t("help.intro")
        rows = tuple(
            (t(f"command.{name}.usage"), t(f"command.{name}.summary"))
            for name, command in self.commands.items()
            if command.listed
        )
        return Card((Heading(t("help.title")), Paragraph(intro), Facts(rows)), fallback=intro)


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text.strip())
    except ValueError:
        return text.split()
