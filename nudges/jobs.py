"""The suggestion engine's jobs (plan, deliver, digest) and, with the core's, every job
the scheduler, `engage run-job` and the console's `tick` run.

Each job is `async def job(services) -> str` returning a one-line summary.
"""

from __future__ import annotations

from collections import Counter

from bot.campaigns.store import end_expired
from bot.cli.jobs import Job, core_jobs
from bot.i18n import Told
from bot.services import Services
from nudges.actions.next_step import ask_to_join
from nudges.actions.people import ask_animators
from nudges.digest import digest
from nudges.outbox.worker import DeliveryWorker
from nudges.planner.job import plan
from nudges.policy.consent import send_check


async def deliver(services: Services) -> str:
    """Send every outbox message that is due, through the installed gateways."""
    if not services.gateways:
        return Told("job.deliver.no_gateway")
    worker = DeliveryWorker(services, may_send=send_check(services.settings, services.clock))
    outcomes = await worker.run()
    services.deliveries.update(outcomes)
    return describe(outcomes)


def describe(outcomes: Counter[str]) -> str:
    states = ("sent", "pending", "dead", "unknown", "cancelled")
    counts = {state: outcomes[state] for state in states}
    if outcomes["error"]:
        return Told("job.deliver.done_with_errors", **counts, error=outcomes["error"])
    return Told("job.deliver.done", **counts)


async def plan_with_campaigns(services: Services) -> str:
    """End campaigns past their end date; then the "Join?" cards of long-time followers,
    before this round's suggestions (the next step of a follow comes first in the week's
    budget); then the one question to new animators."""
    now = services.clock()
    ended = await services.database.write(lambda session: end_expired(session, now))
    joins = await ask_to_join(services)
    planned = await plan(services)
    summary: str = (
        Told("job.plan.campaigns_ended", summary=planned, ended=ended) if ended else planned
    )
    if joins:
        summary = Told("job.plan.joins_asked", summary=summary, joins=joins)
    if asked := await ask_animators(services):
        summary = Told("job.plan.animators_asked", summary=summary, asked=asked)
    return summary


def nudges_jobs() -> dict[str, Job]:
    """The suggestion engine's jobs."""
    return {"plan": plan_with_campaigns, "deliver": deliver, "digest": digest}


def all_jobs() -> dict[str, Job]:
    """The core's jobs (fold, retention, roster) and the engine's (deliver, plan, digest)."""
    return {**core_jobs(), **nudges_jobs()}
