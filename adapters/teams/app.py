"""Teams on the shared server: `/api/messages`, its Bot Framework authentication, and the
botbuilder adapter built from Settings (never from the environment).

Every activity is recorded through the tracker (committed) before any turn logic runs.
Channel traffic that only needs recording never builds botbuilder's per-turn connector and
token clients; a turn runs for personal messages, @mentions, card clicks and installs. An
invoke's response is built here from `process_activity`, never through `process()`, whose
4.17.1 version answers 500 for invokes that return a body.

Nothing on the acknowledgement path waits on the Bot Connector: a message, a mention or an
install is recorded and acknowledged first, and its answer (replies, a private chat, the
roster of a new team) runs `Beside` the requests, a few at a time. Only invokes, whose answer
is the response itself, run before it. A failure is logged, never raised; at shutdown the
work still running gets `ENGAGE_API_TIMEOUT_SECONDS` to finish, then is cancelled.

Who may post: Bot Framework JWT validation, on whenever an app id is set. botframework-connector
fetches its OpenID metadata with blocking `requests` calls, so a token is validated on a worker
thread (with its own event loop) and never stalls the server; those fetches give up after
`ENGAGE_API_TIMEOUT_SECONDS` (botframework sets no timeout).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt
import requests
from aiohttp import web
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botbuilder.schema import Activity, CallerIdConstants
from botframework.connector.auth import AuthenticationConstants, JwtTokenExtractor
from botframework.connector.auth.jwt_token_extractor import _OpenIdMetadata
from sqlalchemy.exc import SQLAlchemyError

from adapters.teams.commands import Turns, register_campaign_form, register_community_form
from adapters.teams.contacts import ContactBook, facts_from
from adapters.teams.gateway import BoundedConnectors, BoundedTokens, TeamsGateway
from adapters.teams.ingest import (
    PLATFORM,
    Json,
    UnusableActivityError,
    events_from,
    is_bot_installed,
    is_bot_removed,
    is_personal,
    mentions_recipient,
    team_id,
    team_roster_changed,
    tenant,
    text_field,
)
from adapters.teams.roster import install_roster
from adapters.web.app import Rejections, rejections_of
from bot.errors import ConfigError
from bot.services import Services
from bot.settings import Settings
from nudges.actions import full_router

log = logging.getLogger("engage.teams")


def mount_teams(app: web.Application, services: Services) -> TeamsBot:
    """Add `/api/messages`; register the gateway. Without an app id: dev only, with a warning."""
    settings = services.settings
    if not settings.teams_app_id:
        if settings.env == "prod":
            raise ConfigError("ENGAGE_ENV=prod refuses an empty MicrosoftAppId for Teams")
        log.warning("MicrosoftAppId is empty: /api/messages is not authenticated (dev only)")
    bot = TeamsBot.build(services, rejections_of(app))
    services.gateways[PLATFORM] = bot.gateway
    install_roster(services, bot.adapter, bot.gateway.app_id)
    app[TEAMS] = bot
    app.router.add_post("/api/messages", bot.messages)

    async def load_channels(_app: web.Application) -> None:
        try:
            await bot.contacts.load_channels()
        except SQLAlchemyError as exc:  # start anyway: /healthz says 503 until the database is back
            log.warning("Teams channel links not loaded at start: %s", exc)

    async def finish_answers(_app: web.Application) -> None:
        await bot.beside.close(grace=settings.api_timeout_seconds)

    app.on_startup.append(load_channels)
    app.on_shutdown.append(finish_answers)
    return bot


@dataclass
class TeamsBot:
    services: Services
    authenticator: Authenticator
    adapter: CloudAdapter
    contacts: ContactBook
    gateway: TeamsGateway
    turns: Turns
    rejections: Rejections
    beside: Beside

    @classmethod
    def build(cls, services: Services, rejections: Rejections) -> TeamsBot:
        config = bot_framework_config(services.settings)
        authenticator = Authenticator(config, timeout=services.settings.api_timeout_seconds)
        adapter = authenticator.cloud_adapter()
        contacts = ContactBook(services.database)
        gateway = TeamsGateway(adapter, contacts, config.APP_ID)
        turns = Turns(services, full_router(services), contacts, gateway)
        register_campaign_form(turns)
        register_community_form(turns)
        return cls(services, authenticator, adapter, contacts, gateway, turns, rejections, Beside())

    async def messages(self, request: web.Request) -> web.StreamResponse:
        """The token is checked before the activity is read: only its channel and service
        URL, which the token must match, are taken from the body first (from the token
        itself when the body cannot be read, which then gets its 400)."""
        activity = _decoded(await request.read())
        header = request.headers.get("Authorization")
        try:
            auth = await self.authenticator.authenticate(
                text_field(activity, "channelId"),
                claimed_service_url(header)
                if activity is None
                else text_field(activity, "serviceUrl"),
                header,
            )
        except UnauthorizedError:
            return self._refuse(401, "signature")
        except AuthUnavailableError:
            return web.Response(status=503)
        if request.content_type != "application/json":
            return web.Response(status=415)
        if activity is None or not isinstance(activity.get("type"), str):
            return self._refuse(400, "undecodable")
        try:
            events = events_from(activity)
        except UnusableActivityError as unusable:
            return self._refuse(_unusable_status(activity), unusable.reason)
        new = await self.services.tracker.record(events) if events else 0
        await self.contacts.remember(facts_from(activity))
        if is_bot_removed(activity) and team_id(activity):
            await self.contacts.forget_team(tenant(activity), team_id(activity))
        redelivered = bool(events) and new == 0 and activity["type"] != "invoke"
        if redelivered or not needs_turn(activity):
            return web.Response(status=200)
        parsed = _turnable(activity)
        if parsed is None:
            return self._refuse(_unusable_status(activity), "malformed")
        if activity["type"] == "invoke":
            return await self._turn(auth, activity, parsed)
        self.beside.start(lambda: self._turn(auth, activity, parsed), f"{activity['type']} turn")
        return web.Response(status=200)

    def _refuse(self, status: int, reason: str) -> web.Response:
        self.rejections.count(PLATFORM, reason)
        return web.Response(status=status)

    async def _turn(self, auth: Any, activity: Json, parsed: Activity) -> web.StreamResponse:
        try:
            response = await self.adapter.process_activity(
                auth, parsed, lambda turn_context: self.turns.run(turn_context, activity)
            )
        except Exception:
            log.exception("Teams turn failed for a %s activity", activity["type"])
            return web.Response(status=500 if activity["type"] == "invoke" else 200)
        if response is not None:
            return web.json_response(response.body, status=int(response.status))
        return web.Response(status=200)


TEAMS = web.AppKey("teams", TeamsBot)


def needs_turn(activity: Json) -> bool:
    """Only what the bot must answer pays for a botbuilder turn."""
    kind = activity.get("type")
    if kind == "invoke":
        return True
    if kind == "message":
        return (
            is_personal(activity)
            or mentions_recipient(activity)
            or activity.get("value") is not None
        )
    return is_bot_installed(activity) or team_roster_changed(activity)


def _turnable(activity: Json) -> Activity | None:
    """The activity as botbuilder reads it, or None when no turn can answer it: a turn
    answers in the activity's conversation, through its service URL."""
    if not text_field(activity, "conversation", "id") or not text_field(activity, "serviceUrl"):
        return None
    try:
        return Activity().deserialize(activity)
    except ValueError:  # msrest's DeserializationError: a field of the wrong type
        return None


