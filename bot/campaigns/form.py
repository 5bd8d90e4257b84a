"""The campaign form, described once for every adapter (Slack modal, Teams Adaptive Card).

An adapter renders `campaign_form_fields(...)`, and on submission hands the values (field
name -> string, or list of strings for `communities`) to `save_campaign_from_form`. On
CampaignError it shows `errors_by_field(...)` beside the fields; on RoleError, the message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlmodel import Session

from bot.animators.audit import Actor
from bot.campaigns.spec import (
    AUDIENCE_KINDS,
    DEFAULT_BOOST,
    MAX_BOOST,
    MIN_BOOST,
    CampaignError,
    Problem,
)
from bot.campaigns.store import save_campaign
from bot.i18n import Translator
from bot.services import Services
from bot.storage.models import Campaign, Community

FieldKind = Literal["text", "multiline", "community", "communities", "select", "date", "number"]
FORM_ACTION = "engage.campaign.form"
"""The button that opens the form; its value is the community's external id (or `edit:<id>`)."""
SUBMIT_ACTION = "engage.campaign.submit"
FIELDS: tuple[tuple[str, FieldKind, bool], ...] = (
    ("community", "community", True),
    ("name", "text", True),
    ("pitch_en", "multiline", False),
    ("pitch_fr", "multiline", False),
    ("audience", "select", True),
    ("audience_communities", "communities", False),
    ("department", "text", False),
    ("starts", "date", False),
    ("ends", "date", True),
    ("max_sends", "number", False),
    ("boost", "number", False),
)
DEFAULTS: dict[str, object] = {"audience": "everyone", "boost": DEFAULT_BOOST}


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: FieldKind
    required: bool = False
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()
    value: str | tuple[str, ...] = ""


def campaign_form_fields(
    t: Translator, values: Mapping[str, object] | None = None
) -> tuple[FormField, ...]:
    """Every field, labelled in the person's language, prefilled from `values` if given."""
    given = {**DEFAULTS, **{k: v for k, v in (values or {}).items() if v not in (None, "")}}
    fields = []
    for name, kind, required in FIELDS:
        value = given.get(name, "")
        shown: str | tuple[str, ...]
        if isinstance(value, list | tuple):
            shown = tuple(str(item) for item in value)
        else:
            shown = value.isoformat() if isinstance(value, date) else str(value)
        options = (
            tuple((k, t(f"campaign.audience.{k}")) for k in AUDIENCE_KINDS)
            if name == "audience"
            else ()
        )
        label = t(f"campaign.field.{name}")
        hint = t(f"campaign.hint.{name}", low=MIN_BOOST, high=MAX_BOOST)
        fields.append(FormField(name, label, kind, required, hint, options, shown))
    return tuple(fields)


def errors_by_field(t: Translator, problems: Sequence[Problem]) -> dict[str, str]:
    """Messages keyed by form field (a problem about the whole pitch goes to `pitch_en`)."""
    errors: dict[str, str] = {}
    for problem in problems:
        name = "pitch_en" if problem.field == "pitch" else problem.field
        message = t(problem.key, **problem.values)
        errors[name] = f"{errors[name]} {message}" if name in errors else message
    return errors


async def save_campaign_from_form(
    services: Services,
    values: Mapping[str, object],
    actor: Actor,
    *,
    campaign_id: int | None = None,
) -> Campaign:
    """Validate and save a draft (or update campaign `campaign_id`), all or nothing."""
    admins = services.settings.admins
    now = services.clock()

    def save(session: Session) -> Campaign:
        existing = session.get(Campaign, campaign_id) if campaign_id is not None else None
        if campaign_id is not None and not _in_workspace(session, existing, actor.workspace_id):
            raise CampaignError([Problem("campaign", "campaign.unknown", {"name": campaign_id})])
        return save_campaign(
            session, admins, actor, values, today=now.date(), now=now, campaign=existing
        )

    return await services.database.write(save)


def _in_workspace(session: Session, campaign: Campaign | None, workspace_id: int) -> bool:
    if campaign is None:
        return False
    community = session.get(Community, campaign.community_id)
    return community is not None and community.workspace_id == workspace_id
