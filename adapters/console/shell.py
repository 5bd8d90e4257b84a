"""`engage console`: act as a person of the workspace, one line from stdin at a time.

`run_console` reads lines (no terminal needed); `Shell` runs each: who you are, what you
do (post, react, join: recorded as the platform's events would be, metadata only) and
what the bot answers. `tick` moves the console's clock on and runs the scheduler's jobs as
they would have run; the clock starts now, or when an old export's activity ends.
"""

from __future__ import annotations

import asyncio
import re
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, func, select

from adapters.console.gateway import PLATFORM, ConsoleGateway, render
from bot.animators.roles import Actor
from bot.cards import Card
from bot.cli.context import choose_workspace
from bot.commands import Asker, CommandError, Router
from bot.commands.lookup import find_community
from bot.delivery import Recipient
from bot.events import Event, MemberJoined, MessagePosted, ReactionAdded, utcnow
from bot.i18n import Translator
from bot.services import Services
from bot.storage.models import Community, DailyActivity, Person, Workspace
from bot.tracker import record_chunk
from nudges.actions import full_router
from nudges.jobs import all_jobs


def say(text: str) -> None:
    print(text, flush=True)


async def run_console(services: Services, workspace_id: str | None) -> None:
    try:
        workspace = await services.database.read(lambda s: the_workspace(s, workspace_id))
        assert workspace.id is not None
        workspace_key = workspace.id
        clock = ConsoleClock(await services.database.read(lambda s: start_moment(s, workspace_key)))
        services.clock = clock
        t = Translator(services.settings.operator_language)
        gateway = ConsoleGateway(platform=workspace.platform, clock=clock, t=t)
        shell = Shell(services, full_router(services), workspace, gateway, clock, say)
        gateway.show = shell.show
        gateway.on_invite = shell.invited
        services.gateways[PLATFORM] = gateway
        services.gateways[workspace.platform] = gateway
        say(t("console.welcome", workspace=workspace.external_id))
        prompt = sys.stdin.isatty()
        while True:
            if prompt:
                print("> ", end="", flush=True)
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line or not await shell.handle(line):
                break
    finally:
        await services.stop()


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


def _activity(
    kind: type[MessagePosted | ReactionAdded | MemberJoined],
    platform: str,
    workspace: str,
    person: str,
    community: str,
    at: datetime,
) -> Event:
    key = f"console-{uuid.uuid4().hex}"
    return kind(
        platform=platform,
        workspace=workspace,
        key=key,
        occurred_at=at,
        person=person,
        community=community,
    )


def posted(platform: str, workspace: str, person: str, community: str, at: datetime) -> Event:
    return _activity(MessagePosted, platform, workspace, person, community, at)


def reacted(platform: str, workspace: str, person: str, community: str, at: datetime) -> Event:
    return _activity(ReactionAdded, platform, workspace, person, community, at)


def joined(platform: str, workspace: str, person: str, community: str, at: datetime) -> Event:
    return _activity(MemberJoined, platform, workspace, person, community, at)


async def record_and_fold(services: Services, events: Sequence[Event]) -> int:
    """Record the events as of the console's clock, then fold them into the statistics."""
    now = services.clock()
    summary = await services.database.write(lambda session: record_chunk(session, events, now=now))
    await services.tracker.fold()
    return summary.new


STEP = timedelta(hours=1)
"""The digest job runs hourly and the planner every 15 minutes: an hour misses nobody's
window, which opens on whole local hours."""
TICK_JOBS = ("fold", "plan", "digest", "deliver")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
DURATION = re.compile(r"^(\d+)\s*([mhdw])$")
LONGEST = timedelta(weeks=8)


@dataclass
class ConsoleClock:
    """Starts at the real time (or when an old export's activity ends); only `tick` moves it."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


def parse_duration(text: str) -> timedelta | None:
    """`30m`, `2h`, `1d`, `1w`; None if not understood or longer than 8 weeks."""
    match = DURATION.match(text.strip().lower() or "1h")
    if match is None:
        return None
    duration = timedelta(**{UNITS[match[2]]: int(match[1])})
    return duration if timedelta(0) < duration <= LONGEST else None


async def tick(services: Services, clock: ConsoleClock, duration: timedelta) -> None:
    """Advance in steps of at most an hour, running the jobs at each step."""
    jobs = all_jobs()
    end = clock.now + duration
    while clock.now < end:
        clock.now = min(clock.now + STEP, end)
        for name in TICK_JOBS:
            await jobs[name](services)


STALE = timedelta(days=7)


def activity_end(session: Session, workspace_id: int) -> date | None:
    """The last day with recorded activity in the workspace."""
    query = (
        select(func.max(DailyActivity.day))
        .join(Community, col(Community.id) == col(DailyActivity.community_id))
        .where(Community.workspace_id == workspace_id)
    )
    return session.exec(query).one()


def start_moment(session: Session, workspace_id: int) -> datetime:
    """Now, or just after the activity ends when it ended long ago (an old export): the
    figures, suggestions and the console's clock then describe the workspace when alive."""
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    last = activity_end(session, workspace_id)
    if last is None or now.date() - last <= STALE:
        return now
    return datetime.combine(last + timedelta(days=1), time(12), UTC)


def the_workspace(session: Session, external_id: str | None = None) -> Workspace:
    return choose_workspace(session, external_id)


def find_person(session: Session, workspace_id: int, text: str) -> Person | None:
    """A person by external id, or by display name (case-insensitive)."""
    wanted = text.strip().lstrip("@")
    people = session.exec(
        select(Person).where(Person.workspace_id == workspace_id, Person.is_bot.is_(False))  # type: ignore[attr-defined]
    ).all()
    for person in people:
        if person.external_id == wanted:
            return person
    lowered = wanted.lower()
    for person in people:
        if (person.display_name or "").lower() == lowered:
            return person
    return None
