"""Slack on the shared aiohttp server: `/slack/events` behind its fast lane, the OAuth
pages, Socket Mode, and the Bolt app they dispatch to, built from settings (no environment
read and no network until a request).

`FastLane` is the front of `/slack/events`: every request is verified there first, before
Bolt reads it. A request without a valid, fresh signature is refused (401), and one whose
body is not the JSON or form Slack sends is answered 400, both without Bolt, so neither
reaches Bolt's parser or its logs. An authentic `event_callback` that cannot be read (a
field of the wrong type) is answered 200 and counted, since Slack would retry it forever.
Most Events API traffic (messages, reactions, joins) only needs recording: once every
person in such an event is already known to `People`, the lane commits it to the inbox
and answers the 2xx that Bolt's no-op listener would give, skipping Bolt's context
building, authorization and listener matching. Anything else goes through Bolt unchanged.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.request.internals import extract_team_id, parse_body
from slack_sdk.signature import SignatureVerifier

from adapters.slack.clients import configure, shared_session, web_client
from adapters.slack.commands import (
    SlackRuntime,
    register_campaign_form,
    register_commands,
    register_community_form,
    register_home,
)
from adapters.slack.gateway import SlackGateway, credentials_for
from adapters.slack.ingest import (
    MISREAD,
    PEOPLE_FIELDS,
    Envelope,
    Ingest,
    LookUpPeople,
    UnusableEventError,
    translate,
)
from adapters.slack.installs import (
    INSTALL_PATH,
    PLATFORM,
    REDIRECT_PATH,
    InstalledAuthorize,
    OAuthInstalls,
    OAuthStates,
    SingleTokenAuthorize,
    oauth_flow,
)
from adapters.slack.people import People, ProfileReader
from adapters.slack.roster import RosterTriggers, install_roster
from adapters.web.app import Rejections, rejections_of
from bot.errors import ConfigError, EngageError
from bot.events import Event
from bot.i18n import Translator
from bot.services import Services
from bot.settings import Settings
from bot.storage.database import describe_db_error
from bot.tracker import Tracker
from nudges.actions import full_router

log = logging.getLogger("engage.slack")
ingest_log = logging.getLogger("engage.slack.ingest")
EVENTS_PATH = "/slack/events"
ANYTHING = re.compile(".*")

# Events with a listener of their own; every other event is answered by a no-op listener.
FEATURED_EVENTS = ("app_home_opened",)

# Events with a listener of their own or a side effect in `Ingest`: always through Bolt.
BOLT_ONLY_EVENTS = frozenset({"app_home_opened", "app_uninstalled", "tokens_revoked"})

# The type of each field Bolt reads from any request while routing it (context, matching,
# its own warnings); a request that differs is none that Slack sends.
BOLT_READS: dict[str, tuple[type, ...]] = {
    "type": (str,),
    "team": (dict, str, type(None)),
    "enterprise": (dict, str, type(None)),
    "user": (dict, str),
    "channel": (dict, str),
    "view": (dict,),
    "event": (dict,),
    "container": (dict,),
    "message": (dict,),
    "authorizations": (list,),
    "actions": (list,),
    "callback_id": (str,),
    "action_id": (str,),
    "block_id": (str,),
    "command": (str,),
}

EVENT_READS: dict[str, tuple[type, ...]] = {
    "type": (str,),
    "subtype": (str, type(None)),
    "channel_type": (str, type(None)),
}


class RefusedError(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class FastLane:
    def __init__(
        self,
        signing_secret: str,
        tracker: Tracker,
        people: People,
        rejections: Rejections,
        triggers: RosterTriggers | None = None,
    ) -> None:
        self._verifier = SignatureVerifier(signing_secret)
        self._triggers = triggers
        self._tracker = tracker
        self._people = people
        self.rejections = rejections

    async def answer(self, body: bytes, headers: Mapping[str, str]) -> int | None:
        """The HTTP status for a request refused or a plain event recorded; None to let
        Bolt handle it (the request is then authentic and its body a JSON object)."""
        try:
            payload = self._authentic(body, headers)
            events = translate(payload)
        except RefusedError as refused:
            self.rejections.count(PLATFORM, refused.reason)
            return refused.status
        except UnusableEventError:
            self.rejections.count(PLATFORM, "malformed")
            return 200
        if not self._plain_event(payload):
            return None
        status = await self._record(events)
        if status == 200 and self._triggers is not None:
            self._triggers.seen(payload)
        return status

    async def _record(self, events: list[Event]) -> int:
        try:
            await self._tracker.record(events)
        except Exception as exc:
            # Not acknowledged: Slack retries, and retries are duplicates by key.
            ingest_log.error("Slack event not recorded: %s", describe_db_error(exc))
            return 500
        return 200

    def _authentic(self, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        """The body as Bolt will parse it, once its signature is checked as Bolt checks it."""
        timestamp = headers.get("X-Slack-Request-Timestamp")
        signature = headers.get("X-Slack-Signature")
        try:
            valid = bool(timestamp and signature) and self._verifier.is_valid(
                body=body, timestamp=timestamp, signature=signature
            )
        except (TypeError, ValueError):  # a timestamp that is no number, a non-ASCII signature
            valid = False
        if not valid:
            raise RefusedError(401, "signature")
        content_type = headers.get("Content-Type", "").split(";")[0].strip() or None
        try:
            payload = parse_body(body.decode(), content_type)
        except (ValueError, RecursionError):  # not UTF-8, not JSON, nested beyond reason
            raise RefusedError(400, "undecodable") from None
        if not isinstance(payload, dict):
            raise RefusedError(400, "undecodable")
        if not _readable_by_bolt(payload):
            raise RefusedError(200, "malformed")
        return payload

    def _plain_event(self, payload: dict[str, Any]) -> bool:
        if payload.get("type") != "event_callback":
            return False
        event = payload.get("event")
        if not isinstance(event, dict):
            return False
        kind = event.get("type")
        if not isinstance(kind, str) or not kind or kind in BOLT_ONLY_EVENTS:
            return False
        return self._everyone_known(payload, event)

    def _everyone_known(self, payload: dict[str, Any], event: Mapping[str, Any]) -> bool:
        """True when Bolt's `LookUpPeople` would have nothing to do for this event."""
        try:
            workspace = extract_team_id(payload)
        except MISREAD:  # Bolt fails alike while building its context: see `routes`
            return False
        if (
            not isinstance(workspace, str)
            or not workspace
            or isinstance(event.get("user"), Mapping)
        ):
            return False
        bots = Envelope(payload).bot_users | {None, ""}
        people = {event.get(field) for field in PEOPLE_FIELDS} - bots
        return all(self._people.known(workspace, str(person)) for person in people)


def _readable_by_bolt(payload: dict[str, Any]) -> bool:
    """Whether Bolt can route this payload without failing on a field of the wrong type."""
    if not _typed(payload, BOLT_READS) or not _typed(payload.get("event") or {}, EVENT_READS):
        return False
    for name in ("authorizations", "actions"):
        if not all(isinstance(item, dict) for item in payload.get(name) or ()):
            return False
    actions = payload.get("actions") or ()
    return payload.get("type") != "block_actions" or bool(
        actions and all(isinstance(action.get("action_id"), str) for action in actions)
    )


def _typed(data: dict[str, Any], types: dict[str, tuple[type, ...]]) -> bool:
    return all(name not in data or isinstance(data[name], kinds) for name, kinds in types.items())


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
