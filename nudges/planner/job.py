"""The `plan` job: who gets what, now. Run by the scheduler leader every 15 minutes.

1. Move earlier suggestions along (delivered, ignored -> back-off, joined, first post).
2. One workspace at a time, holding its planning lease (a pass that finds it held by
   another skips that workspace): decide for every person with consent whether their
   budget and local window allow a message now — an introduction (opt-out mode, first)
   or a suggestion — then rank communities for those people and queue one card each.
   Each card takes a slot of the person's weekly budget in the database
   (`nudges.policy.budget`), so passes that overlap anyway never exceed it.

Ranking is CPU work, done off the event loop, `CHUNK` people at a time (each chunk's cards
are written while the next is ranked), and bounded by `budget` seconds per pass and
workspace: whoever is not reached waits for the next pass (their window lasts hours;
passes come every 15 minutes), in a new random order so nobody is always last.

Planning reads one recommender snapshot per workspace (`SnapshotCache`, shared with
`suggest`): reading a large workspace's rollups and preparing the recommender's model
takes long (about 20 s of CPU at 100k people x 5k communities), so both are done
together, off the event loop, and serve for `TTL`; what changed since — dismissals, new
memberships, recent suggestions — is excluded live by `load_context`. Python's cyclic
garbage collector is paused during the read (`gc_paused`): it makes millions of small
objects that live on, and each full collection would walk all those made so far (about a
third of the read's CPU at 100k x 5k). Rows are freed by reference counting meanwhile;
only cycles wait for the collector's return. Pauses may overlap (one per thread): the
collector comes back when the last ends, and only if it was on when the first began.

Each person gets one `Pick`: the best community of the ranking not excluded.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from sqlmodel import Session, col, select

from bot.i18n import Language, Told
from bot.services import Services
from bot.storage.models import Workspace
from nudges.planner.context import WorkspaceContext, load_context
from nudges.planner.write import SuggestionPayloads, write_all, write_introductions
from nudges.policy import Verdict, decide
from nudges.policy.consent import Recipient, load_recipients
from nudges.policy.lifecycle import advance
from nudges.recommend import Snapshot
from nudges.recommend.explain import DEFAULT_MIN_GROUP_SIZE
from nudges.recommend.rank import model_for, recommend_many
from nudges.recommend.snapshot import read_snapshot
from nudges.scheduler import release, try_lead

PASS_BUDGET = 45.0
PLAN_LEASE = timedelta(minutes=10)
"""Far longer than a pass; a pass cut short by a crash frees its workspaces after this.
A pass that ends drops its lease."""
PROCESS = f"{socket.gethostname()}:{os.getpid()}"
CHUNK = 10_000
"""People ranked between two looks at the deadline (about 2 s of work at 100k x 5k)."""


async def plan(services: Services, budget: float = PASS_BUDGET) -> str:
    now = services.clock()
    default = services.settings.default_locale
    progress = await services.database.write(lambda session: advance(session, now, default))
    workspaces = await services.database.read(
        lambda session: list(session.exec(select(Workspace.id).order_by(col(Workspace.id))))
    )
    verdicts: Counter[Verdict] = Counter()
    introduced = planned = busy = 0
    for workspace_id in workspaces:
        assert workspace_id is not None
        async with plan_lease(services, workspace_id) as held:
            if not held:
                busy += 1
                continue
            done = await plan_one(services, workspace_id, now, budget, verdicts)
        introduced, planned = introduced + done[0], planned + done[1]
    due = verdicts[Verdict.SUGGEST]
    summary = Told(
        "job.plan.done",
        planned=planned,
        introduced=introduced,
        due=due,
        left=due - planned,
        delivered=progress.delivered,
        ignored=progress.ignored,
        paused=progress.paused,
        joined=progress.joined,
    )
    return Told("job.plan.busy", summary=summary, busy=busy) if busy else summary


@asynccontextmanager
async def plan_lease(services: Services, workspace_id: int) -> AsyncIterator[bool]:
    """Hold the workspace's planning lease for the block (True), or not at all (False)
    when another pass holds it: one pass at a time reads budgets, ranks and queues."""
    name, holder = f"plan:{workspace_id}", f"{PROCESS}:{uuid.uuid4().hex[:8]}"
    held = await services.database.write(
        partial(try_lead, holder=holder, now=services.clock(), ttl=PLAN_LEASE, name=name)
    )
    try:
        yield held
    finally:
        if held:
            await services.database.write(partial(release, holder=holder, name=name))


async def plan_one(
    services: Services,
    workspace_id: int,
    now: datetime,
    budget: float,
    verdicts: Counter[Verdict],
) -> tuple[int, int]:
    """Introductions and suggestions for one workspace: (introduced, planned)."""
    settings = services.settings
    recipients = await services.database.read(
        lambda session: load_recipients(
            session,
            now,
            started_only=settings.consent_mode == "opt_in",
            open_only=True,
            workspace_id=workspace_id,
        )
    )
    introduce: list[Recipient] = []
    suggest: list[Recipient] = []
    for recipient in recipients:
        verdict = decide(
            recipient.standing, now, mode=settings.consent_mode, cap=settings.max_per_week
        )
        verdicts[verdict] += 1
        if verdict is Verdict.INTRODUCE:
            introduce.append(recipient)
        elif verdict is Verdict.SUGGEST:
            suggest.append(recipient)
    introduced = await services.database.write(
        lambda session: write_introductions(session, introduce, settings, now)
    )
    planned = await plan_workspace(services, workspace_id, suggest, now, budget) if suggest else 0
    return introduced, planned


async def plan_workspace(
    services: Services,
    workspace_id: int,
    people: Sequence[Recipient],
    now: datetime,
    budget: float,
) -> int:
    snapshot = await snapshot_cache(services).get(services, workspace_id, now)
    deadline = time.monotonic() + budget
    ids = [person.person_id for person in people]
    random.Random(now.timestamp()).shuffle(ids)
    context = await services.database.read(
        lambda session: load_context(
            session,
            workspace_id,
            ids,
            now,
            consent_mode=services.settings.consent_mode,
            ranked_as_of=snapshot.as_of,
        )
    )
    settings = services.settings
    by_id = {person.person_id: person for person in people}
    payloads = SuggestionPayloads(context, settings.default_locale)  # shared by every chunk
    write = partial(
        write_all, services, recipients=by_id, context=context, now=now, payloads=payloads
    )
    planned, writing = 0, None
    try:
        for start in range(0, len(ids), CHUNK):  # a chunk is written while the next is ranked
            if time.monotonic() > deadline:
                break
            picks = await asyncio.to_thread(
                rank_people,
                snapshot,
                ids[start : start + CHUNK],
                context,
                settings.social_proof_min,
                deadline,
                settings.min_group_size,
            )
            if writing is not None:
                planned += await writing
            writing = asyncio.ensure_future(write(picks))
        return planned + (await writing if writing is not None else 0)
    finally:
        if writing is not None and not writing.done():  # ranking failed: let the write end
            await asyncio.wait([writing])


def rank_people(
    snapshot: Snapshot,
    people: Sequence[int],
    context: WorkspaceContext,
    social_proof_min: int,
    deadline: float = float("inf"),
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> list[Pick]:
    """One pick per person who has a candidate left, `CHUNK` people at a time until the
    deadline: the best community not excluded (recently suggested, hidden, joined since)."""
    model = model_for(snapshot, snapshot.as_of)
    picks = []
    for start in range(0, len(people), CHUNK):
        if time.monotonic() > deadline:
            break
        part = people[start : start + CHUNK]
        ranked = recommend_many(
            model,
            part,
            1,
            [context.boosts_for(person) for person in part],
            [context.excluded.get(person, set()) for person in part],
            social_proof_min=social_proof_min,
            min_group_size=min_group_size,
        )
        for person, suggestions in zip(part, ranked, strict=True):
            chosen = pick(person, suggestions, set())
            if chosen is not None:
                picks.append(chosen)
    return picks


class Ranked(Protocol):
    """What the planner needs from a recommendation (`nudges.recommend.Suggestion`)."""

    @property
    def community(self) -> int: ...

    @property
    def score(self) -> float: ...

    @property
    def sentence(self) -> Mapping[Language, str]: ...

    def reasons_data(self) -> list[dict[str, Any]]: ...


@dataclass(frozen=True, slots=True)
class Pick:
    person_id: int
    community_id: int
    score: float
    reasons: list[dict[str, Any]]
    sentence: Mapping[Language, str]

    @property
    def rhythm(self) -> tuple[str, int] | None:
        """(label, active weeks of the last 12) from the `rhythm` reason, when given."""
        for reason in self.reasons:
            if reason.get("code") == "rhythm" and isinstance(reason.get("value"), str):
                return str(reason["value"]), int(reason.get("active_weeks", 0))
        return None


def pick(person_id: int, ranked: Sequence[Ranked], excluded: set[int]) -> Pick | None:
    """The best community not excluded (recently suggested, hidden, joined since)."""
    for item in ranked:
        if item.community not in excluded:
            return Pick(person_id, item.community, item.score, item.reasons_data(), item.sentence)
    return None


TTL = timedelta(hours=1)


@dataclass
class SnapshotCache:
    ttl: timedelta = TTL
    _entries: dict[int, Snapshot] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def get(self, services: Services, workspace_id: int, now: datetime) -> Snapshot:
        async with self._lock:
            snapshot = self._entries.get(workspace_id)
            if snapshot is None or not now - self.ttl <= snapshot.as_of <= now:
                snapshot = await services.database.read(partial(_read, workspace_id, now))
                await asyncio.to_thread(model_for, snapshot, snapshot.as_of)
                self._entries[workspace_id] = snapshot
            return snapshot


def _read(workspace_id: int, now: datetime, session: Session) -> Snapshot:
    with gc_paused():
        return read_snapshot(session, workspace_id, now).snapshot


def snapshot_cache(services: Services) -> SnapshotCache:
    """The snapshots these services planned from lately (one cache per `Services`)."""
    return services.caches.get(SnapshotCache)


_lock = threading.Lock()
_state = {"pauses": 0, "was_enabled": 0}


@contextmanager
def gc_paused() -> Iterator[None]:
    with _lock:
        if _state["pauses"] == 0:
            _state["was_enabled"] = int(gc.isenabled())
            gc.disable()
        _state["pauses"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["pauses"] -= 1
            if _state["pauses"] == 0 and _state["was_enabled"]:
                gc.enable()
