"""`campaign new|edit|list|show|preview|activate|pause|resume|end`: campaigns in chat.

`campaign new #c` alone answers with a button that opens the campaign form (the adapters
render `campaign_form_fields`); `campaign new #c name=… en="…" ends=2026-05-31` saves a
draft straight from the line. Configuring needs the animator role; looking does not.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.animators.commands import chat_actor, refusal
from bot.animators.roles import RoleError, may_configure, require_animator
from bot.campaigns.form import FORM_ACTION, campaign_card, load_view, problems_card
from bot.campaigns.spec import TRANSITIONS, CampaignError
from bot.campaigns.store import change_state, find_campaign, save_campaign, workspace_campaigns
from bot.cards import Actions, Button, Card, Paragraph
from bot.commands import CommandError, Context
from bot.commands.lookup import community_for
from bot.storage.models import Campaign, Community

ALIASES = {
    "en": "pitch_en",
    "fr": "pitch_fr",
    "communities": "audience_communities",
    "start": "starts",
    "end": "ends",
}


def pairs(words: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for word in words:
        key, equals, value = word.partition("=")
        if not equals:
            raise CommandError("campaign.bad_pair", word=word)
        values[ALIASES.get(key.lower(), key.lower())] = value
    return values


async def campaign_command(context: Context, args: list[str]) -> Card:
    verb = args[0].lower() if args else "list"
    try:
        if verb == "new":
            return await _new(context, args[1:])
        if verb == "edit":
            return await _edit(context, args[1:])
        if verb == "list":
            return await _list(context, args[1:])
        if verb in ("show", "preview"):
            return await _show(context, _one(args))
        if verb in TRANSITIONS:
            return await _move(context, verb, _one(args))
    except RoleError as problem:
        return refusal(context, problem)
    except CampaignError as invalid:
        return problems_card(context.t, invalid.problems, context.t("command.campaign.usage"))
    raise CommandError("campaign.bad_verb", word=verb)


def _one(args: list[str]) -> str:
    if len(args) != 2:
        raise CommandError("campaign.which")
    return args[1]


async def _new(context: Context, args: list[str]) -> Card:
    if not args:
        raise CommandError("campaign.which_community")
    values = {"community": args[0], **pairs(args[1:])}
    if len(values) == 1:
        return await _offer_form(context, args[0])
    now = context.services.clock()

    def save(session: Session) -> Campaign:
        admins = context.services.settings.admins
        return save_campaign(
            session, admins, chat_actor(context), values, today=now.date(), now=now
        )

    campaign = await context.services.database.write(save)
    return await _show(context, str(campaign.id))


async def _offer_form(context: Context, reference: str) -> Card:
    def check(session: Session) -> Community:
        community = community_for(session, context, reference)
        admins = context.services.settings.admins
        require_animator(session, admins, chat_actor(context), community, "campaign")
        return community

    community = await context.services.database.read(check)
    t = context.t
    button = Button(t("campaign.open_form"), FORM_ACTION, community.external_id, "primary")
    return Card(
        (Paragraph(t("campaign.form_intro", name=community.name)), Actions((button,))),
        fallback=t("campaign.form_intro", name=community.name),
    )


async def _edit(context: Context, args: list[str]) -> Card:
    if len(args) < 2:
        raise CommandError("campaign.which")
    values = pairs(args[1:])
    now = context.services.clock()

    def save(session: Session) -> Campaign:
        admins = context.services.settings.admins
        campaign, _ = find_campaign(session, chat_actor(context), args[0], admins)
        return save_campaign(
            session, admins, chat_actor(context), values, today=now.date(), now=now,
            campaign=campaign,
        )  # fmt: skip

    campaign = await context.services.database.write(save)
    return await _show(context, str(campaign.id))


async def _list(context: Context, args: list[str]) -> Card:
    t = context.t

    def load(session: Session) -> list[tuple[Campaign, Community]]:
        found = workspace_campaigns(session, chat_actor(context), context.services.settings.admins)
        if not args:
            return found
        community = community_for(session, context, " ".join(args))
        return [(c, k) for c, k in found if k.id == community.id]

    rows = await context.services.database.read(load)
    if not rows:
        return Card((Paragraph(t("campaign.none")),))
    lines = [
        t(
            "campaign.line",
            id=campaign.id,
            name=campaign.name,
            community=community.name,
            state=t(f"campaign.state.{campaign.state}"),
            end=campaign.ends_at.date() if campaign.ends_at else "",
        )
        for campaign, community in rows
    ]
    return Card((Paragraph("\n".join(lines)),), fallback=lines[0])


async def _show(context: Context, reference: str) -> Card:
    settings = context.services.settings
    now = context.services.clock()

    def load(session: Session) -> Card:
        campaign, community = find_campaign(
            session, chat_actor(context), reference, settings.admins
        )
        view = load_view(
            session, settings, campaign, community, now, chat_actor(context), settings.admins
        )
        allowed = may_configure(session, settings.admins, chat_actor(context), community)
        return campaign_card(context.t, view, may_configure=allowed)

    return await context.services.database.read(load)


async def _move(context: Context, verb: str, reference: str) -> Card:
    today = context.services.clock().date()

    def move(session: Session) -> Campaign:
        admins = context.services.settings.admins
        campaign, _ = find_campaign(session, chat_actor(context), reference, admins)
        return change_state(session, admins, chat_actor(context), campaign, verb, today)

    campaign = await context.services.database.write(move)
    t = context.t
    state = t(f"campaign.state.{campaign.state}")
    return Card((Paragraph(t("campaign.moved", name=campaign.name, state=state)),))
