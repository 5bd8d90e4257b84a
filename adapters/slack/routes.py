"""Slack on the shared aiohttp server: /slack/events, the OAuth pages, Socket Mode."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from adapters.slack.clients import shared_session
from adapters.slack.factory import build_slack, uses_oauth
from adapters.slack.fast_lane import FastLane
from adapters.slack.oauth import INSTALL_PATH, REDIRECT_PATH
from adapters.slack.runtime import SlackRuntime
from adapters.slack.translate import MISREAD
from adapters.web.app import rejections_of
from bot.errors import EngageError
from bot.services import Services
from bot.settings import Settings

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
