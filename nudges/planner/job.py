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
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from functools import partial

from sqlmodel import col, select

from bot.i18n import Told
from bot.services import Services
from bot.storage.models import Workspace
from nudges.planner.cache import snapshot_cache
from nudges.planner.choose import Pick, pick
from nudges.planner.context import WorkspaceContext, load_context
from nudges.planner.payloads import SuggestionPayloads
from nudges.planner.write import write_all, write_introductions
from nudges.policy import Verdict, advance, decide
from nudges.policy.consent import Recipient, load_recipients
from nudges.recommend import Snapshot
from nudges.recommend.explain import DEFAULT_MIN_GROUP_SIZE
from nudges.recommend.rank import model_for, recommend_many
from nudges.scheduler.lease import release, try_lead

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
