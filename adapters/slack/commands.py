"""What people do in Slack: `/engage …` and its buttons, App Home, and the campaign and
community settings forms (Block Kit modals).

`SlackRuntime` is everything these listeners share, built once per server. A command or
a click is acked at once, then answered privately with the router's card; a file the
card carries (a data export) is uploaded to the asker's DM. App Home is a personal view
published whenever the person opens it. A form's button opens its modal; its submission
saves (a campaign draft, a community's animators and admins) or shows the problem
beside its field.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.gateway import SlackGateway
from adapters.slack.installs import PLATFORM, SLASH_COMMAND, Credentials, SingleTokenAuthorize
from adapters.slack.people import People
from adapters.slack.render import action_pattern, home_view, message
from adapters.slack.roster import RosterTriggers
from bot.animators.commands import FORM_ACTION as COMMUNITY_FORM_ACTION
from bot.animators.commands import SettingsForm, open_settings_form, submit_settings_form
from bot.campaigns.form import FORM_ACTION as CAMPAIGN_FORM_ACTION
from bot.campaigns.form import FormField, FormStart, campaign_form_fields, start_form, submit_form
from bot.cards import Attachment, Card, Paragraph
from bot.commands import COMMAND_ACTION, Asker, Router
from bot.commands.core import home_card
from bot.commands.lookup import community_token, person_token
from bot.i18n import Translator, language_for
from bot.services import Services

log = logging.getLogger("engage.slack.commands")
files_log = logging.getLogger("engage.slack.files")
USER_MENTION = re.compile(r"<@(?P<id>[A-Z0-9]+)(?:\|(?P<name>[^>]*))?>")
CHANNEL_MENTION = re.compile(r"<#(?P<id>[A-Z0-9]+)(?:\|(?P<name>[^>]*))?>")
CAMPAIGN_CALLBACK_ID = "engage.campaign"
COMMUNITY_CALLBACK_ID = "engage.community"
TITLE_LIMIT, OPTION_LIMIT, INPUT_LIMIT = 24, 75, 3000
Json = dict[str, Any]


@dataclass
class SlackRuntime:
    services: Services
    router: Router
    people: People
    credentials: Credentials
    gateway: SlackGateway
    authorize: SingleTokenAuthorize | None
    roster_triggers: RosterTriggers | None = None

    async def close(self) -> None:
        """Cancel the lookups still running beside requests."""
        await self.people.close()
        if self.authorize is not None:
            await self.authorize.close()

    async def asker(self, context: AsyncBoltContext, community: str | None = None) -> Asker:
        """The person behind a command or click, in their Slack language when known."""
        workspace, person = context.team_id or "", context.user_id or ""
        profile = await self.people.profile(context.client, workspace, person)
        return Asker(
            platform=PLATFORM,
            workspace=workspace,
            person=person,
            locale=profile.locale if profile else None,
            community=community,
        )


def register_commands(app: AsyncApp, runtime: SlackRuntime) -> None:
    async def on_command(
        ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
    ) -> None:
        await ack()
        asker = await runtime.asker(context, command.get("channel_id"))
        card = await _answer(runtime, asker, command.get("text") or "")
        card = await _deliver_attachment(runtime, context, asker, card)
        await respond(**message(card), response_type="ephemeral")

    async def on_button(
        ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
    ) -> None:
        await ack()
        action = (body.get("actions") or [{}])[0]
        channel = (body.get("channel") or {}).get("id")
        asker = await runtime.asker(context, channel)
        card = await _answer(runtime, asker, action.get("value") or "")
        card = await _deliver_attachment(runtime, context, asker, card)
        if (body.get("container") or {}).get("type") == "view":
            await publish_home(runtime, context.client, asker)
        else:
            await respond(**message(card), response_type="ephemeral", replace_original=True)

    app.command(SLASH_COMMAND)(on_command)
    app.action(action_pattern(COMMAND_ACTION))(on_button)


async def _answer(runtime: SlackRuntime, asker: Asker, text: str) -> Card:
    """The router's card; an unexpected failure becomes a short apology, never a trace."""
    try:
        return await runtime.router.handle(asker, neutral_mentions(text))
    except Exception:
        log.exception("command failed")
        language = language_for(asker.locale, runtime.services.settings.default_locale)
        return Card((Paragraph(Translator(language)("slack.failed")),))


def neutral_mentions(text: str) -> str:
    """Slack's `<@U123|name>` and `<#C123|name>` as the core's person and community tokens."""
    text = USER_MENTION.sub(lambda match: person_token(match["id"], match["name"] or ""), text)
    return CHANNEL_MENTION.sub(
        lambda match: community_token(match["id"], match["name"] or ""), text
    )


async def _deliver_attachment(
    runtime: SlackRuntime, context: AsyncBoltContext, asker: Asker, card: Card
) -> Card:
    """Upload the card's file to the asker's DM; if that fails, say so instead of the card."""
    if card.attachment is None or context.client is None:
        return card
    if await upload_to_dm(context.client, asker.person, card.attachment):
        return card
    language = language_for(asker.locale, runtime.services.settings.default_locale)
    return Card((Paragraph(Translator(language)("slack.upload_failed")),))


