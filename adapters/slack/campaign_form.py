"""The campaign form in Slack: its button opens the modal; a submission saves the draft."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from adapters.slack.campaign_modal import (
    CALLBACK_ID,
    campaign_modal,
    campaign_of,
    submitted_values,
)
from adapters.slack.render import action_pattern, message
from adapters.slack.runtime import SlackRuntime
from bot.campaigns.form import FORM_ACTION, campaign_form_fields, start_form, submit_form


def register_campaign_form(app: AsyncApp, runtime: SlackRuntime) -> None:
    async def on_open(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        action = (body.get("actions") or [{}])[0]
        asker = await runtime.asker(context)
        command = await runtime.router.context(asker)
        start = await start_form(command, action.get("value") or "")
        view = campaign_modal(command.t, campaign_form_fields(command.t, start.values), start)
        assert context.client is not None
        await context.client.views_open(trigger_id=body["trigger_id"], view=view)

    async def on_submit(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        view = body.get("view") or {}
        command = await runtime.router.context(await runtime.asker(context))
        outcome = await submit_form(command, submitted_values(view), campaign_of(view))
        errors = outcome.by_field()
        if errors:
            await ack(response_action="errors", errors=errors)
        else:
            await ack()
        if outcome.saved is not None and context.client is not None:
            user = context.user_id or ""
            await context.client.chat_postMessage(channel=user, **message(outcome.saved))

    app.action(action_pattern(FORM_ACTION))(on_open)
    app.view(CALLBACK_ID)(on_submit)
