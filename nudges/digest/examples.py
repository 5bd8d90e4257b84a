"""The digest's examples: each followed community's example of the week, and where the
followable people someone follows contributed publicly. Counts and links, never text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from bot.cards import Actions, Block, Button, Card, Facts, Paragraph
from bot.commands.stats import example_blocks
from bot.i18n import Translator
from bot.metrics.example import Contribution, Example, contributions, examples
from bot.storage.models import Person
from bot.storage.tables import PERSON_FOLLOW
from nudges.actions.people import display, followed_people
from nudges.cards import command_button, follow_button
from nudges.digest.card import Linker
from nudges.digest.figures import CommunityWeek

MAX_THREADS = 3
MAX_BUTTONS = 5


@dataclass(frozen=True)
class Extras:
    examples: dict[int, Example]
    people: dict[int, list[Person]]
    contributions: dict[int, tuple[Contribution, ...]]


def person_followers(session: Session) -> set[int]:
    """Everyone who follows at least one person (they get a digest too)."""
    return {row[0] for row in session.connection().execute(select(PERSON_FOLLOW.c.follower_id))}


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
