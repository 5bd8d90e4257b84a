"""The weekly digest's card: for each followed community its week, and the examples.

For each followed community: rhythm, posts and contributors (counts only, with the same
suppression as the stats card), its most reacted threads as links (platform keys such as
`channel:ts`, never message text), its example of the week; and where the followable
people someone follows contributed publicly. Counts and links, never text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from bot.cards import Actions, Block, Button, Card, Facts, Heading, Paragraph
from bot.commands import community_name, figure, rhythm_word
from bot.commands.stats import example_blocks
from bot.i18n import Translator
from bot.metrics import CommunityStats, Suppressed, community_stats
from bot.metrics.definitions import last_full_week
from bot.metrics.example import Contribution, Example, contributions, examples
from bot.storage.models import Community, Person, Workspace
from bot.storage.tables import INBOX_EVENT, PERSON_FOLLOW
from nudges.actions.people import display, followed_people
from nudges.cards import command_button, follow_button

TOP_THREADS = 3
MAX_BUTTONS = 5
Linker = Callable[[str, str], str | None]
"""(community external id, thread key) -> a link to the thread, when one can be made."""
MAX_THREADS = 3


def digest_card(t: Translator, weeks: Sequence[CommunityWeek], link: Linker, minimum: int) -> Card:
    title = t("digest.title")
    blocks: list[Block] = [Heading(title), Paragraph(t("digest.intro"))]
    for week in weeks:
        name = community_name(t, week.name, week.external_id)
        blocks.append(Facts(((f"#{name}", _summary(t, week, minimum)),)))
        if week.pitch:
            blocks.append(Paragraph(t("promises.digest_pitch", pitch=week.pitch)))
        threads = [
            t("digest.thread", link=url, reactions=t.number(thread.reactions))
            for thread in week.threads
            if (url := link(week.external_id, thread.key))
        ]
        if threads:
            blocks.append(Paragraph(t("digest.threads", threads=" · ".join(threads))))
    blocks.append(Paragraph(t("digest.privacy")))
    buttons = [
        command_button(
            t("digest.unfollow", name=community_name(t, week.name, week.external_id)),
            "unfollow",
            week.external_id,
        )
        for week in weeks[:MAX_BUTTONS]
    ]
    buttons.append(command_button(t("digest.manage"), "following"))
    blocks.append(Actions(tuple(buttons)))
    return Card(tuple(blocks), fallback=title)


def _summary(t: Translator, week: CommunityWeek, minimum: int) -> str:
    stats = week.stats
    if isinstance(stats.weekly_posts, Suppressed) or isinstance(stats.rhythm, Suppressed):
        return t("digest.hidden", minimum=minimum)
    return t(
        "digest.summary",
        rhythm=rhythm_word(t, stats.rhythm),
        posts=t.number(stats.weekly_posts[-1]),
        contributors=figure(t, stats.contributors),
    )


def with_examples(
    card: Card,
    t: Translator,
    weeks: Sequence[CommunityWeek],
    extras: Extras,
    follower_id: int,
    link: Linker,
    minimum: int,
) -> Card:
    """The digest card with the examples added before its privacy note and buttons."""
    blocks: list[Block] = []
    buttons: list[Button] = []
    for week in weeks:
        explore = t("follow_example.explore", name=week.name)
        buttons.append(command_button(explore, "explore", week.external_id))
        example = extras.examples.get(week.community_id)
        if example is not None:
            blocks += example_blocks(t, week.name, week.external_id, example, link)
            buttons += [follow_button(t, a.external_id, a.name) for a in example.animators]
    for person in extras.people.get(follower_id, []):
        assert person.id is not None
        blocks += _person_blocks(t, display(person), extras.contributions.get(person.id, ()), link)
    if buttons:
        blocks.append(Actions(tuple(buttons[:MAX_BUTTONS])))
    if not blocks:
        return card
    head, tail = card.blocks[:-2], card.blocks[-2:]
    return Card((*head, *blocks, *tail), card.fallback, card.private, card.attachment)


def _person_blocks(
    t: Translator, name: str, items: tuple[Contribution, ...], link: Linker
) -> list[Block]:
    if not items:
        return [Facts(((name, t("follow_people.quiet")),))]
    places = " · ".join(
        t("follow_people.place", name=item.name, posts=t.number(item.posts)) for item in items
    )
    urls = [
        url for item in items for thread in item.threads if (url := link(item.community, thread))
    ][:MAX_THREADS]
    blocks: list[Block] = [Facts(((name, places),))]
    if urls:
        blocks.append(Paragraph(t("follow_people.threads", links=" · ".join(urls))))
    return blocks


@dataclass(frozen=True, slots=True)
class CommunityWeek:
    community_id: int
    external_id: str
    name: str
    stats: CommunityStats
    threads: tuple[Thread, ...]
    pitch: str | None = None
    """In its animators' words (`community set … pitch`)."""


