"""What a campaign is, and how raw values become one.

`CampaignSpec` holds plain validated values, independent of where they were typed; the
single-field readers (department, dates, max sends, boost) and `parse_campaign` turn raw
values from a form, a chat line, a YAML entry or CLI options into one, every problem
collected; `locate` reads a campaigns YAML file keeping each value's line for errors.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, Literal, cast

import yaml
from sqlalchemy import func
from sqlmodel import Session, select

from bot.animators.roles import Actor
from bot.commands import CommandError
from bot.commands.lookup import find_community
from bot.errors import EngageError
from bot.storage.models import Community, Person

AudienceKind = Literal["everyone", "members", "active", "department"]
AUDIENCE_KINDS: tuple[AudienceKind, ...] = ("everyone", "members", "active", "department")
# verb -> (states it may leave, state it reaches)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "activate": (frozenset({"draft"}), "active"),
    "pause": (frozenset({"active"}), "paused"),
    "resume": (frozenset({"paused"}), "active"),
    "end": (frozenset({"draft", "active", "paused"}), "ended"),
}
DEFAULT_BOOST = 2.0
MIN_BOOST, MAX_BOOST = 1.0, 5.0
PITCH_MAX = 500
NAME_MAX = 64


@dataclass(frozen=True)
class Audience:
    """Who a campaign speaks to: everyone who accepts suggestions, members of or people
    active in some communities (internal ids), or one department."""

    kind: AudienceKind
    communities: tuple[int, ...] = ()
    department: str | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.kind in ("members", "active"):
            data["communities"] = list(self.communities)
        if self.kind == "department":
            data["department"] = self.department
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        kind = data.get("kind", "everyone")
        assert kind in AUDIENCE_KINDS, kind
        return cls(kind, tuple(data.get("communities", ())), data.get("department"))


@dataclass(frozen=True)
class CampaignSpec:
    community_id: int
    name: str
    pitch: dict[str, str]
    audience: Audience
    starts_on: date
    ends_on: date
    max_sends: int | None
    boost: float

    def columns(self) -> dict[str, Any]:
        """The Campaign row's values; dates are stored as midnight UTC, both days included."""
        return {
            "community_id": self.community_id,
            "name": self.name,
            "pitch": dict(self.pitch),
            "audience": self.audience.as_json(),
            "starts_at": midnight(self.starts_on),
            "ends_at": midnight(self.ends_on),
            "max_sends": self.max_sends,
            "boost": self.boost,
        }


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with what was typed: the field, a catalog key and its values."""

    field: str
    key: str
    values: dict[str, object] = dataclasses.field(default_factory=dict)


class CampaignError(Exception):
    """Nothing was saved: every problem found is listed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(", ".join(f"{p.field}: {p.key}" for p in problems))
        self.problems = problems


Values = Mapping[str, object]


def text(values: Values, name: str) -> str:
    value = values.get(name)
    return "" if value is None else str(value).strip()


def department_of(
    session: Session, workspace_id: int, typed: str, problems: list[Problem]
) -> str | None:
    if not typed:
        problems.append(Problem("department", "campaign.problem.required"))
        return None
    known = sorted(
        {
            name
            for name in session.exec(
                select(Person.department).where(
                    Person.workspace_id == workspace_id,
                    Person.deleted.is_(False),  # type: ignore[attr-defined]
                    func.coalesce(Person.department, "") != "",
                )
            )
            if name
        }
    )
    for name in known:
        if name.casefold() == typed.casefold():
            return name
    problems.append(
        Problem(
            "department",
            "campaign.problem.unknown_department",
            {"name": typed, "known": ", ".join(known) or "—"},
        )
    )
    return None


def day_of(values: Values, name: str, default: date | None, problems: list[Problem]) -> date | None:
    raw = values.get(name)
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    typed = text(values, name)
    if not typed:
        if default is None:
            problems.append(Problem(name, "campaign.problem.required"))
        return default
    try:
        return date.fromisoformat(typed)
    except ValueError:
        problems.append(Problem(name, "campaign.problem.bad_date", {"value": typed}))
        return None


def max_sends_of(values: Values, problems: list[Problem]) -> int | None:
    typed = text(values, "max_sends")
    if not typed or typed.lower() in ("none", "null"):
        return None
    if not typed.isdigit() or int(typed) < 1:
        problems.append(Problem("max_sends", "campaign.problem.bad_max_sends", {"value": typed}))
        return None
    return int(typed)


def boost_of(values: Values, problems: list[Problem]) -> float:
    typed = text(values, "boost").replace(",", ".")
    if not typed:
        return DEFAULT_BOOST
    try:
        boost = float(typed)
    except ValueError:
        boost = float("nan")
    if not MIN_BOOST <= boost <= MAX_BOOST:
        problems.append(
            Problem("boost", "campaign.problem.bad_boost", {"low": MIN_BOOST, "high": MAX_BOOST})
        )
        return DEFAULT_BOOST
    return boost


def resolve_community(
    session: Session,
    admins: Collection[str],
    actor: Actor,
    typed: str,
    field: str,
    problems: list[Problem],
) -> Community | None:
    if not typed:
        problems.append(Problem(field, "campaign.problem.required"))
        return None
    try:
        return find_community(session, actor, typed, admins)
    except CommandError as missing:
        problems.append(Problem(field, missing.key, dict(missing.values)))
        return None


