"""One console line at a time: who you are, what you do, what the bot answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session, select

from adapters.console.activity import joined, posted, reacted, record_and_fold
from adapters.console.gateway import ConsoleGateway
from adapters.console.render import render
from adapters.console.ticks import ConsoleClock, parse_duration, tick
from adapters.console.workspace import find_person
from bot.animators.roles import Actor
from bot.cards import Card
from bot.commands import Asker, CommandError, Router
from bot.commands.lookup import find_community
from bot.delivery import Recipient
from bot.i18n import Translator
from bot.services import Services
from bot.storage.models import Person, Workspace

FRENCH_WORDS = {
    "aide": "help",
    "qui": "who",
    "comme": "as",
    "heure": "time",
    "avancer": "tick",
    "quitter": "quit",
    "réagir": "react",
    "reagir": "react",
    "rejoindre": "join",
}
"""The console's own words in French: `comme U0002`, `avancer 1w`, `rejoindre #general`…"""


@dataclass
class Shell:
    services: Services
    router: Router
    workspace: Workspace
    gateway: ConsoleGateway
    clock: ConsoleClock
    say: Callable[[str], None]
    person: Person | None = None
    choices: list[str] = field(default_factory=list)
    """Every button shown to the current person, numbered in order: any stays clickable."""

    @property
    def t(self) -> Translator:
        return Translator(self.services.settings.operator_language)

    def show(self, title: str, card: Card) -> None:
        rendered = render(card, first=len(self.choices) + 1)
        self.choices += rendered.choices
        self.say(f"--- {title} ---\n{rendered.text}")

    async def handle(self, line: str) -> bool:
        """Run one line; False once the person asked to quit."""
        line = line.strip()
        word, _, rest = line.partition(" ")
        word = FRENCH_WORDS.get(word.lower(), word)
        if not line:
            return True
        if word in ("quit", "exit"):
            return False
        if word == "help":
            self.say(self.t("console.help"))
        elif word == "who":
            await self._who()
        elif word == "as":
            await self._become(rest)
        elif word == "time":
            self.say(self.t("console.clock", moment=self.t.moment(self.clock.now)))
        elif word == "tick":
            await self._tick(rest)
        elif self.person is None:
            self.say(self.t("console.choose_first"))
        elif line.isdigit():
            await self._click(int(line))
        elif word in ("/engage", "engage"):
            await self._command(rest)
        elif word.startswith("#") or word in ("react", "join"):
            await self._activity(word, rest)
        else:
            self.say(self.t("console.unknown", word=repr(word)))
        return True

    async def _who(self) -> None:
        people = await self.services.database.read(lambda s: _some_people(s, self.workspace))
        self.say("\n".join(f"  {p.external_id}  {p.display_name or ''}" for p in people))

    async def _become(self, text: str) -> None:
        assert self.workspace.id is not None
        workspace_id = self.workspace.id
        person = await self.services.database.read(lambda s: find_person(s, workspace_id, text))
        if person is None:
            self.say(self.t("console.nobody", name=repr(text)))
            return
        self.person, self.choices = person, []
        self.gateway.current = person.external_id
        self.say(self.t("console.became", name=person.display_name or person.external_id))
        for card in self.gateway.take_waiting(person.external_id):
            self.show(self.t("console.while_away"), card)

    async def _tick(self, text: str) -> None:
        duration = parse_duration(text)
        if duration is None:
            self.say(self.t("console.tick_usage"))
            return
        before = self.gateway.sent
        await tick(self.services, self.clock, duration)
        self.say(
            self.t(
                "console.ticked",
                moment=self.t.moment(self.clock.now),
                sent=self.t.number(self.gateway.sent - before),
            )
        )

    async def _click(self, number: int) -> None:
        if not 1 <= number <= len(self.choices):
            self.say(self.t("console.no_choice"))
            return
        await self._command(self.choices[number - 1])

    async def _command(self, text: str) -> None:
        card = await self.router.handle(self._asker(), text)
        self.show("Engage", card)

    async def _activity(self, word: str, rest: str) -> None:
        channel = word if word.startswith("#") else rest.split(" ")[0]
        assert self.workspace.id is not None
        assert self.person is not None
        workspace_id = self.workspace.id
        try:
            community = await self.services.database.read(
                lambda s: find_community(s, Actor(workspace_id, None, "cli"), channel)
            )
        except CommandError as problem:
            self.say(self.t(problem.key, **problem.values))
            return
        make = {"react": reacted, "join": joined}.get(word, posted)
        event = make(
            self.workspace.platform,
            self.workspace.external_id,
            self.person.external_id,
            community.external_id,
            self.clock.now,
        )
        await record_and_fold(self.services, [event])
        done = {"react": "console.reacted", "join": "console.joined"}.get(word, "console.posted")
        self.say(self.t(done, community=community.name or community.external_id))

    def _asker(self) -> Asker:
        assert self.person is not None
        return Asker(self.workspace.platform, self.workspace.external_id, self.person.external_id)

    async def invited(self, recipient: Recipient, community: str) -> None:
        event = joined(
            recipient.platform, recipient.workspace, recipient.person, community, self.clock.now
        )
        await record_and_fold(self.services, [event])


def _some_people(session: Session, workspace: Workspace) -> list[Person]:
    query = (
        select(Person)
        .where(Person.workspace_id == workspace.id, Person.is_bot.is_(False))  # type: ignore[attr-defined]
        .order_by(Person.id)  # type: ignore[arg-type]
        .limit(12)
    )
    return list(session.exec(query))
