"""A community's settings form in Slack: the button of `community #c` opens a modal; its
submission saves the settings (animators and admins), or shows the problem beside its field."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from adapters.slack.campaign_modal import submitted_values
from adapters.slack.render import action_pattern, message
from adapters.slack.runtime import SlackRuntime
from bot.animators.commands import (
    FORM_ACTION,
    SettingsForm,
    open_settings_form,
    submit_settings_form,
)
from bot.campaigns.form import FormField
from bot.i18n import Translator

CALLBACK_ID = "engage.community"
TITLE_LIMIT, INPUT_LIMIT = 24, 3000
Json = dict[str, Any]


def _plain(text: str, limit: int = 2000) -> Json:
    return {"type": "plain_text", "text": text if len(text) <= limit else text[: limit - 1] + "…"}


def _element(field: FormField) -> Json:
    value = field.value if isinstance(field.value, str) else ""
    if field.options:
        options = [{"text": _plain(label), "value": key} for key, label in field.options]
        chosen = [option for option in options if option["value"] == value]
        element: Json = {"type": "static_select", "options": options}
        return element | ({"initial_option": chosen[0]} if chosen else {})
    element = {"type": "plain_text_input", "multiline": True}
    return element | ({"initial_value": value[:INPUT_LIMIT]} if value else {})


def settings_modal(t: Translator, form: SettingsForm) -> Json:
    blocks = [
        {
            "type": "input",
            "block_id": field.name,
            "optional": not field.required,
            "label": _plain(field.label),
            "hint": _plain(field.hint),
            "element": _element(field) | {"action_id": field.name},
        }
        for field in form.fields
    ]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": json.dumps({"community": form.community}),
        "title": _plain(form.title, TITLE_LIMIT),
        "submit": _plain(t("promises.form_submit"), TITLE_LIMIT),
        "close": _plain(t("promises.form_cancel"), TITLE_LIMIT),
        "blocks": blocks,
    }


def community_of(view: Json) -> str:
    try:
        community = json.loads(view.get("private_metadata") or "{}").get("community")
    except (ValueError, AttributeError):
        return ""
    return community if isinstance(community, str) else ""


def register_community_form(app: AsyncApp, runtime: SlackRuntime) -> None:
    async def on_open(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        action = (body.get("actions") or [{}])[0]
        command = await runtime.router.context(await runtime.asker(context))
        form = await open_settings_form(command, str(action.get("value") or ""))
        assert context.client is not None
        if isinstance(form, SettingsForm):
            view = settings_modal(command.t, form)
            await context.client.views_open(trigger_id=body["trigger_id"], view=view)
        else:
            await context.client.chat_postMessage(channel=context.user_id or "", **message(form))

    async def on_submit(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        view = body.get("view") or {}
        command = await runtime.router.context(await runtime.asker(context))
        errors, saved = await submit_settings_form(
            command, community_of(view), submitted_values(view)
        )
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        if saved is not None and context.client is not None:
            await context.client.chat_postMessage(channel=context.user_id or "", **message(saved))

    app.action(action_pattern(FORM_ACTION))(on_open)
    app.view(CALLBACK_ID)(on_submit)
