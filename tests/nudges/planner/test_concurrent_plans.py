"""Plans that overlap (the leader's pass, an operator's `engage run-job plan`, a resumed
former leader) still give nobody more than their weekly budget: the database enforces it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlmodel import Session, select

from bot.services import Services
from bot.storage.models import Outbox, Suggestion, Workspace
from nudges.planner.job import plan, plan_lease, plan_workspace
from nudges.policy.consent import NOT_COUNTED, load_recipients
from tests.support.live_workspace import load_live_crowd
from tests.support.processes import start_engage

PLANNERS = 4


def queued_per_person(session: Session) -> tuple[Counter[int], Counter[int]]:
    """Suggestions that count against the budget, and suggestion outbox rows, per person."""
    counted = Counter(
        row.person_id for row in session.exec(select(Suggestion)) if row.state not in NOT_COUNTED
    )
    queued = Counter(
        row.person_id for row in session.exec(select(Outbox).where(Outbox.kind == "suggestion"))
    )
    return counted, queued


async def test_plan_processes_started_together_queue_one_suggestion_per_person(
    services: Services, database_url: str, tmp_path: Path
) -> None:
    due = await load_live_crowd(services, people=400, communities=40)
    env = {"ENGAGE_DATABASE_URL": database_url, "ENGAGE_MAX_PER_WEEK": "1"}
    planners = [
        await start_engage("run-job", "plan", env=env, cwd=str(tmp_path)) for _ in range(PLANNERS)
    ]
    for planner in planners:
        code, log = await planner.finish(within=120)
        assert code == 0, log
    counted, queued = await services.database.read(queued_per_person)
    assert len(counted) == len(queued) == due
    assert max(counted.values()) == max(queued.values()) == 1


async def test_a_pass_that_read_the_budget_before_another_pass_wrote_queues_no_more(
    services: Services,
) -> None:
    """A second pass read everyone's budget (nothing this week) before the first queued
    anything, then ranked after it: the first pass's suggestions are now exclusions, so
    it picks everyone's next community, under another dedup key."""
    due = await load_live_crowd(services, people=400, communities=40)
    now = services.clock()
    stale = await services.database.read(
        lambda session: load_recipients(session, now, started_only=True, open_only=True)
    )
    first = await plan(services)
    assert first.startswith(f"planned {due} suggestion(s)")
    workspace_id = stale[0].workspace_id
    assert await plan_workspace(services, workspace_id, stale, now, budget=45.0) == 0
    counted, queued = await services.database.read(queued_per_person)
    assert len(counted) == len(queued) == due
    assert max(counted.values()) == max(queued.values()) == 1


async def test_a_pass_skips_a_workspace_that_another_pass_is_planning(
    services: Services,
) -> None:
    due = await load_live_crowd(services, people=30, communities=10)
    workspace_id = await services.database.read(
        lambda session: session.exec(select(Workspace.id)).one()
    )
    assert workspace_id is not None
    async with plan_lease(services, workspace_id) as held:
        assert held
        async with plan_lease(services, workspace_id) as again:
            assert not again
        skipped = await plan(services)
    assert skipped.startswith("planned 0 suggestion(s)")
    assert skipped.endswith("1 workspace(s) skipped: another pass is planning them")
    assert (await plan(services)).startswith(f"planned {due} suggestion(s)")
