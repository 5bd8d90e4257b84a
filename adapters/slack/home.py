"""App Home: a personal view published whenever the person opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import home_view
from adapters.slack.runtime import SlackRuntime
from bot.commands import Asker
from bot.commands.core import home_card


async def publish_home(runtime: SlackRuntime, client: AsyncWebClient, asker: Asker) -> None:
    card = await home_card(runtime.router, asker)
    await client.views_publish(user_id=asker.person, view=home_view(card))


def register_home(app: AsyncApp, runtime: SlackRuntime) -> None:
    async def on_home_opened(event: dict[str, Any], context: AsyncBoltContext) -> None:
        if event.get("tab", "home") != "home":
            return
        await publish_home(runtime, context.client, await runtime.asker(context))

    app.event("app_home_opened")(on_home_opened)
