"""The campaign form and everything shown about a campaign, for every adapter.

The form is described once (Slack modal, Teams Adaptive Card): an adapter renders
`campaign_form_fields(...)`, and on submission hands the values (field name -> string, or
list of strings for `communities`) to `save_campaign_from_form`. On CampaignError it shows
`errors_by_field(...)` beside the fields; on RoleError, the message. `CampaignView` gathers
settings, preview and results (chat, CLI, report), and the cards show them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sqlmodel import Session, select

from bot.animators.roles import Actor, RoleError, may_see
from bot.campaigns.spec import (
    AUDIENCE_KINDS,
    DEFAULT_BOOST,
    MAX_BOOST,
    MIN_BOOST,
    TRANSITIONS,
    Audience,
    CampaignError,
    Problem,
)
from bot.campaigns.store import eligible_count, find_campaign, form_values, save_campaign
from bot.cards import Actions, Block, Button, Card, Chart, Facts, Heading, Paragraph
from bot.commands import COMMAND_ACTION, Context, figure, share
from bot.events import as_utc
from bot.i18n import Translator
from bot.metrics.definitions import Count, Suppressed, count
from bot.metrics.funnel import STEPS, WeeklyFunnel, campaign_funnel
from bot.services import Services
from bot.settings import Settings
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


@dataclass(frozen=True)
class CampaignView:
    campaign: Campaign
    community: Community
    audience: Audience
    audience_names: tuple[str | None, ...]
    """None stands for a private community that the viewer may not see."""
    starts_on: date
    ends_on: date
    eligible: Count
    funnel: WeeklyFunnel


def load_view(
    session: Session,
    settings: Settings,
    campaign: Campaign,
    community: Community,
    now: datetime,
    seen_by: Actor | None = None,
    admins: Collection[str] = (),
) -> CampaignView:
    """The campaign as `seen_by` may see it (None: the operator, who sees everything)."""
    assert campaign.starts_at is not None
    assert campaign.ends_at is not None
    audience = Audience.from_json(campaign.audience)
    names: list[str | None] = []
    for community_id in audience.communities:
        found = session.get(Community, community_id)
        if found is None:
            names.append(str(community_id))
        elif seen_by is None or may_see(session, admins, seen_by, found):
            names.append(found.name)
        else:
            names.append(None)
    starts, ends = as_utc(campaign.starts_at).date(), as_utc(campaign.ends_at).date()
    eligible = eligible_count(
        session, community.workspace_id, community.id or 0, audience, now, settings.consent_mode
    )
    assert campaign.id is not None
    last = min(max(now.date(), starts), ends)
    funnel = campaign_funnel(session, campaign.id, starts, last, settings.min_group_size)
    return CampaignView(
        campaign=campaign,
        community=community,
        audience=audience,
        audience_names=tuple(names),
        starts_on=starts,
        ends_on=ends,
        eligible=count(eligible, settings.min_group_size),
        funnel=funnel,
    )


def audience_text(t: Translator, view: CampaignView) -> str:
    names = ", ".join(
        f"#{name}" if name is not None else t("campaign.card.private_community")
        for name in view.audience_names
    )
    department = view.audience.department or ""
    return t(f"campaign.audience_is.{view.audience.kind}", names=names, department=department)


def campaign_card(t: Translator, view: CampaignView, *, may_configure: bool) -> Card:
    campaign = view.campaign
    title = t(
        "campaign.card.title",
        name=campaign.name,
        community=view.community.name,
        state=t(f"campaign.state.{campaign.state}"),
    )
    facts = [(t(f"campaign.field.pitch_{lang}"), words) for lang, words in campaign.pitch.items()]
    dates = t("campaign.card.dates_value", start=view.starts_on, end=view.ends_on)
    sends = t.number(campaign.max_sends) if campaign.max_sends else t("figure.none")
    facts += [
        (t("campaign.field.audience"), audience_text(t, view)),
        (t("campaign.card.dates"), dates),
        (t("campaign.field.max_sends"), sends),
        (t("campaign.field.boost"), f"×{t.number(campaign.boost)}"),
        (t("campaign.card.eligible"), figure(t, view.eligible)),
    ]
    blocks: list[Block] = [Heading(title), Facts(tuple(facts)), *funnel_blocks(t, view.funnel)]
    buttons = tuple(
        Button(t(f"campaign.verb.{verb}"), COMMAND_ACTION, f"campaign {verb} {campaign.id}")
        for verb, (sources, _) in TRANSITIONS.items()
        if campaign.state in sources
    )
    if may_configure and buttons:
        blocks.append(Actions(buttons))
    return Card(tuple(blocks), fallback=title)


def funnel_blocks(t: Translator, funnel: WeeklyFunnel) -> list[Block]:
    rows = []
    for step in (*STEPS, "dismissed"):
        value = figure(t, funnel.counts[step])
        rate = funnel.conversions.get(step)
        if rate is not None and not isinstance(rate, Suppressed):
            value = t(f"campaign.results.rate_{step}", count=value, share=share(t, rate))
        rows.append((t(f"campaign.results.{step}"), value))
    blocks: list[Block] = [Heading(t("campaign.results.title")), Facts(tuple(rows))]
    if not isinstance(funnel.weekly, Suppressed):
        for step in ("sent", "joined"):
            blocks.append(
                Chart(t(f"campaign.results.weekly_{step}"), funnel.weekly[step], funnel.weeks)
            )
    blocks.append(Paragraph(t("figure.privacy_note", minimum=funnel.minimum)))
    return blocks


def problems_card(t: Translator, problems: Sequence[Problem], usage: str = "") -> Card:
    lines = [
        t(
            "campaign.problem.line",
            field=t(f"campaign.field.{p.field}"),
            problem=t(p.key, **p.values),
        )
        for p in problems
    ]
    blocks: list[Block] = [Heading(t("campaign.problem.title")), Paragraph("\n".join(lines))]
    if usage:
        blocks.append(Paragraph(t("campaign.usage_hint", usage=usage)))
    return Card(tuple(blocks), fallback=t("campaign.problem.title"))
