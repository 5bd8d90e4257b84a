"""`animators list|add|remove`: who looks after a community, changed by animators or admins;
`community`: a community's own settings (pitch, never suggest, welcome line)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from bot.animators.audit import Actor
from bot.animators.community_settings import (
    FIELDS,
    FORM_ACTION,
    SettingError,
    form_fields,
    save_settings,
    settings_of,
)
from bot.animators.roles import (
    RoleError,
    add_animator,
    animator_ids,
    may_configure,
    remove_animator,
)
from bot.campaigns.form import FormField
from bot.cards import Actions, Block, Button, Card, Facts, Heading, Paragraph
from bot.commands import CommandError, Context
from bot.commands.lookup import community_for, find_person
from bot.i18n import Translator
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


async def community_command(context: Context, args: list[str]) -> Card:
    """`community #c` shows its settings; `community #c pitch="…" never_suggest=on
    welcome="…"` changes them (animators of #c and admins)."""
    if not args and not context.asker.community:
        raise CommandError("promises.which")
    reference = args[0] if args else context.asker.community or ""
    values = {}
    for word in args[1:]:
        key, equals, value = word.partition("=")
        if not equals:
            raise CommandError("promises.bad_pair", word=word)
        values[key] = value
    admins = context.services.settings.admins

    def apply(session: Session) -> tuple[Community, list[str], bool]:
        community = community_for(session, context, reference)
        changed = save_settings(session, admins, chat_actor(context), community, values)
        allowed = may_configure(session, admins, chat_actor(context), community)
        return community, changed, allowed

    def show(session: Session) -> tuple[Community, list[str], bool]:
        community = community_for(session, context, reference)
        return community, [], may_configure(session, admins, chat_actor(context), community)

    try:
        community, changed, allowed = await context.services.database.write(
            apply if values else show
        )
    except RoleError as problem:
        return refusal(context, problem)
    except SettingError as problem:
        raise CommandError(problem.key, **problem.values) from None
    return settings_card(context.t, community, changed if values else None, allowed)


def settings_card(
    t: Translator, community: Community, changed: list[str] | None, may_edit: bool
) -> Card:
    """The community's settings; `changed` after a change (empty: nothing to change)."""
    name = community.name or community.external_id
    title = t("promises.settings_title", name=name)
    settings = settings_of(community)
    none = t("figure.none")
    facts = (
        (t("promises.field.pitch"), settings.pitch or none),
        (
            t("promises.field.never_suggest"),
            t(f"promises.{'yes' if settings.never_suggest else 'no'}"),
        ),
        (t("promises.field.welcome"), settings.welcome or none),
    )
    blocks: list[Block] = [Heading(title)]
    if changed is not None:
        fields = ", ".join(t(f"promises.field.{field}") for field in changed)
        blocks.append(
            Paragraph(t("promises.saved", fields=fields) if changed else t("promises.unchanged"))
        )
    blocks.append(Facts(facts))
    if may_edit:
        blocks.append(Paragraph(t("promises.how_to_set", name=name)))
        blocks.append(
            Actions((Button(t("promises.open_form"), FORM_ACTION, community.external_id),))
        )
    return Card(tuple(blocks), fallback=title)


@dataclass(frozen=True)
class SettingsForm:
    """What the adapters need to show the settings form of one community."""

    community: str
    title: str
    fields: tuple[FormField, ...]


async def open_settings_form(context: Context, reference: str) -> SettingsForm | Card:
    """The form for an animator (or admin); for anyone else, the refusal to show instead."""
    admins = context.services.settings.admins

    def load(session: Session) -> SettingsForm | Card:
        community = community_for(session, context, reference)
        if not may_configure(session, admins, chat_actor(context), community):
            name = community.name or community.external_id
            return Card((Paragraph(context.t("promises.refused", name=name)),))
        return SettingsForm(
            community.external_id,
            context.t("promises.form_title"),
            form_fields(context.t, community),
        )

    try:
        return await context.services.database.read(load)
    except CommandError as problem:
        return Card((Paragraph(context.t(problem.key, **problem.values)),))


async def submit_settings_form(
    context: Context, reference: str, values: dict[str, object]
) -> tuple[dict[str, str], Card | None]:
    """Save what the form gave: (messages by field, None), or (no message, the new settings)."""
    admins = context.services.settings.admins
    wanted = {name: values.get(name, "") for name in FIELDS}

    def apply(session: Session) -> tuple[Community, list[str]]:
        community = community_for(session, context, reference)
        return community, save_settings(session, admins, chat_actor(context), community, wanted)

    t = context.t
    try:
        community, changed = await context.services.database.write(apply)
    except (RoleError, SettingError, CommandError) as problem:
        field = problem.values.get("field")
        return {field if field in FIELDS else FIELDS[0]: t(problem.key, **problem.values)}, None
    return {}, settings_card(t, community, changed, may_edit=True)
