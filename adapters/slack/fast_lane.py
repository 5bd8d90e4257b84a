"""The front of `/slack/events`: every request is verified here first, before Bolt reads it.

A request without a valid, fresh signature is refused (401), and one whose body is not
the JSON or form Slack sends is answered 400, both without Bolt, so neither reaches Bolt's
parser or its logs. An authentic `event_callback` that cannot be read (a field of the
wrong type) is answered 200 and counted, since Slack would retry it forever.

Most Events API traffic (messages, reactions, joins) only needs recording: its listener is
a no-op. For such an event, once every person in it is already known to `People`, the
lane commits it to the inbox and answers the 2xx that Bolt's no-op listener would give,
skipping Bolt's context building, authorization and listener matching. Anything else (an
event with a listener or a side effect, a person to look up, another request type) returns
None and goes through Bolt unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt.request.internals import extract_team_id, parse_body
from slack_sdk.signature import SignatureVerifier

from adapters.slack.envelope import PLATFORM, Envelope
from adapters.slack.ingest import PEOPLE_FIELDS
from adapters.slack.people import People
from adapters.slack.roster import RosterTriggers
from adapters.slack.translate import MISREAD, UnusableEventError, translate
from adapters.web.app import Rejections
from bot.events import Event
from bot.storage.database import describe_db_error
from bot.tracker import Tracker

log = logging.getLogger("engage.slack.ingest")
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
            log.error("Slack event not recorded: %s", describe_db_error(exc))
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
