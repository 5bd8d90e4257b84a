"""A community's own settings, set by its animators (or admins, or the operator): a pitch
(on suggestion cards and in the digest), "never suggest" (the planner and `suggest` leave
the community out), and a welcome line sent to people who join after a suggestion.

Every way in (chat, the form, the CLI, a YAML file) goes through `save_settings`: one
validation, one role check, one audit row (which fields changed, never their words).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import yaml
from sqlmodel import Session

from bot.animators.audit import Actor, record_audit
from bot.animators.roles import RoleError, may_configure
from bot.campaigns.form import FormField
from bot.commands import CommandError
from bot.commands.lookup import find_community
from bot.errors import EngageError
from bot.i18n import Translator
from bot.storage.models import Community

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
