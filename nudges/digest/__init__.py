"""The weekly follow digest: counts and links about the communities a person follows.

`nudges.digest.card` says what a digest shows; this module is the `digest` job (hourly):
each follower's weekly digest, once a week, in their window.

Outbox key `digest:<person>:<ISO week>`, so running it every hour sends it once; it goes
out at the first hour of the week inside the person's send window, outside quiet hours,
on a local day without a suggestion or introduction — never after `stop`, never while
paused (`nudges.policy.decide_digest`; checked again at send time).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from bot.delivery import Gateway, ThreadLinks
from bot.i18n import Told
from bot.services import Services
from bot.storage.tables import MEMBERSHIP, OUTBOX, WORKSPACE
from nudges.digest.card import (
    CommunityWeek,
    Extras,
    Linker,
    community_weeks,
    digest_card,
    load_extras,
    person_followers,
    with_examples,
)
from nudges.outbox import card_to_data
from nudges.planner.write import TRANSLATORS, insert_outbox, language_of, outbox_row
from nudges.policy import Verdict, decide_digest
from nudges.policy.consent import DIGEST_KIND, Recipient, load_recipients

Due = list[tuple[Recipient, list[int]]]
Workspaces = dict[int, tuple[str, str]]
"""Workspace id -> (platform, external id)."""
Links = dict[tuple[str, str, str, str], str]
"""(platform, workspace, community, thread key) -> link."""
Found = tuple[Due, dict[int, CommunityWeek], Workspaces, Extras]


def digest_key(person_id: int, week: str) -> str:
    return f"{DIGEST_KIND}:{person_id}:{week}"


async def digest(services: Services) -> str:
    now = services.clock()
    minimum = services.settings.min_group_size
    found = await services.database.read(lambda session: _due(session, now, minimum))
    if found is None:
        return Told("job.digest", count=0)
    links = await _thread_links(services, found)
    written = await services.database.write(
        lambda session: _queue(session, services, found, links, now)
    )
    return Told("job.digest", count=written)


def _due(session: Session, now: datetime, minimum: int) -> Found | None:
    follows: defaultdict[int, list[int]] = defaultdict(list)
    query = select(MEMBERSHIP.c.person_id, MEMBERSHIP.c.community_id).where(
        MEMBERSHIP.c.state == "follower"
    )
    for person_id, community_id in session.connection().execute(query):
        follows[person_id].append(community_id)
    for person_id in person_followers(session):
        follows.setdefault(person_id, [])
    if not follows:
        return None
    recent = select(OUTBOX.c.dedup_key).where(
        OUTBOX.c.kind == DIGEST_KIND, OUTBOX.c.created_at >= now - timedelta(days=8)
    )
    queued = {key for (key,) in session.connection().execute(recent)}
    due = []
    for recipient in load_recipients(session, now, started_only=False, person_ids=follows):
        schedule = recipient.standing.schedule
        key = digest_key(recipient.person_id, schedule.week(now))
        if key not in queued and decide_digest(recipient.standing, now) is Verdict.DIGEST:
            due.append((recipient, sorted(follows[recipient.person_id])))
    if not due:
        return None
    communities = {c for _, followed in due for c in followed}
    weeks = community_weeks(session, communities, now.date(), minimum)
    workspaces = {
        row.id: (row.platform, row.external_id)
        for row in session.connection().execute(select(WORKSPACE))
    }
    people = [recipient.person_id for recipient, _ in due]
    extras = load_extras(session, people, communities, now.date(), minimum)
    return due, weeks, workspaces, extras


async def _thread_links(services: Services, found: Found) -> Links:
    """A link to each thread shown (top threads, examples, followed people's threads), from
    the gateway (a Slack permalink, a Teams message link), asked once per thread."""
    due, weeks, workspaces, extras = found
    wanted: set[tuple[str, str, str, str]] = set()
    for recipient, followed in due:
        where = workspaces[recipient.workspace_id]
        for c in (c for c in followed if c in weeks):
            wanted.update((*where, weeks[c].external_id, thread.key) for thread in weeks[c].threads)
            example = extras.examples.get(c)
            if example is not None and example.thread is not None:
                wanted.add((*where, weeks[c].external_id, example.thread.key))
        for person in extras.people.get(recipient.person_id, []):
            for item in extras.contributions.get(person.id or 0, ()):
                wanted.update((*where, item.community, thread) for thread in item.threads)
    links: Links = {}
    for key in sorted(wanted):
        platform, workspace, community, thread = key
        gateway = services.gateways.get(platform)
        if isinstance(gateway, ThreadLinks):
            links[key] = await gateway.thread_link(workspace, community, thread)
    return links


def _queue(
    session: Session,
    services: Services,
    found: Found,
    links: Links,
    now: datetime,
) -> int:
    minimum = services.settings.min_group_size
    due, weeks, workspaces, extras = found
    rows = []
    for recipient, followed in due:
        platform, workspace = workspaces[recipient.workspace_id]
        t = TRANSLATORS[language_of(recipient, services.settings.default_locale)]
        shown = [weeks[c] for c in followed if c in weeks]
        if not shown and not extras.people.get(recipient.person_id):
            continue
        link = _linker(services.gateways.get(platform), platform, workspace, links)
        card = digest_card(t, shown, link, minimum)
        card = with_examples(card, t, shown, extras, recipient.person_id, link, minimum)
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
        rows.append(outbox_row(key, DIGEST_KIND, recipient.person_id, payload, now))
    return len(insert_outbox(session, rows))


def _linker(gateway: Gateway | None, platform: str, workspace: str, links: Links) -> Linker:
    def link(community: str, thread: str) -> str | None:
        found = links.get((platform, workspace, community, thread))
        if found is None and gateway is not None:
            return gateway.community_link(workspace, community)
        return found

    return link
