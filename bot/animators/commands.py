"""`animators list|add|remove`: who looks after a community, changed by animators or admins;
`community`: a community's own settings (pitch, never suggest, welcome line), set by its
animators, admins or the operator."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import yaml
from sqlmodel import Session, select

from bot.animators.roles import (
    Actor,
    RoleError,
    add_animator,
    animator_ids,
    may_configure,
    record_audit,
    remove_animator,
)
from bot.campaigns.form import FormField
from bot.cards import Actions, Block, Button, Card, Facts, Heading, Paragraph
from bot.commands import CommandError, Context
from bot.commands.lookup import community_for, find_community, find_person
from bot.errors import EngageError
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


ENGLISH = Translator("en")

FIELDS = ("pitch", "never_suggest", "welcome")
FORM_ACTION = "engage.community.form"
"""The button that opens the settings form; its value is the community's external id."""
SUBMIT_ACTION = "engage.community.submit"
TEXT_MAX = 300
YES = frozenset({"on", "yes", "true", "1", "oui", "y"})
NO = frozenset({"off", "no", "false", "0", "non", "n", ""})
ALIASES = {
    "never-suggest": "never_suggest",
    "never": "never_suggest",
    "neversuggest": "never_suggest",
}


class SettingError(Exception):
    """A value an animator gave is not usable; `key` names the message (`promises.problem.*`)."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class CommunitySettings:
    pitch: str | None
    never_suggest: bool
    welcome: str | None


def settings_of(community: Community) -> CommunitySettings:
    return CommunitySettings(community.pitch, community.never_suggest, community.welcome)


def field_name(word: str) -> str:
    """The field a typed name means (`never-suggest` -> `never_suggest`), or SettingError."""
    name = ALIASES.get(word.lower(), word.lower())
    if name not in FIELDS:
        raise SettingError("promises.problem.unknown_field", field=word, fields=", ".join(FIELDS))
    return name


def parse_settings(values: Mapping[str, object]) -> dict[str, object]:
    """Field -> its value: text (None clears it) or a boolean; SettingError on the first bad one."""
    parsed: dict[str, object] = {}
    for word, value in values.items():
        name = field_name(word)
        if name == "never_suggest":
            parsed[name] = _boolean(value)
            continue
        text = "" if value is None else str(value).strip()
        if len(text) > TEXT_MAX:
            raise SettingError("promises.problem.too_long", field=name, most=TEXT_MAX)
        parsed[name] = text or None
    return parsed


def save_settings(
    session: Session,
    admins: Collection[str],
    actor: Actor,
    community: Community,
    values: Mapping[str, object],
) -> list[str]:
    """Apply `values` as `actor`; return the fields that changed (RoleError, SettingError)."""
    if not may_configure(session, admins, actor, community):
        raise RoleError("promises.refused", name=community.name or community.external_id)
    parsed = parse_settings(values)
    changed = [
        name for name in FIELDS if name in parsed and getattr(community, name) != parsed[name]
    ]
    if not changed:
        return []
    for name in changed:
        setattr(community, name, parsed[name])
    session.add(community)
    record_audit(
        session,
        actor,
        "community.settings",
        community_id=community.id,
        details={"changed": changed},
    )
    return changed


def _boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value if value is not None else "").strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise SettingError("promises.problem.not_boolean", value=str(value))


def apply_yaml(
    session: Session, actor: Actor, text: str, source: str, admins: Collection[str] = ()
) -> dict[str, list[str]]:
    """Every entry of a YAML file (`- community: general` with any of `pitch`,
    `never_suggest`, `welcome`), all or none; return community -> fields changed.
    A problem raises EngageError naming the file and entry; nothing is saved then."""
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as error:
        kind = type(error).__name__
        raise EngageError(f"{source}: not YAML ({kind}); nothing was saved") from None
    entries = loaded.get("communities") if isinstance(loaded, dict) else loaded
    if not isinstance(entries, list):
        raise EngageError(f"{source}: expected a list of communities; nothing was saved")
    changed: dict[str, list[str]] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"{source}: entry {number}"
        if not isinstance(entry, dict) or not isinstance(entry.get("community"), str):
            raise EngageError(f"{where}: expected `community: <name or id>`; nothing was saved")
        reference = entry["community"]
        values = {str(k): v for k, v in entry.items() if k != "community"}
        try:
            community = find_community(session, actor, reference, admins)
            changed[community.name or community.external_id] = save_settings(
                session, admins, actor, community, values
            )
        except (SettingError, RoleError, CommandError) as problem:
            message = ENGLISH(problem.key, **problem.values)
            raise EngageError(f"{where} ({reference}): {message}; nothing was saved") from None
    return changed


def form_fields(t: Translator, community: Community) -> tuple[FormField, ...]:
    """The settings form (Slack modal, Teams card), prefilled, in the person's language."""
    switch = (("on", t("promises.yes")), ("off", t("promises.no")))
    values = {
        "pitch": community.pitch or "",
        "never_suggest": "on" if community.never_suggest else "off",
        "welcome": community.welcome or "",
    }
    return tuple(
        FormField(
            name,
            t(f"promises.field.{name}"),
            "select" if name == "never_suggest" else "multiline",
            name == "never_suggest",
            t(f"promises.hint.{name}"),
            switch if name == "never_suggest" else (),
            values[name],
        )
        for name in FIELDS
    )
