"""One console line at a time: who you are, what you do, what the bot answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session, select

from adapters.console.activity import joined, posted, reacted, record_and_fold
from adapters.console.gateway import ConsoleGateway
from adapters.console.help import HELP
from adapters.console.render import render
from adapters.console.ticks import ConsoleClock, parse_duration, tick
from adapters.console.workspace import find_person
from bot.animators.audit import Actor
from bot.cards import Card
from bot.commands import Asker, Router
from bot.commands.context import CommandError
from bot.commands.lookup import find_community
from bot.delivery import Recipient
from bot.i18n import Translator
from bot.services import Services
from bot.storage.models import Person, Workspace


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

    def show(self, title: str, card: Card) -> None:
        rendered = render(card, first=len(self.choices) + 1)
        self.choices += rendered.choices
        self.say(f"--- {title} ---\n{rendered.text}")

    async def handle(self, line: str) -> bool:
        """Run one line; False once the person asked to quit."""
        line = line.strip()
        word, _, rest = line.partition(" ")
        if not line:
            return True
        if word in ("quit", "exit"):
            return False
        if word == "help":
            self.say(HELP)
        elif word == "who":
            await self._who()
        elif word == "as":
            await self._become(rest)
        elif word == "time":
            self.say(f"{self.clock.now:%A %Y-%m-%d %H:%M} UTC")
        elif word == "tick":
            await self._tick(rest)
        elif self.person is None:
            self.say("First choose who you are: as <person> (try `who`).")
        elif line.isdigit():
            await self._click(int(line))
        elif word in ("/engage", "engage"):
            await self._command(rest)
        elif word.startswith("#") or word in ("react", "join"):
            await self._activity(word, rest)
        else:
            self.say(f"Unknown console command {word!r}: type help.")
        return True

    async def _who(self) -> None:
        people = await self.services.database.read(lambda s: _some_people(s, self.workspace))
        self.say("\n".join(f"  {p.external_id}  {p.display_name or ''}" for p in people))

    async def _become(self, text: str) -> None:
        assert self.workspace.id is not None
        workspace_id = self.workspace.id
        person = await self.services.database.read(lambda s: find_person(s, workspace_id, text))
        if person is None:
            self.say(f"Nobody called {text!r} here: try `who`.")
            return
        self.person, self.choices = person, []
        self.gateway.current = person.external_id
        self.say(f"You are now {person.display_name or person.external_id}.")
        for card in self.gateway.take_waiting(person.external_id):
            self.show("direct message from Engage (while you were away)", card)

    async def _tick(self, text: str) -> None:
        duration = parse_duration(text)
        if duration is None:
            self.say("tick takes a duration such as 30m, 2h, 1d or 1w (at most 8w).")
            return
        before = self.gateway.sent
        await tick(self.services, self.clock, duration)
        self.say(
            f"It is now {self.clock.now:%A %Y-%m-%d %H:%M} UTC; "
            f"{self.gateway.sent - before} direct message(s) sent in the workspace meanwhile."
        )

    async def _click(self, number: int) -> None:
        if not 1 <= number <= len(self.choices):
            self.say("No such choice: type a number shown before a button.")
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
            self.say(Translator("en")(problem.key, **problem.values))
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
        done = {"react": "reacted in", "join": "joined"}.get(word, "posted in")
        self.say(f"(you {done} #{community.name or community.external_id}; no text kept)")

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
