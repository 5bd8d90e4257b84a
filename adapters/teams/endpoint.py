"""`/api/messages` on the shared server: authenticate, record, answer only when needed.

Every activity is recorded through the tracker (committed) before any turn logic runs.
Channel traffic that only needs recording never builds botbuilder's per-turn connector and
token clients; a turn runs for personal messages, @mentions, card clicks and installs. An
invoke's response is built here from `process_activity`, never through `process()`, whose
4.17.1 version answers 500 for invokes that return a body.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from sqlalchemy.exc import SQLAlchemyError

from adapters.teams.activity import (
    PLATFORM,
    Json,
    is_personal,
    mentions_recipient,
    team_id,
    tenant,
    text_field,
)
from adapters.teams.auth import (
    Authenticator,
    AuthUnavailableError,
    UnauthorizedError,
    claimed_service_url,
)
from adapters.teams.beside import Beside
from adapters.teams.campaign_form import register_campaign_form
from adapters.teams.community_form import register_community_form
from adapters.teams.config import bot_framework_config
from adapters.teams.contacts import ContactBook
from adapters.teams.gateway import TeamsGateway
from adapters.teams.ingest import (
    UnusableActivityError,
    events_from,
    is_bot_installed,
    is_bot_removed,
)
from adapters.teams.ingest_updates import team_roster_changed
from adapters.teams.references import facts_from
from adapters.teams.roster import install_roster
from adapters.teams.turns import Turns
from adapters.web.app import Rejections, rejections_of
from bot.errors import ConfigError
from bot.services import Services
from nudges.commands import full_router

log = logging.getLogger("engage.teams")


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


TEAMS = web.AppKey("teams", TeamsBot)


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
