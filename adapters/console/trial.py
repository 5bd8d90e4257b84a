"""The demo's people: they ask for suggestions and answer them through the command router,
exactly as they would by typing or clicking on Slack or Teams."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from adapters.console.render import render
from bot.cards import Card
from bot.commands import Asker, Router
from bot.metrics.funnel import FunnelFigures, funnel
from bot.services import Services
from bot.storage.models import Person, Suggestion, Workspace
from bot.storage.tables import DAILY_ACTIVITY

ANSWERS = ("follow", "join", "never")
SPREAD = 7
"""Shown people are picked across the activity range, not only the most active."""


@dataclass(frozen=True)
class Trial:
    person: str
    suggestion: Card
    reasons: list[dict[str, Any]]
    answer: str
    reply: Card


async def run_trials(
    services: Services, router: Router, workspace: Workspace, wanted: int, crowd: int
) -> list[Trial]:
    """`wanted + crowd` people start suggestions, ask for one and answer it (follow, join,
    not interested, in turn; one in four of the crowd does not answer). The first `wanted`
    trials are returned to be shown; the crowd only feeds the funnel."""
    assert workspace.id is not None
    workspace_id = workspace.id
    active = await services.database.read(lambda s: _active_people(s, workspace_id))
    people = active[::SPREAD] + [p for i, p in enumerate(active) if i % SPREAD]
    trials: list[Trial] = []
    answered = 0
    for person in people:
        if answered >= wanted + crowd:
            break
        asker = Asker(workspace.platform, workspace.external_id, person.external_id)
        await router.handle(asker, "start")
        card = await router.handle(asker, "suggest")
        choices = render(card).choices
        if not any(line.startswith("follow ") for line in choices):
            continue
        answered += 1
        answer = ANSWERS[(answered - 1) % len(ANSWERS)]
        if answered > wanted and answered % 4 == 0:
            continue
        line = next(line for line in choices if line.split()[0] == answer)
        reply = await router.handle(asker, line)
        if len(trials) < wanted:
            reasons = await services.database.read(partial(_reasons, line=line))
            name = person.display_name or person.external_id
            trials.append(Trial(name, card, reasons, answer, reply))
    return trials


def _active_people(session: Session, workspace_id: int) -> list[Person]:
    """People with the most recorded activity first (their suggestions have most to say)."""
    days = func.count().label("days")
    query = (
        select(DAILY_ACTIVITY.c.person_id, days)
        .group_by(DAILY_ACTIVITY.c.person_id)
        .order_by(days.desc(), DAILY_ACTIVITY.c.person_id)
    )
    people = []
    for person_id, _days in session.connection().execute(query):
        person = session.get(Person, person_id)
        if (
            person is not None
            and person.workspace_id == workspace_id
            and not (person.is_bot or person.deleted)
        ):
            people.append(person)
    return people


def _reasons(session: Session, line: str) -> list[dict[str, Any]]:
    words = line.split()
    suggestion_id = int(words[words.index("--suggestion") + 1])
    suggestion = session.get(Suggestion, suggestion_id)
    return list(suggestion.reasons) if suggestion is not None else []


def funnel_figures(session: Session, services: Services, workspace_id: int) -> FunnelFigures:
    counts = funnel(session, workspace_id, services.today())
    return FunnelFigures.of(counts, services.settings.min_group_size)
