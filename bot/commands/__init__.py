"""Chat commands, shared by every adapter: who asks, what a handler gets, the router.

An adapter builds an `Asker` and hands a command line to a `Router` (the core one is
`bot.commands.core.core_router`), which finds the `Command`, gives its handler a `Context`
and answers with a neutral card; a `CommandError` becomes the message and the usage.
Figures are worded here too (`figure`, `share`, `rhythm_word`), the same on every card.
"""

from __future__ import annotations

import logging
import re
import shlex
import unicodedata
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from bot.cards import Card, Facts, Heading, Paragraph
from bot.events import utcnow
from bot.i18n import LANGUAGES, Language, Translator, catalog, language_for
from bot.metrics import CommunityStats, Suppressed
from bot.services import Services
from bot.storage.models import Person, Preference
from bot.tracker.directory import Directory

COMMAND_ACTION = "engage.command"
"""The action id of every button that runs a command line (its value)."""


@dataclass(frozen=True)
class Asker:
    """The person behind a command, as the adapter knows them (external ids)."""

    platform: str
    workspace: str
    person: str
    locale: str | None = None
    community: str | None = None


@dataclass(frozen=True)
class Context:
    services: Services
    asker: Asker
    t: Translator
    workspace_id: int
    person_id: int
    today: date

    @property
    def minimum(self) -> int:
        return self.services.settings.min_group_size


class CommandError(Exception):
    """A bad argument: answered with the message and the command's usage, never a trace."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


log = logging.getLogger("engage.commands")
Handler = Callable[[Context, list[str]], Awaitable[Card]]


@dataclass(frozen=True)
class Command:
    """A subcommand; its usage and summary live in the catalog under `command.<name>`, and the
    word that calls it in each language under `command_words.<name>` (any language's word
    works, with or without accents; help shows the person's)."""

    name: str
    handler: Handler
    listed: bool = True


class Router:
    def __init__(self, services: Services, commands: Iterable[Command] = ()) -> None:
        self.services = services
        self.commands: dict[str, Command] = {}
        self.words: dict[str, str] = {}
        """Every language's word for a command, accents removed -> the command's name."""
        for command in commands:
            self.add(command)

    def add(self, command: Command) -> None:
        self.commands[command.name] = command
        key = f"command_words.{command.name}"
        for language in LANGUAGES:
            if word := catalog(language).get(key):
                self.words.setdefault(plain_word(word), command.name)

    def named(self, word: str) -> Command | None:
        """The command `word` calls: its name, or its word in any language."""
        word = word.lower()
        return self.commands.get(word) or self.commands.get(self.words.get(plain_word(word), ""))

    def usage(self, t: Translator, name: str) -> str:
        """`command.<name>.usage` with the command's word in `t`'s language."""
        usage = t(f"command.{name}.usage")
        word = catalog(t.language).get(f"command_words.{name}")
        if not word or word == name:
            return usage
        return re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", word, usage)

    async def handle(self, asker: Asker, text: str) -> Card:
        """Answer one command line; bad input gets help, never an exception."""
        words = _split(text)
        context = await self.context(asker)
        command = self.named(words[0] if words else "help")
        if command is None:
            return self.help(context, unknown=words[0])
        try:
            return await command.handler(context, words[1:])
        except CommandError as problem:
            usage = self.usage(context.t, command.name)
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
            (self.usage(t, name), t(f"command.{name}.summary"))
            for name, command in self.commands.items()
            if command.listed
        )
        return Card((Heading(t("help.title")), Paragraph(intro), Facts(rows)), fallback=intro)


def plain_word(word: str) -> str:
    """`Arrêter` -> `arreter`: people type French words with or without accents."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text.strip())
    except ValueError:
        return text.split()


def resolve_asker(session: Session, asker: Asker) -> tuple[int, int]:
    """(workspace id, person id), creating the rows on first contact; keeps the locale fresh."""
    directory = Directory()
    directory.workspace_ids(session, [(asker.platform, asker.workspace)])
    workspace_id = directory.workspaces[(asker.platform, asker.workspace)]
    directory.person_ids(session, {(workspace_id, asker.person): utcnow()})
    person_id = directory.people[(workspace_id, asker.person)]
    if asker.locale:
        person = session.get(Person, person_id)
        if person is not None and person.locale != asker.locale:
            person.locale = asker.locale
    return workspace_id, person_id


def language_of(
    session: Session, person_id: int, locale: str | None, default: Language
) -> Language:
    preference = session.get(Preference, person_id)
    if preference is not None and preference.language in ("en", "fr"):
        return language_for(preference.language, default)
    if locale is None:
        person = session.get(Person, person_id)
        locale = person.locale if person else None
    return language_for(locale, default)


# Figures in words, the same on every card.


def figure(t: Translator, value: int | float | Suppressed) -> str:
    if isinstance(value, Suppressed):
        return hidden(t, value)
    return t.number(value)


def rhythm_word(t: Translator, rhythm: str) -> str:
    """The rhythm's word (see `bot.metrics.definitions.rhythm`), the same on every card; `new`
    for anything else (a reason stored before a word was renamed)."""
    if rhythm in ("steady", "intermittent", "dormant"):
        return t(f"rhythm.{rhythm}")
    return t("promises.rhythm_new")


def share(t: Translator, value: float | Suppressed) -> str:
    if isinstance(value, Suppressed):
        return hidden(t, value)
    return t.percent(value)


def silent_members(t: Translator, stats: CommunityStats) -> str:
    """Silent members and their share of the members, or why they are not shown."""
    if isinstance(stats.silent, Suppressed):
        return figure(t, stats.silent)
    return t(
        "command.stats.silent_value",
        count=figure(t, stats.silent),
        share=share(t, stats.silent_share),
    )


def hidden(t: Translator, value: Suppressed) -> str:
    if value.complementary:
        return t("figure.withheld", minimum=value.minimum)
    return t("figure.suppressed", minimum=value.minimum)


def community_name(t: Translator, name: str | None, external_id: str) -> str:
    """A community's name, or its id marked as not yet named (before the first roster sync)."""
    return name or t("roster.name_unknown", id=external_id)


def change(t: Translator, value: float) -> str:
    sign = "+" if value > 0 else ""
    return sign + t.percent(value)
