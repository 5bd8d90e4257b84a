"""Durable ingest: every Events API request is recorded before Slack gets its answer.

`Ingest` runs right after signature verification, before authorization and before any
listener (Bolt acks events before running a listener, and runs only one per event), so
an event is committed to the tracker's inbox before the 2xx leaves, whatever follows. A
failed commit answers 500 and Slack retries; retries are duplicates by key.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from adapters.slack.credentials import Credentials
from adapters.slack.people import People
from adapters.slack.roster import RosterTriggers
from adapters.slack.translate import UnusableEventError, translate
from bot.tracker import Tracker

log = logging.getLogger("engage.slack.ingest")
Next = Callable[[], Awaitable[BoltResponse]]
PEOPLE_FIELDS = ("user", "item_user")


def _event(body: Mapping[str, Any]) -> Mapping[str, Any]:
    if body.get("type") != "event_callback":
        return {}
    event = body.get("event")
    return event if isinstance(event, Mapping) else {}


class Ingest(AsyncMiddleware):
    def __init__(
        self, tracker: Tracker, credentials: Credentials, triggers: RosterTriggers | None = None
    ) -> None:
        self._tracker = tracker
        self._credentials = credentials
        self._triggers = triggers

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Next
    ) -> BoltResponse | None:
        try:
            events = translate(req.body)
        except UnusableEventError as exc:  # over HTTP, `FastLane` answered it before Bolt
            log.warning("Slack event not usable: %s", exc)
            return BoltResponse(status=200, body="")
        if events:
            await self._tracker.record(events)
        if self._triggers is not None:
            self._triggers.seen(req.body)
        kind = _event(req.body).get("type")
        if kind == "app_uninstalled" or (kind == "tokens_revoked" and _bot_tokens_revoked(req)):
            await self._credentials.disable(req.context.enterprise_id, req.context.team_id)
        return await next()


def _bot_tokens_revoked(req: AsyncBoltRequest) -> bool:
    tokens = _event(req.body).get("tokens")
    return isinstance(tokens, Mapping) and bool(tokens.get("bot"))


class LookUpPeople(AsyncMiddleware):
    """After authorization: learn the locale and time zone of people seen in events."""

    def __init__(self, people: People) -> None:
        self._people = people

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Next
    ) -> BoltResponse | None:
        event = _event(req.body)
        workspace = req.context.team_id
        if event and workspace:
            user = event.get("user")
            if isinstance(user, Mapping):
                self._people.remember(workspace, user, req.context.client)
            else:
                bots = {req.context.bot_user_id, None, ""}
                people = {event.get(field) for field in PEOPLE_FIELDS} - bots
                self._people.look_up_later(req.context.client, workspace, sorted(map(str, people)))
        return await next()
