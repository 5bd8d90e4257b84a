"""`animators list|add|remove`: who looks after a community, changed by animators or admins."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.animators.audit import Actor
from bot.animators.mentions import find_person
from bot.animators.roles import RoleError, add_animator, animator_ids, remove_animator
from bot.cards import Card, Heading, Paragraph
from bot.commands.context import CommandError, Context
from bot.commands.lookup import community_for
from bot.storage.models import Community, Person


def chat_actor(context: Context) -> Actor:
    return Actor(workspace_id=context.workspace_id, person_id=context.person_id, source="chat")


def refusal(context: Context, problem: RoleError) -> Card:
    return Card((Paragraph(context.t(problem.key, **problem.values)),))


async def animators_command(context: Context, args: list[str]) -> Card:
    verb = args[0].lower() if args else "list"
    if verb == "list":
        return await _list(context, args[1:])
    if verb not in ("add", "remove") or len(args) < 3:
        raise CommandError("animators.bad")
    admins = context.services.settings.admins
    change = add_animator if verb == "add" else remove_animator

    def apply(session: Session) -> tuple[bool, str, str]:
        person = find_person(session, context.workspace_id, " ".join(args[1:-1]))
        community = community_for(session, context, args[-1])
        changed = change(session, admins, chat_actor(context), person, community)
        return changed, _name(person), community.name or community.external_id

    try:
        changed, person, community = await context.services.database.write(apply)
    except RoleError as problem:
        return refusal(context, problem)
    outcome = "done" if changed else "unchanged"
    return Card(
        (Paragraph(context.t(f"animators.{verb}_{outcome}", person=person, name=community)),)
    )


async def _list(context: Context, args: list[str]) -> Card:
    reference = " ".join(args) or context.asker.community
    if not reference:
        raise CommandError("animators.which")

    def load(session: Session) -> tuple[Community, list[str]]:
        community = community_for(session, context, reference)
        ids = animator_ids(session, community)
        people = session.exec(select(Person).where(Person.id.in_(ids)))  # type: ignore[union-attr]
        return community, sorted(_name(person) for person in people)

    community, names = await context.services.database.read(load)
    t = context.t
    name = community.name or community.external_id
    if not names:
        return Card((Paragraph(t("animators.none", name=name)),))
    return Card(
        (Heading(t("animators.title", name=name)), Paragraph(", ".join(names))),
        fallback=t("animators.title", name=name),
    )


def _name(person: Person) -> str:
    return person.display_name or person.external_id