async def publish_home(runtime: SlackRuntime, client: AsyncWebClient, asker: Asker) -> None:
    card = await home_card(runtime.router, asker)
    await client.views_publish(user_id=asker.person, view=home_view(card))


def register_home(app: AsyncApp, runtime: SlackRuntime) -> None:
    async def on_home_opened(event: dict[str, Any], context: AsyncBoltContext) -> None:
        if event.get("tab", "home") != "home":
            return
        await publish_home(runtime, context.client, await runtime.asker(context))

    app.event("app_home_opened")(on_home_opened)


async def upload_to_dm(client: AsyncWebClient, user: str, attachment: Attachment) -> bool:
    """files.getUploadURLExternal, the upload, files.completeUploadExternal; False on failure."""
    try:
        opened = await client.conversations_open(users=user)
        channel = (opened.get("channel") or {}).get("id")
        await client.files_upload_v2(
            channel=channel,
            filename=attachment.filename,
            title=attachment.filename,
            content=attachment.content,
        )
    except (SlackApiError, SlackRequestError) as error:
        files_log.warning("file upload failed for %s: %s", user, type(error).__name__)
        return False
    return True


def _plain(text: str, limit: int = 2000) -> Json:
    return {"type": "plain_text", "text": text if len(text) <= limit else text[: limit - 1] + "…"}


def _option(value: str, label: str) -> Json:
    return {"text": _plain(label, OPTION_LIMIT), "value": value}


def _campaign_element(field: FormField, choices: tuple[tuple[str, str], ...]) -> Json:
    options = field.options or (choices if field.kind in ("community", "communities") else ())
    chosen = field.value if isinstance(field.value, tuple) else (field.value,)
    picked = [_option(value, label) for value, label in options if value in chosen]
    if field.kind == "communities" and options:
        element: Json = {"type": "multi_static_select", "options": [_option(*o) for o in options]}
        return element | ({"initial_options": picked} if picked else {})
    if options:
        element = {"type": "static_select", "options": [_option(*o) for o in options]}
        return element | ({"initial_option": picked[0]} if picked else {})
    if field.kind == "date":
        return {"type": "datepicker"} | ({"initial_date": field.value} if field.value else {})
    element = {"type": "plain_text_input", "multiline": field.kind == "multiline"}
    text = ",".join(field.value) if isinstance(field.value, tuple) else field.value
    return element | ({"initial_value": text[:INPUT_LIMIT]} if text else {})


def campaign_modal(t: Translator, fields: tuple[FormField, ...], start: FormStart) -> Json:
    """`views.open`'s view: one input block per field, named after it (block and action ids)."""
    blocks = [
        {
            "type": "input",
            "block_id": field.name,
            "optional": not field.required,
            "label": _plain(field.label),
            "element": _campaign_element(field, start.communities) | {"action_id": field.name},
        }
        | ({"hint": _plain(field.hint)} if field.hint else {})
        for field in fields
    ]
    title = "campaign.form_edit_title" if start.campaign_id else "campaign.form_title"
    return {
        "type": "modal",
        "callback_id": CAMPAIGN_CALLBACK_ID,
        "private_metadata": json.dumps({"campaign": start.campaign_id}),
        "title": _plain(t(title), TITLE_LIMIT),
        "submit": _plain(t("campaign.form_submit"), TITLE_LIMIT),
        "close": _plain(t("campaign.form_cancel"), TITLE_LIMIT),
        "blocks": blocks,
    }


def submitted_values(view: Json) -> dict[str, object]:
    """Field name -> typed text, picked date or option value(s), from `view.state.values`."""
    values: dict[str, object] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        for state in actions.values():
            values[block_id] = _value_of(state)
    return values


def _value_of(state: Json) -> object:
    if "selected_options" in state:
        return [option["value"] for option in state["selected_options"] or []]
    if "selected_option" in state:
        return (state["selected_option"] or {}).get("value") or ""
    if "selected_date" in state:
        return state["selected_date"] or ""
    return state.get("value") or ""


def campaign_of(view: Json) -> int | None:
    """The campaign being edited, from the modal's private_metadata (None: a new one)."""
    try:
        campaign = json.loads(view.get("private_metadata") or "{}").get("campaign")
    except (ValueError, AttributeError):
        return None
    return campaign if isinstance(campaign, int) else None


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

    app.action(action_pattern(CAMPAIGN_FORM_ACTION))(on_open)
    app.view(CAMPAIGN_CALLBACK_ID)(on_submit)


def _community_element(field: FormField) -> Json:
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
            "element": _community_element(field) | {"action_id": field.name},
        }
        for field in form.fields
    ]
    return {
        "type": "modal",
        "callback_id": COMMUNITY_CALLBACK_ID,
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

    app.action(action_pattern(COMMUNITY_FORM_ACTION))(on_open)
    app.view(COMMUNITY_CALLBACK_ID)(on_submit)