@dataclass(frozen=True, slots=True)
class Thread:
    key: str
    reactions: int


def community_weeks(
    session: Session, community_ids: Iterable[int], today: date, minimum: int
) -> dict[int, CommunityWeek]:
    start, end = last_full_week(today)
    communities = {c: session.get(Community, c) for c in set(community_ids)}
    threads = _top_threads(session, [c for c in communities.values() if c is not None], start, end)
    weeks = {}
    for community_id, community in communities.items():
        if community is None or community.is_deleted:
            continue
        stats = community_stats(session, community_id, end, minimum)
        weeks[community_id] = CommunityWeek(
            community_id,
            community.external_id,
            community.name or community.external_id,
            stats,
            threads.get(community_id, ()),
            community.pitch,
        )
    return weeks


def _top_threads(
    session: Session, communities: list[Community], start: date, end: date
) -> dict[int, tuple[Thread, ...]]:
    """Threads with the most reactions in the week, from the raw events still kept."""
    if not communities:
        return {}
    workspaces = {
        w.id: w for w in (session.get(Workspace, c.workspace_id) for c in communities) if w
    }
    by_key = {}
    for community in communities:
        workspace = workspaces.get(community.workspace_id)
        if workspace is not None:
            by_key[(workspace.platform, workspace.external_id, community.external_id)] = (
                community.id
            )
    query = (
        select(
            INBOX_EVENT.c.platform,
            INBOX_EVENT.c.workspace,
            INBOX_EVENT.c.community,
            INBOX_EVENT.c.thread_key,
            func.count(),
        )
        .where(
            INBOX_EVENT.c.kind == "reaction_added",
            INBOX_EVENT.c.thread_key.is_not(None),
            INBOX_EVENT.c.community.in_({key[2] for key in by_key}),
            INBOX_EVENT.c.occurred_at >= datetime.combine(start, time(), UTC),
            INBOX_EVENT.c.occurred_at < datetime.combine(end + timedelta(days=1), time(), UTC),
        )
        .group_by(
            INBOX_EVENT.c.platform,
            INBOX_EVENT.c.workspace,
            INBOX_EVENT.c.community,
            INBOX_EVENT.c.thread_key,
        )
    )
    found: defaultdict[int, list[Thread]] = defaultdict(list)
    for platform, workspace, community, thread, count in session.connection().execute(query):
        community_id = by_key.get((platform, workspace, community))
        if community_id is not None:
            found[community_id].append(Thread(thread, int(count)))
    return {
        community_id: tuple(sorted(threads, key=lambda t: (-t.reactions, t.key))[:TOP_THREADS])
        for community_id, threads in found.items()
    }


@dataclass(frozen=True)
class Extras:
    examples: dict[int, Example]
    people: dict[int, list[Person]]
    contributions: dict[int, tuple[Contribution, ...]]


def load_extras(
    session: Session, followers: list[int], community_ids: set[int], today: date, minimum: int
) -> Extras:
    people = followed_people(session, followers)
    followed = {person.id for listed in people.values() for person in listed if person.id}
    return Extras(
        examples(session, community_ids, today, minimum),
        people,
        contributions(session, followed, today),
    )


def person_followers(session: Session) -> set[int]:
    """Everyone who follows at least one person (they get a digest too)."""
    return {row[0] for row in session.connection().execute(select(PERSON_FOLLOW.c.follower_id))}
