"""The `plan` job: who gets what, now. Run by the scheduler leader every 15 minutes.

1. Move earlier suggestions along (delivered, ignored -> back-off, joined, first post).
2. Decide for every person with consent whether their budget and local window allow a
   message now: an introduction (opt-out mode, first) or a suggestion.
3. Rank communities for those people, one workspace at a time, and queue one card each.

Ranking is CPU work, done off the event loop and bounded by `budget` seconds per pass and
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
from nudges.planner.enqueue import BATCH
from nudges.planner.write import write_introductions, write_picks
from nudges.policy.lifecycle import advance
from nudges.policy.rules import Verdict, decide
from nudges.policy.standing import Recipient, load_recipients
from nudges.recommend import Snapshot, recommend
from nudges.recommend.explain import DEFAULT_MIN_GROUP_SIZE

PASS_BUDGET = 45.0


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
    picks = await asyncio.to_thread(
        rank_people,
        snapshot,
        ids,
        context,
        settings.social_proof_min,
        deadline,
        settings.min_group_size,
    )
    by_id = {person.person_id: person for person in people}
    planned = 0
    for start in range(0, len(picks), BATCH):
        planned += await services.database.write(
            partial(
                write_picks,
                picks=picks[start : start + BATCH],
                recipients=by_id,
                context=context,
                settings=services.settings,
                now=now,
            )
        )
    return planned


def rank_people(
    snapshot: Snapshot,
    people: Sequence[int],
    context: WorkspaceContext,
    social_proof_min: int,
    deadline: float = float("inf"),
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> list[Pick]:
    """One pick per person who has a candidate left, until the deadline."""
    picks = []
    for person in people:
        if time.monotonic() > deadline:
            break
        excluded = context.excluded.get(person, set())
        ranked = recommend(
            snapshot,
            person,
            snapshot.as_of,
            1 + len(excluded),
            context.boosts_for(person),
            social_proof_min=social_proof_min,
            min_group_size=min_group_size,
        )
        chosen = pick(person, ranked, excluded)
        if chosen is not None:
            picks.append(chosen)
    return picks
