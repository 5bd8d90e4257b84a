"""The Bolt app, built from settings: no environment read and no network until a request."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from adapters.slack.campaign_form import register_campaign_form
from adapters.slack.clients import configure, web_client
from adapters.slack.commands import register_commands
from adapters.slack.community_form import register_community_form
from adapters.slack.gateway import SlackGateway, credentials_for
from adapters.slack.home import register_home
from adapters.slack.ingest import Ingest, LookUpPeople
from adapters.slack.installs import OAuthInstalls
from adapters.slack.oauth import InstalledAuthorize, OAuthStates, SingleTokenAuthorize, oauth_flow
from adapters.slack.people import People
from adapters.slack.profiles import ProfileReader
from adapters.slack.roster import RosterTriggers, install_roster
from adapters.slack.runtime import SlackRuntime
from bot.errors import ConfigError
from bot.i18n import Translator
from bot.services import Services
from bot.settings import Settings
from nudges.actions import full_router

ANYTHING = re.compile(".*")
# Events with a listener of their own; every other event is answered by a no-op listener.
FEATURED_EVENTS = ("app_home_opened",)


def uses_oauth(settings: Settings) -> bool:
    return bool(settings.slack_client_id and settings.slack_client_secret)


def build_slack(services: Services) -> tuple[AsyncApp, SlackRuntime]:
    """The Bolt app and what its listeners share; Slack credentials must be configured."""
    settings = services.settings
    credentials = credentials_for(services)
    if credentials is None:
        raise ConfigError("Slack needs SLACK_BOT_TOKEN, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
    authorize: SingleTokenAuthorize | None = None
    if isinstance(credentials, OAuthInstalls):
        states = OAuthStates(services.database)
        options: dict[str, Any] = {
            "client": web_client(settings),
            "authorize": InstalledAuthorize(credentials),
            "installation_store": credentials,
            "oauth_flow": oauth_flow(settings, credentials, states),
        }
    else:
        authorize = SingleTokenAuthorize(settings.slack_bot_token)
        options = {"client": web_client(settings, settings.slack_bot_token), "authorize": authorize}
    install_roster(services, credentials)
    triggers = RosterTriggers(services)
    runtime = SlackRuntime(
        services=services,
        router=full_router(services),
        people=People(services.tracker, reader=ProfileReader.from_settings(settings)),
        credentials=credentials,
        gateway=SlackGateway(settings, credentials),
        authorize=authorize,
        roster_triggers=triggers,
    )
    app = AsyncApp(
        name="engage",
        logger=logging.getLogger("engage.slack.bolt"),
        signing_secret=settings.slack_signing_secret,
        before_authorize=Ingest(services.tracker, credentials, triggers),
        user_facing_authorize_error_message=_both_languages("slack.not_installed"),
        **options,
    )
    configure(app.client, settings)
    app.middleware(LookUpPeople(runtime.people))
    _answer_plain_events(app)
    register_commands(app, runtime)
    register_campaign_form(app, runtime)
    register_community_form(app, runtime)
    register_home(app, runtime)
    _answer_everything_else(app)
    return app, runtime


def _answer_plain_events(app: AsyncApp) -> None:
    """Events already recorded by `Ingest` get their 2xx from the first listener Bolt tries."""

    async def nothing_to_do() -> None:
        return None

    featured = "|".join(re.escape(name) for name in FEATURED_EVENTS)
    app.event(re.compile(rf"^(?!(?:{featured})$)"))(nothing_to_do)


def _answer_everything_else(app: AsyncApp) -> None:
    """Clicks and other requests without a feature still get a 2xx, never a retried 404."""

    async def acknowledge(ack: AsyncAck) -> None:
        await ack()

    app.action(ANYTHING)(acknowledge)
    app.options(ANYTHING)(acknowledge)
    app.view(ANYTHING)(acknowledge)
    app.shortcut(ANYTHING)(acknowledge)


def _both_languages(key: str) -> str:
    return f"{Translator('en')(key)}\n{Translator('fr')(key)}"
