"""The campaign form's round trip for adapters: what to prefill, and what a submission gave."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from bot.animators.audit import Actor
from bot.animators.roles import RoleError
from bot.campaigns.form import FIELDS, errors_by_field, save_campaign_from_form
from bot.campaigns.lookup import find_campaign
from bot.campaigns.spec import CampaignError
from bot.campaigns.store import form_values
from bot.cards import Card, Paragraph
from bot.commands import Context
from bot.storage.models import Community

EDIT_PREFIX = "edit:"
MAX_CHOICES = 100
FIELD_NAMES = {name for name, _, _ in FIELDS}
CATCH_ALL = "community"


@dataclass(frozen=True)
class FormStart:
    """The values to prefill, the campaign being edited (if any), and the communities to pick."""

    values: dict[str, Any]
    campaign_id: int | None
    communities: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FormOutcome:
    """Exactly one of: errors by field, a refusal, or the saved draft's confirmation."""

    errors: dict[str, str] = field(default_factory=dict)
    refusal: str | None = None
    saved: Card | None = None

    def by_field(self) -> dict[str, str]:
        """Every message under a field of the form; a refusal and others go under the community."""
        shown: dict[str, str] = {}
        extra = [(CATCH_ALL, self.refusal)] if self.refusal else []
        for name, text in [*extra, *self.errors.items()]:
            place = name if name in FIELD_NAMES else CATCH_ALL
            shown[place] = f"{shown[place]} {text}" if place in shown else text
        return shown


async def start_form(context: Context, button_value: str) -> FormStart:
    """From the button's value: a community's external id, or `edit:<campaign id>`."""

    def load(session: Session) -> FormStart:
        choices = community_choices(session, context.workspace_id)
        if button_value.startswith(EDIT_PREFIX):
            actor = Actor(context.workspace_id, context.person_id, "form")
            admins = context.services.settings.admins
            typed = button_value.removeprefix(EDIT_PREFIX)
            campaign, _ = find_campaign(session, actor, typed, admins)
            return FormStart(form_values(session, campaign), campaign.id, choices)
        return FormStart({"community": button_value}, None, choices)

    return await context.services.database.read(load)


async def choices_for(context: Context) -> tuple[tuple[str, str], ...]:
    return await context.services.database.read(
        lambda session: community_choices(session, context.workspace_id)
    )


def community_choices(session: Session, workspace_id: int) -> tuple[tuple[str, str], ...]:
    """(external id, #name) of the public communities a campaign may invite to."""
    rows = session.exec(
        select(Community)
        .where(
            Community.workspace_id == workspace_id,
            Community.is_private.is_(False),  # type: ignore[attr-defined]
            Community.is_archived.is_(False),  # type: ignore[attr-defined]
            Community.is_deleted.is_(False),  # type: ignore[attr-defined]
        )
        .order_by(Community.name)
        .limit(MAX_CHOICES)
    )
    return tuple((row.external_id, f"#{row.name or row.external_id}") for row in rows)


async def submit_form(
    context: Context, values: Mapping[str, object], campaign_id: int | None
) -> FormOutcome:
    """Save the draft as the person who submitted the form; never raises for their mistakes."""
    t = context.t
    actor = Actor(context.workspace_id, context.person_id, "form")
    try:
        campaign = await save_campaign_from_form(
            context.services, values, actor, campaign_id=campaign_id
        )
    except RoleError as problem:
        return FormOutcome(refusal=t(problem.key, **problem.values))
    except CampaignError as invalid:
        return FormOutcome(errors=errors_by_field(t, invalid.problems))
    saved = t("campaign.form_saved", name=campaign.name, id=campaign.id)
    return FormOutcome(saved=Card((Paragraph(saved),), fallback=saved))
