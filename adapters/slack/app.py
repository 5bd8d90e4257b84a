"""The Bolt app, built from settings: no environment read and no network until a request."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from adapters.slack.commands import (
    SlackRuntime,
    register_campaign_form,
    register_commands,
    register_community_form,
    register_home,
)
from adapters.slack.gateway import SlackGateway, credentials_for
from adapters.slack.ingest import MISREAD, FastLane, Ingest, LookUpPeople
from adapters.slack.installs import (
    INSTALL_PATH,
    REDIRECT_PATH,
    InstalledAuthorize,
    OAuthInstalls,
    OAuthStates,
    SingleTokenAuthorize,
    configure,
    oauth_flow,
    shared_session,
    web_client,
)
from adapters.slack.people import People, ProfileReader
from adapters.slack.roster import RosterTriggers, install_roster
from adapters.web.rejections import rejections_of
from bot.errors import ConfigError, EngageError
from bot.i18n import Translator
from bot.services import Services
from bot.settings import Settings
from nudges.commands import full_router

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


log = logging.getLogger("engage.slack")
EVENTS_PATH = "/slack/events"
BOLT = web.AppKey("slack_bolt", AsyncApp)
SLACK = web.AppKey("slack_runtime", SlackRuntime)
FAST_LANE = web.AppKey("slack_fast_lane", FastLane)


def why_not_mounted(settings: Settings) -> str | None:
    if not (settings.slack_bot_token or uses_oauth(settings)):
        return "set SLACK_BOT_TOKEN, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET"
    if settings.slack_mode == "socket" and not settings.slack_app_token:
        return "ENGAGE_SLACK_MODE=socket needs SLACK_APP_TOKEN"
    if settings.slack_mode == "http" and not settings.slack_signing_secret:
        return "set SLACK_SIGNING_SECRET (or use ENGAGE_SLACK_MODE=socket)"
    return None


def mount_slack(app: web.Application, services: Services) -> None:
    """Add Slack's routes and lifecycle to the server; skip Slack with a warning if unset."""
    settings = services.settings
    problem = why_not_mounted(settings)
    if problem is not None:
        log.warning("Slack is off: %s", problem)
        return
    bolt, runtime = build_slack(services)
    app[BOLT], app[SLACK] = bolt, runtime
    services.gateways[runtime.gateway.platform] = runtime.gateway
    if settings.slack_signing_secret:
        app[FAST_LANE] = FastLane(
            settings.slack_signing_secret,
            services.tracker,
            runtime.people,
            rejections_of(app),
            runtime.roster_triggers,
        )
        app.router.add_post(EVENTS_PATH, _dispatch)
    if uses_oauth(settings):
        app.router.add_get(INSTALL_PATH, _install)
        app.router.add_get(REDIRECT_PATH, _oauth_redirect)
    app.cleanup_ctx.append(_lifecycle)


async def _dispatch(request: web.Request) -> web.Response:
    status = await request.app[FAST_LANE].answer(await request.read(), request.headers)
    if status is not None:
        return web.Response(status=status, content_type="text/plain")  # as Bolt's ack
    try:
        bolt_request = await to_bolt_request(request)
    except MISREAD:  # authentic, but Bolt cannot build its context from these field types
        request.app[FAST_LANE].rejections.count("slack", "malformed")
        return web.Response(status=200, content_type="text/plain")
    return await to_aiohttp_response(await request.app[BOLT].async_dispatch(bolt_request))


async def _install(request: web.Request) -> web.Response:
    flow = request.app[BOLT].oauth_flow
    assert flow is not None
    return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))


async def _oauth_redirect(request: web.Request) -> web.Response:
    flow = request.app[BOLT].oauth_flow
    assert flow is not None
    answer = await flow.handle_callback(await to_bolt_request(request))
    triggers = request.app[SLACK].roster_triggers
    if answer.status == 200 and triggers is not None:
        triggers.install_later()
    return await to_aiohttp_response(answer)


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    settings = app[SLACK].services.settings
    # One connection pool for every Web API call Bolt makes (each request copies the client).
    session = app[BOLT].client.session = shared_session(settings)
    socket: AsyncSocketModeHandler | None = None
    try:
        if settings.slack_mode == "socket":
            socket = await _connect_socket_mode(app[BOLT], settings)
        yield
    finally:
        if socket is not None:
            await socket.close_async()  # type: ignore[no-untyped-call]
        await app[SLACK].close()
        await session.close()


async def _connect_socket_mode(bolt: AsyncApp, settings: Settings) -> AsyncSocketModeHandler:
    socket = AsyncSocketModeHandler(bolt, settings.slack_app_token, logger=_socket_log())
    try:
        async with asyncio.timeout(settings.api_timeout_seconds):
            await socket.connect_async()  # type: ignore[no-untyped-call]
    except Exception as exc:
        await socket.close_async()  # type: ignore[no-untyped-call]
        reason = str(exc) or type(exc).__name__
        raise EngageError(f"Slack Socket Mode could not connect: {reason}") from None
    log.info("Slack Socket Mode connected")
    return socket


def _socket_log() -> logging.Logger:
    """slack_sdk logs every Socket Mode frame, message text included, at DEBUG: never keep those."""
    socket_log = logging.getLogger("engage.slack.socket_mode")
    socket_log.setLevel(max(logging.INFO, socket_log.getEffectiveLevel()))
    return socket_log
