"""`/engage …` and command buttons: ack at once, then answer privately with the card."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond

from adapters.slack.files import upload_to_dm
from adapters.slack.home import publish_home
from adapters.slack.render import action_pattern, message
from adapters.slack.runtime import SlackRuntime
from adapters.slack.scopes import SLASH_COMMAND
from bot.cards import Card, Paragraph
from bot.commands import COMMAND_ACTION, Asker
from bot.commands.lookup import community_token, person_token
from bot.i18n import Translator, language_for

log = logging.getLogger("engage.slack.commands")
USER_MENTION = re.compile(r"<@(?P<id>[A-Z0-9]+)(?:\|(?P<name>[^>]*))?>")
CHANNEL_MENTION = re.compile(r"<#(?P<id>[A-Z0-9]+)(?:\|(?P<name>[^>]*))?>")


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
