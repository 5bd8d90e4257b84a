"""The campaign form in Teams: its button answers with the form card; submitting saves it."""

from __future__ import annotations

from adapters.teams.activity import Json
from adapters.teams.campaign_card import campaign_form_card, campaign_of, submitted_values
from adapters.teams.renderer import adaptive_card
from adapters.teams.turns import Turns
from bot.campaigns.form import (
    FORM_ACTION,
    SUBMIT_ACTION,
    campaign_form_fields,
    choices_for,
    start_form,
    submit_form,
)
from bot.commands import Asker, Router


def register_campaign_form(turns: Turns) -> None:
    router = turns.router

    async def on_open(asker: Asker, clicked: Json) -> Json:
        context = await router.context(asker)
        start = await start_form(context, str(clicked.get("value") or ""))
        fields = campaign_form_fields(context.t, start.values)
        return campaign_form_card(context.t, fields, start.communities, start.campaign_id)

    async def on_submit(asker: Asker, clicked: Json) -> Json:
        return await _submit(router, asker, clicked)

    turns.on_form(FORM_ACTION, on_open)
    turns.on_form(SUBMIT_ACTION, on_submit)


async def _submit(router: Router, asker: Asker, clicked: Json) -> Json:
    """The confirmation card, or the form again with the messages beside its fields."""
    context = await router.context(asker)
    values, campaign_id = submitted_values(clicked), campaign_of(clicked)
    outcome = await submit_form(context, values, campaign_id)
    if outcome.saved is not None:
        return adaptive_card(outcome.saved)
    fields = campaign_form_fields(context.t, values)
    choices = await choices_for(context)
    return campaign_form_card(context.t, fields, choices, campaign_id, outcome.by_field())
