"""The `plan` job: who gets what, now. Run by the scheduler leader every 15 minutes.

1. Move earlier suggestions along (delivered, ignored -> back-off, joined, first post).
2. Decide for every person with consent whether their budget and local window allow a
   message now: an introduction (opt-out mode, first) or a suggestion.
3. Rank communities for those people, one workspace at a time, and queue one card each.

Ranking is CPU work, done off the event loop, `CHUNK` people at a time (each chunk's cards
are written while the next is ranked), and bounded by `budget` seconds per pass and
workspace: whoever is not reached waits for the next pass (their window lasts hours;
passes come every 15 minutes), in a new random order so nobody is always last.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from functools import partial

from bot.services import Services
from nudges.planner.cache import snapshot_cache
from nudges.planner.choose import Pick, pick
from nudges.planner.context import WorkspaceContext, load_context
from nudges.planner.payloads import SuggestionPayloads
from nudges.planner.write import write_all, write_introductions
from nudges.policy.lifecycle import advance
from nudges.policy.rules import Verdict, decide
from nudges.policy.standing import Recipient, load_recipients
from nudges.recommend import Snapshot
from nudges.recommend.explain import DEFAULT_MIN_GROUP_SIZE
from nudges.recommend.rank import model_for, recommend_many

PASS_BUDGET = 45.0
CHUNK = 10_000
"""People ranked between two looks at the deadline (about 2 s of work at 100k x 5k)."""


async def plan(services: Services, budget: float = PASS_BUDGET) -> str:
    settings = services.settings
    now = services.clock()
    progress = await services.database.write(lambda session: advance(session, now))
    recipients = await services.database.read(
        lambda session: load_recipients(
            session, now, started_only=settings.consent_mode == "opt_in", open_only=True
        )
    )
    verdicts: Counter[Verdict] = Counter()
    introduce: list[Recipient] = []
    suggest: defaultdict[int, list[Recipient]] = defaultdict(list)
    for recipient in recipients:
        verdict = decide(
            recipient.standing, now, mode=settings.consent_mode, cap=settings.max_per_week
        )
        verdicts[verdict] += 1
        if verdict is Verdict.INTRODUCE:
            introduce.append(recipient)
        elif verdict is Verdict.SUGGEST:
            suggest[recipient.workspace_id].append(recipient)
    introduced = await services.database.write(
        lambda session: write_introductions(session, introduce, settings, now)
    )
    planned = 0
    for workspace_id, people in suggest.items():
        planned += await plan_workspace(services, workspace_id, people, now, budget)
    due = verdicts[Verdict.SUGGEST]
    return (
        f"planned {planned} suggestion(s) and {introduced} introduction(s) "
        f"for {due} person(s) due now ({due - planned} left for the next pass or without "
        f"a candidate); {progress.delivered} delivered, {progress.ignored} ignored, "
        f"{progress.paused} paused after ignoring, {progress.joined} joined"
    )


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
