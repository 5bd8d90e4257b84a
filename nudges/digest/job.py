"""The `digest` job (hourly): each follower's weekly digest, once a week, in their window.

Outbox key `digest:<person>:<ISO week>`, so running it every hour sends it once; it goes
out at the first hour of the week inside the person's send window, outside quiet hours.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import Table, select
from sqlmodel import Session

from bot.delivery import Gateway
from bot.i18n import Told
from bot.services import Services
from bot.storage.models import Membership, Outbox, Workspace
from nudges.card_data import card_to_data
from nudges.digest.card import Linker, digest_card
from nudges.digest.figures import community_weeks
from nudges.planner.enqueue import insert_outbox, outbox_row
from nudges.planner.messages import TRANSLATORS, language_of
from nudges.policy.standing import Recipient, load_recipients

MEMBERSHIP: Table = Membership.__table__  # type: ignore[attr-defined]
OUTBOX: Table = Outbox.__table__  # type: ignore[attr-defined]
WORKSPACE: Table = Workspace.__table__  # type: ignore[attr-defined]
KIND = "digest"


@runtime_checkable
class ThreadLinks(Protocol):
    """A gateway that can link to one thread (optional beyond `Gateway`)."""

    def thread_link(self, workspace: str, community: str, thread_key: str) -> str: ...


def digest_key(person_id: int, week: str) -> str:
    return f"{KIND}:{person_id}:{week}"


async def digest(services: Services) -> str:
    now = services.clock()
    due = await services.database.read(lambda session: _due(session, now))
    if not due:
        return Told("job.digest", count=0)
    written = await services.database.write(lambda session: _queue(session, services, due, now))
    return Told("job.digest", count=written)


def _due(session: Session, now: datetime) -> list[tuple[Recipient, list[int]]]:
    follows: defaultdict[int, list[int]] = defaultdict(list)
    query = select(MEMBERSHIP.c.person_id, MEMBERSHIP.c.community_id).where(
        MEMBERSHIP.c.state == "follower"
    )
    for person_id, community_id in session.connection().execute(query):
        follows[person_id].append(community_id)
    if not follows:
        return []
    recent = select(OUTBOX.c.dedup_key).where(
        OUTBOX.c.kind == KIND, OUTBOX.c.created_at >= now - timedelta(days=8)
    )
    queued = {key for (key,) in session.connection().execute(recent)}
    due = []
    for recipient in load_recipients(session, now, started_only=False, person_ids=follows):
        schedule = recipient.standing.schedule
        key = digest_key(recipient.person_id, schedule.week(now))
        if schedule.open_at(now) and key not in queued:
            due.append((recipient, sorted(follows[recipient.person_id])))
    return due


def _queue(
    session: Session, services: Services, due: list[tuple[Recipient, list[int]]], now: datetime
) -> int:
    minimum = services.settings.min_group_size
    communities = {c for _, followed in due for c in followed}
    weeks = community_weeks(session, communities, now.date(), minimum)
    workspaces = {
        row.id: (row.platform, row.external_id)
        for row in session.connection().execute(select(WORKSPACE))
    }
    rows = []
    for recipient, followed in due:
        platform, workspace = workspaces[recipient.workspace_id]
        t = TRANSLATORS[language_of(recipient, services.settings.default_locale)]
        shown = [weeks[c] for c in followed if c in weeks]
        if not shown:
            continue
        link = _linker(services.gateways.get(platform), workspace)
        card = digest_card(t, shown, link, minimum)
        payload: dict[str, Any] = {
            "platform": platform,
            "workspace": workspace,
            "person": recipient.external_id,
            "community_ids": [week.community_id for week in shown],
            "threads": [
                {"community": week.external_id, "thread": thread.key, "reactions": thread.reactions}
                for week in shown
                for thread in week.threads
            ],
            "card": card_to_data(card),
        }
        key = digest_key(recipient.person_id, recipient.standing.schedule.week(now))
        rows.append(outbox_row(key, KIND, recipient.person_id, payload, now))
    return len(insert_outbox(session, rows))


def _linker(gateway: Gateway | None, workspace: str) -> Linker:
    def link(community: str, thread: str) -> str | None:
        if isinstance(gateway, ThreadLinks):
            return gateway.thread_link(workspace, community, thread)
        if gateway is not None:
            return gateway.community_link(workspace, community)
        return None

    return link