def _decoded(body: bytes) -> Json | None:
    try:
        activity = json.loads(body)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, nested beyond reason
        return None
    return activity if isinstance(activity, dict) else None


def _unusable_status(activity: Json) -> int:
    """An unusable activity is acknowledged, so that it is not sent again; an invoke, whose
    sender waits for an answer, is told it was a bad request."""
    return 400 if activity.get("type") == "invoke" else 200


class Beside:
    """Answers that run after Teams got its acknowledgement, a few at a time."""

    def __init__(self, concurrency: int = 8) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    def start(self, work: Callable[[], Awaitable[object]], name: str) -> None:
        task = asyncio.create_task(self._run(work, name), name=name)
        self._tasks.add(task)
        self._idle.clear()
        task.add_done_callback(self._finished)

    async def settled(self) -> None:
        """Return once nothing is running (what starts meanwhile is waited for too)."""
        await self._idle.wait()

    async def close(self, grace: float) -> None:
        try:
            await asyncio.wait_for(self.settled(), grace)
        except TimeoutError:
            log.warning("%d Teams answer(s) cancelled at shutdown", len(self._tasks))
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, work: Callable[[], Awaitable[object]], name: str) -> None:
        async with self._slots:
            try:
                await work()
            except Exception:
                log.exception("Teams answer failed: %s", name)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not self._tasks:
            self._idle.set()


auth_log = logging.getLogger("engage.teams.auth")


