"""A workspace's campaigns as one YAML file: `engage campaign export` writes it, `engage
campaign apply` reads it back. Applying creates and updates campaigns and moves their
states forward; a problem names the file, the line and the field, and nothing is saved."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import yaml
from sqlmodel import Session, select

from bot.animators.roles import Actor
from bot.campaigns.spec import (
    CampaignError,
    Located,
    Problem,
    locate,
    resolve_community,
)
from bot.campaigns.store import change_state, form_values, save_campaign, workspace_campaigns
from bot.errors import EngageError
from bot.i18n import Translator
from bot.storage.models import Campaign

FIELDS = {
    "community": "community",
    "name": "name",
    "pitch.en": "pitch_en",
    "pitch.fr": "pitch_fr",
    "audience.kind": "audience",
    "audience.communities": "audience_communities",
    "audience.department": "department",
    "starts": "starts",
    "ends": "ends",
    "max_sends": "max_sends",
    "boost": "boost",
}
PATHS = {form: path for path, form in FIELDS.items()} | {"pitch": "pitch", "audience": "audience"}
MOVES = {
    ("draft", "active"): ("activate",),
    ("draft", "paused"): ("activate", "pause"),
    ("active", "paused"): ("pause",),
    ("paused", "active"): ("resume",),
}


class IndentedDumper(yaml.SafeDumper):
    """Indents list items under their key, as people write YAML by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


class YamlError(EngageError):
    def __init__(self, source: str, lines: list[str]) -> None:
        if len(lines) == 1:
            super().__init__(f"{lines[0].rstrip('.')}; nothing was saved")
        else:
            heading = f"{source}: nothing was saved; {len(lines)} problem(s):"
            super().__init__("\n".join([heading, *(f"  {line}" for line in lines)]))
        self.lines = lines


@dataclass
class ApplyReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def export_campaigns(session: Session, workspace_id: int) -> str:
    entries = []
    for campaign, _ in workspace_campaigns(session, Actor(workspace_id, None, "yaml")):
        values = form_values(session, campaign, names=True)
        audience: dict[str, Any] = {"kind": values["audience"]}
        if values["audience_communities"]:
            audience["communities"] = [name.lstrip("#") for name in values["audience_communities"]]
        if values["department"]:
            audience["department"] = values["department"]
        entries.append(
            {
                "community": values["community"].lstrip("#"),
                "name": campaign.name,
                "state": campaign.state,
                "pitch": dict(sorted(campaign.pitch.items())),
                "audience": audience,
                "starts": values["starts"],
                "ends": values["ends"],
                "max_sends": values["max_sends"],
                "boost": values["boost"],
            }
        )
    return yaml.dump(
        {"campaigns": entries}, Dumper=IndentedDumper, sort_keys=False, allow_unicode=True
    )


def apply_campaigns(
    session: Session, workspace_id: int, text: str, *, source: str, now: datetime
) -> ApplyReport:
    t = Translator("en")
    entries = locate(text, source)
    report = ApplyReport()
    errors: list[str] = []
    actor = Actor(workspace_id=workspace_id, person_id=None, source="yaml")
    for entry in entries:
        try:
            _apply_one(session, actor, entry, now, report)
        except CampaignError as invalid:
            errors += [_message(t, source, entry, problem) for problem in invalid.problems]
    if errors:
        raise YamlError(source, errors)
    return report


def _apply_one(
    session: Session, actor: Actor, entry: Located, now: datetime, report: ApplyReport
) -> None:
    unknown = sorted(set(entry.values) - set(FIELDS) - {"state"})
    problems = [Problem(name, "campaign.problem.unknown_field", {"name": name}) for name in unknown]
    values: dict[str, object] = {
        FIELDS[path]: "" if value is None else value  # null clears a setting
        for path, value in entry.values.items()
        if path in FIELDS
    }
    community = resolve_community(
        session, (), actor, str(values.get("community") or ""), "community", problems
    )
    state = str(entry.values.get("state") or "")
    if state and state not in ("draft", "active", "paused", "ended"):
        problems.append(Problem("state", "campaign.problem.bad_state", {"state": state}))
    if problems or community is None:
        raise CampaignError(problems)
    existing = session.exec(
        select(Campaign).where(
            Campaign.community_id == community.id, Campaign.name == str(values.get("name"))
        )
    ).first()
    before = (form_values(session, existing), existing.state) if existing else None
    campaign = save_campaign(
        session, (), actor, values, today=now.date(), now=now, campaign=existing
    )
    _move(session, actor, campaign, state or campaign.state, now.date())
    label = f"#{community.name} {campaign.name}"
    if before is None:
        report.created.append(label)
    elif before != (form_values(session, campaign), campaign.state):
        report.updated.append(label)
    else:
        report.unchanged.append(label)


def _move(session: Session, actor: Actor, campaign: Campaign, target: str, today: date) -> None:
    if campaign.state == target:
        return
    if target == "ended":
        verbs: tuple[str, ...] = ("end",)
    elif (campaign.state, target) in MOVES:
        verbs = MOVES[(campaign.state, target)]
    else:
        moving: dict[str, object] = {"state": campaign.state, "target": target}
        raise CampaignError([Problem("state", "campaign.problem.no_way_back", moving)])
    for verb in verbs:
        change_state(session, (), actor, campaign, verb, today, check_dates=False)


def _message(t: Translator, source: str, entry: Located, problem: Problem) -> str:
    path = PATHS.get(problem.field, problem.field)
    line = entry.lines.get(path) or entry.lines.get(path.split(".")[0]) or entry.line
    return f"{source}:{line}: {path}: {t(problem.key, **problem.values)}"