def parse_campaign(
    session: Session,
    admins: Collection[str],
    actor: Actor,
    values: Values,
    community: Community,
    today: date,
) -> CampaignSpec:
    """Validate every field but the community (resolved and role-checked by the caller)."""
    problems: list[Problem] = []
    if community.is_private or community.is_archived:
        problems.append(
            Problem("community", "campaign.problem.not_public", {"name": community.name})
        )
    name = text(values, "name")
    if not name:
        problems.append(Problem("name", "campaign.problem.required"))
    elif len(name) > NAME_MAX or name.isdigit():
        problems.append(Problem("name", "campaign.problem.bad_name", {"most": NAME_MAX}))
    pitch = {lang: text(values, f"pitch_{lang}") for lang in ("en", "fr")}
    pitch = {lang: words for lang, words in pitch.items() if words}
    if not pitch:
        problems.append(Problem("pitch", "campaign.problem.empty_pitch"))
    for lang, words in pitch.items():
        if len(words) > PITCH_MAX:
            problems.append(
                Problem(f"pitch_{lang}", "campaign.problem.long_pitch", {"most": PITCH_MAX})
            )
    audience = _audience(session, admins, actor, values, problems)
    starts = day_of(values, "starts", today, problems)
    ends = day_of(values, "ends", None, problems)
    if starts and ends and ends < starts:
        problems.append(
            Problem("ends", "campaign.problem.end_before_start", {"start": starts, "end": ends})
        )
    max_sends = max_sends_of(values, problems)
    boost = boost_of(values, problems)
    if problems:
        raise CampaignError(problems)
    assert audience
    assert starts
    assert ends
    assert community.id is not None
    return CampaignSpec(community.id, name, pitch, audience, starts, ends, max_sends, boost)


def _audience(
    session: Session,
    admins: Collection[str],
    actor: Actor,
    values: Values,
    problems: list[Problem],
) -> Audience | None:
    kind = text(values, "audience").lower() or "everyone"
    if kind not in AUDIENCE_KINDS:
        problems.append(
            Problem(
                "audience", "campaign.problem.bad_audience", {"kinds": ", ".join(AUDIENCE_KINDS)}
            )
        )
        return None
    if kind == "everyone":
        return Audience("everyone")
    if kind == "department":
        department = department_of(
            session, actor.workspace_id, text(values, "department"), problems
        )
        return Audience("department", department=department) if department else None
    typed = values.get("audience_communities")
    names = typed if isinstance(typed, list | tuple) else str(typed or "").replace(",", " ").split()
    if not names:
        problems.append(Problem("audience_communities", "campaign.problem.required"))
        return None
    found = [
        resolve_community(session, admins, actor, str(name), "audience_communities", problems)
        for name in names
    ]
    if any(community is None for community in found):
        return None
    ids = tuple(sorted({c.id for c in found if c is not None and c.id is not None}))
    return Audience(cast(AudienceKind, kind), communities=ids)


@dataclass
class Located:
    """One entry: its values by dotted path (`pitch.en`) and the line each was written on."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)


def locate(text: str, source: str) -> list[Located]:
    try:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as broken:
        mark = broken.problem_mark or broken.context_mark
        line = mark.line + 1 if mark else 1
        raise EngageError(f"{source}:{line}: not valid YAML: {broken.problem}") from None
    except yaml.YAMLError as broken:
        raise EngageError(f"{source}: not valid YAML: {_first_line(broken)}") from None
    if root is None:
        return []
    entries = _campaign_nodes(root, source)
    return [_entry(node, source) for node in entries]


def _campaign_nodes(root: yaml.Node, source: str) -> list[yaml.Node]:
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "campaigns" and isinstance(value, yaml.SequenceNode):
                return list(value.value)
            if key.value == "campaigns" and _is_null(value):
                return []
    line = root.start_mark.line + 1
    raise EngageError(f"{source}:{line}: campaigns: expected a list under `campaigns:`")


def _entry(node: yaml.Node, source: str) -> Located:
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        raise EngageError(f"{source}:{line}: expected a campaign (community, name, pitch, …)")
    located = Located(line)
    _walk(node, "", located, source)
    return located


def _walk(node: yaml.MappingNode, prefix: str, located: Located, source: str) -> None:
    for key, value in node.value:
        path = f"{prefix}{key.value}"
        located.lines[path] = value.start_mark.line + 1
        if isinstance(value, yaml.MappingNode) and not prefix:
            _walk(value, f"{path}.", located, source)
        else:
            located.values[path] = _construct(value, f"{source}:{located.lines[path]}: {path}")


def _construct(node: yaml.Node, place: str) -> Any:
    """The value, or the text as written when YAML's own reading of it fails (2026-02-30 is
    then a date that the field's check refuses, with its line)."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError):
        if isinstance(node, yaml.ScalarNode):
            return node.value
        raise EngageError(f"{place}: not a valid value") from None
    except yaml.YAMLError as broken:
        raise EngageError(f"{place}: not valid YAML: {_first_line(broken)}") from None
    finally:
        loader.dispose()


def _first_line(error: yaml.YAMLError) -> str:
    text = str(getattr(error, "problem", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")