class Authenticator:
    def __init__(self, config: BotFrameworkConfig, *, timeout: float) -> None:
        self.config = config
        self.authentication = BoundedAuthentication(config, timeout)

    def cloud_adapter(self) -> CloudAdapter:
        return CloudAdapter(self.authentication)

    async def authenticate(self, channel_id: str, service_url: str, header: str | None) -> Any:
        """An `AuthenticateRequestResult` for the activity (its turns' connector clients
        bounded), or UnauthorizedError."""
        result = await self._authenticate(channel_id, service_url, header)
        result.connector_factory = BoundedConnectors(
            result.connector_factory, self.authentication.timeout
        )
        return result

    async def _authenticate(self, channel_id: str, service_url: str, header: str | None) -> Any:
        probe = Activity(channel_id=channel_id, service_url=service_url)
        if not self.config.authenticates:
            return await self.authentication.authenticate_request(probe, None)
        if not header:
            raise UnauthorizedError("no Authorization header")
        try:
            return await asyncio.to_thread(self._check_blocking, probe, header)
        except PermissionError as exc:  # botframework's "not authorized" (an OSError too)
            auth_log.info("rejected a Bot Framework token: %s", exc)
            raise UnauthorizedError(str(exc)) from None
        except OSError as exc:  # requests' errors: the OpenID metadata could not be fetched
            auth_log.warning("Bot Framework token check unavailable: %s", type(exc).__name__)
            raise AuthUnavailableError(type(exc).__name__) from None
        except Exception as exc:
            auth_log.info("rejected a Bot Framework token: %s", type(exc).__name__)
            raise UnauthorizedError(type(exc).__name__) from None

    def _check_blocking(self, probe: Activity, header: str) -> Any:
        return asyncio.run(self.authentication.authenticate_request(probe, header))


class UnauthorizedError(Exception):
    """The request carries no valid Bot Framework token."""


class AuthUnavailableError(Exception):
    """The token could not be checked (OpenID metadata unreachable): worth a retry."""


def claimed_service_url(header: str | None) -> str:
    """The service URL a bearer token names, read without checking the token: the one to
    check it against when the body, which should name it, cannot be read. Checking the
    token then verifies its signature, issuer, audience and lifetime as always."""
    _, _, token = (header or "").partition(" ")
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return ""
    value = claims.get("serviceurl")
    return value if isinstance(value, str) else ""


class BoundedAuthentication(ConfigurationBotFrameworkAuthentication):  # type: ignore[misc]
    """Bounded OpenID metadata fetches; bounded connector clients for proactive sends and
    new conversations."""

    def __init__(self, config: BotFrameworkConfig, timeout: float) -> None:
        tokens = BoundedTokens(ConfigurationServiceClientCredentialFactory(config), timeout)
        super().__init__(config, credentials_factory=tokens)
        self.timeout = timeout
        urls = (
            config.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
            or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
            config.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
            or AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
        )
        # botframework keeps one metadata object per URL in this process-wide cache.
        for url in urls:
            JwtTokenExtractor.metadataCache[url] = BoundedOpenIdMetadata(url, timeout)

    def create_connector_factory(self, claims_identity: Any) -> BoundedConnectors:
        return BoundedConnectors(super().create_connector_factory(claims_identity), self.timeout)


class BoundedOpenIdMetadata(_OpenIdMetadata):  # type: ignore[misc]
    """botframework's OpenID metadata and signing keys, fetched with a timeout."""

    def __init__(self, url: str, timeout: float) -> None:
        super().__init__(url)
        self.timeout = timeout

    async def _refresh(self) -> None:
        # Runs on the worker thread's own event loop (see `_check_blocking`): blocking is fine.
        response = requests.get(self.url, timeout=self.timeout)  # noqa: ASYNC210
        response.raise_for_status()
        keys = requests.get(response.json()["jwks_uri"], timeout=self.timeout)  # noqa: ASYNC210
        keys.raise_for_status()
        self.last_updated = datetime.now()
        self.keys = keys.json()["keys"]


@dataclass(frozen=True)
class BotFrameworkConfig:
    """Attribute names are the ones `ConfigurationBotFrameworkAuthentication` looks up."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TENANTID: str
    APP_TYPE: str
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str | None = None
    TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL: str | None = None
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str | None = None
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str | None = None
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str | None = None
    OAUTH_URL: str | None = None
    CALLER_ID: str | None = None

    @property
    def authenticates(self) -> bool:
        """JWT validation is on whenever an app id is set."""
        return bool(self.APP_ID)


def bot_framework_config(settings: Settings) -> BotFrameworkConfig:
    """Public-cloud defaults; a custom OpenID metadata URL switches to explicit parameters."""
    base = BotFrameworkConfig(
        APP_ID=settings.teams_app_id,
        APP_PASSWORD=settings.teams_app_password,
        APP_TENANTID=settings.teams_app_tenant_id,
        APP_TYPE=settings.teams_app_type,
    )
    if not settings.teams_openid_metadata_url:
        return base
    return BotFrameworkConfig(
        APP_ID=base.APP_ID,
        APP_PASSWORD=base.APP_PASSWORD,
        APP_TENANTID=base.APP_TENANTID,
        APP_TYPE=base.APP_TYPE,
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=settings.teams_openid_metadata_url,
        TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=(
            AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
        ),
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
        TO_CHANNEL_FROM_BOT_LOGIN_URL=AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX,
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
        OAUTH_URL=AuthenticationConstants.OAUTH_URL,
        CALLER_ID=CallerIdConstants.public_azure_channel,
    )
