"""Following people who chose to be followable: `showcase on|off`, `follow @person`.

A person is followable only by their own choice (animators are asked once, never enrolled).
Their followers' digests show where they contributed publicly each week, as counts and
thread links. Nobody is told who follows them; they may see how many do, from the minimum
group size up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from bot.cards import Actions, Card, Heading, Paragraph
from bot.commands import CommandError, Context, figure
from bot.commands.lookup import find_person, person_token
from bot.commands.preferences import follower_count
from bot.i18n import Translator
from bot.metrics.definitions import count
from bot.services import Services
from bot.storage.models import Person, PersonFollow, Showcase
from bot.storage.tables import ANIMATOR, PERSON_FOLLOW, PREFERENCE, SHOWCASE, WORKSPACE
from nudges.cards import command_button
from nudges.outbox import card_to_data
from nudges.planner.write import TRANSLATORS, insert_outbox, language_of, outbox_row
from nudges.policy.consent import ASK_KIND, load_recipients


def display(person: Person) -> str:
    return person.display_name or person.external_id


def is_followable(session: Session, person_id: int) -> bool:
    showcase = session.get(Showcase, person_id)
    return showcase is not None and showcase.followable


def followed_people(session: Session, follower_ids: list[int]) -> dict[int, list[Person]]:
    """Whom each person follows, among those still followable."""
    if not follower_ids:
        return {}
    query = (
        select(PERSON_FOLLOW.c.follower_id, Person)
        .join(Person, col(Person.id) == PERSON_FOLLOW.c.followed_id)
        .join(SHOWCASE, SHOWCASE.c.person_id == PERSON_FOLLOW.c.followed_id)
        .where(
            PERSON_FOLLOW.c.follower_id.in_(follower_ids),
            SHOWCASE.c.followable.is_(True),
            col(Person.deleted).is_(False),
        )
        .order_by(PERSON_FOLLOW.c.follower_id, col(Person.display_name))
    )
    found: dict[int, list[Person]] = {}
    for follower_id, person in session.exec(query):
        found.setdefault(follower_id, []).append(person)
    return found


async def showcase_command(context: Context, args: list[str]) -> Card:
    verb = args[0].lower() if args else "status"
    if verb not in ("on", "off", "status"):
        raise CommandError("showcase.bad")
    now = context.services.clock()

    def apply(session: Session) -> tuple[bool, int]:
        showcase = session.get(Showcase, context.person_id)
        if verb != "status":
            if showcase is None:
                showcase = Showcase(person_id=context.person_id)
            showcase.followable, showcase.updated_at = verb == "on", now
            session.add(showcase)
            if verb == "off":
                session.connection().execute(
                    delete(PERSON_FOLLOW).where(PERSON_FOLLOW.c.followed_id == context.person_id)
                )
        followable = showcase is not None and showcase.followable
        return followable, follower_count(session, context.person_id) or 0

    followable, followers = await context.services.database.write(apply)
    t = context.t
    if not followable:
        key = "showcase.off_done" if verb == "off" else "showcase.off_status"
        on = command_button(t("showcase.turn_on"), "showcase", "on", style="primary")
        return Card((Paragraph(t(key)), Paragraph(t("showcase.explain")), Actions((on,))))
    key = "showcase.on_done" if verb == "on" else "showcase.on_status"
    shown = figure(t, count(followers, context.minimum))
    off = command_button(t("showcase.turn_off"), "showcase", "off")
    return Card(
        (
            Paragraph(t(key)),
            Paragraph(t("showcase.followers", count=shown)),
            Paragraph(t("showcase.explain")),
            Actions((off,)),
        )
    )


async def follow_person_command(context: Context, args: list[str]) -> Card:
    """`follow @person`: only someone who chose to be followable, never oneself."""
    now = context.services.clock()

    def apply(session: Session) -> tuple[str, Person]:
        person = find_person(session, context.workspace_id, " ".join(args))
        assert person.id is not None
        if person.id == context.person_id:
            return "self", person
        if not is_followable(session, person.id):
            return "refused", person
        if session.get(PersonFollow, (context.person_id, person.id)) is not None:
            return "already", person
        session.add(PersonFollow(follower_id=context.person_id, followed_id=person.id, since=now))
        return "done", person

    outcome, person = await context.services.database.write(apply)
    t = context.t
    text = Paragraph(t(f"follow_person.{outcome}", person=display(person)))
    if outcome not in ("done", "already"):
        return Card((text,))
    undo = command_button(t("follow_person.undo"), "unfollow", _token(person))
    return Card((text, Actions((undo,))))


async def unfollow_person_command(context: Context, args: list[str]) -> Card:
    def apply(session: Session) -> tuple[bool, Person]:
        person = find_person(session, context.workspace_id, " ".join(args))
        follow = session.get(PersonFollow, (context.person_id, person.id))
        if follow is None:
            return False, person
        session.delete(follow)
        return True, person

    done, person = await context.services.database.write(apply)
    key = "follow_person.unfollowed" if done else "follow_person.not_following"
    return Card((Paragraph(context.t(key, person=display(person))),))


def with_people(card: Card, t: Translator, names: str) -> Card:
    """The `following` card with the people one follows after its title."""
    line = Paragraph(t("follow_person.following", names=names))
    return Card((*card.blocks[:1], line, *card.blocks[1:]), card.fallback, card.private)


def _token(person: Person) -> str:
    return person_token(person.external_id, display(person))


async def ask_animators(services: Services) -> int:
    """Ask each animator once, in their send window, whether they want to be followable."""
    now = services.clock()
    due = await services.database.read(lambda session: _unasked(session, now))
    if not due:
        return 0
    return await services.database.write(lambda session: _ask(session, services, due, now))


def _unasked(session: Session, now: datetime) -> list[int]:
    animators = select(ANIMATOR.c.person_id).distinct()
    asked = select(SHOWCASE.c.person_id).where(SHOWCASE.c.asked_at.is_not(None))
    stopped = select(PREFERENCE.c.person_id).where(PREFERENCE.c.consent == "out")
    query = animators.where(
        ANIMATOR.c.person_id.not_in(asked), ANIMATOR.c.person_id.not_in(stopped)
    )
    ids = [person_id for (person_id,) in session.connection().execute(query)]
    recipients = load_recipients(session, now, started_only=False, person_ids=ids)
    return [r.person_id for r in recipients if r.standing.schedule.open_at(now)]


def _ask(session: Session, services: Services, due: list[int], now: datetime) -> int:
    recipients = load_recipients(session, now, started_only=False, person_ids=due)
    workspaces = {
        row.id: (row.platform, row.external_id)
        for row in session.connection().execute(WORKSPACE.select())
    }
    rows = []
    for recipient in recipients:
        showcase = session.get(Showcase, recipient.person_id)
        if showcase is not None and showcase.asked_at is not None:
            continue
        if showcase is None:
            showcase = Showcase(person_id=recipient.person_id)
        showcase.asked_at = now
        session.add(showcase)
        t = TRANSLATORS[language_of(recipient, services.settings.default_locale)]
        card = Card(
            (
                Heading(t("showcase.ask_title")),
                Paragraph(t("showcase.ask_body")),
                Paragraph(t("showcase.explain")),
                Actions(
                    (
                        command_button(t("showcase.turn_on"), "showcase", "on", style="primary"),
                        command_button(t("showcase.no_thanks"), "showcase", "off"),
                    )
                ),
            ),
            fallback=t("showcase.ask_title"),
        )
        platform, workspace = workspaces[recipient.workspace_id]
        payload: dict[str, Any] = {
            "platform": platform,
            "workspace": workspace,
            "person": recipient.external_id,
            "card": card_to_data(card),
        }
        key = f"{ASK_KIND}:{recipient.person_id}"
        rows.append(outbox_row(key, ASK_KIND, recipient.person_id, payload, now))
    session.flush()
    return len(insert_outbox(session, rows))
