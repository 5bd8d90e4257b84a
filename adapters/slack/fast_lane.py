"""The fast lane for plain events: verified, recorded and answered without Bolt's dispatch.

Most Events API traffic (messages, reactions, joins) only needs recording: its listener is
a no-op. For such an event, once its signature is checked exactly as Bolt checks it and
every person in it is already known to `People`, the lane commits it to the inbox and
answers the 2xx that Bolt's no-op listener would give, skipping Bolt's context building,
authorization and listener matching. Anything else (a bad or missing signature, another
request type, an event with a listener or a side effect, a person to look up) returns
None and goes through Bolt unchanged, so Bolt keeps the 401s and every feature.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt.request.internals import extract_team_id
from slack_sdk.signature import SignatureVerifier

from adapters.slack.envelope import Envelope
from adapters.slack.ingest import PEOPLE_FIELDS
from adapters.slack.people import People
from adapters.slack.translate import translate
from bot.storage.database import describe_db_error
from bot.tracker import Tracker

log = logging.getLogger("engage.slack.ingest")
# Events with a listener of their own or a side effect in `Ingest`: always through Bolt.
BOLT_ONLY_EVENTS = frozenset({"app_home_opened", "app_uninstalled", "tokens_revoked"})


class FastLane:
    def __init__(self, signing_secret: str, tracker: Tracker, people: People) -> None:
        self._verifier = SignatureVerifier(signing_secret)
        self._tracker = tracker
        self._people = people

    async def answer(self, body: bytes, headers: Mapping[str, str]) -> int | None:
        """The HTTP status for a plain event, recorded first; None to let Bolt handle it."""
        payload = self._plain_event(body, headers)
        if payload is None:
            return None
        try:
            await self._tracker.record(translate(payload))
        except Exception as exc:
            # Not acknowledged: Slack retries, and retries are duplicates by key.
            log.error("Slack event not recorded: %s", describe_db_error(exc))
            return 500
        return 200

    def _plain_event(self, body: bytes, headers: Mapping[str, str]) -> dict[str, Any] | None:
        if not body.startswith(b"{"):
            return None
        timestamp = headers.get("X-Slack-Request-Timestamp")
        signature = headers.get("X-Slack-Signature")
        if not timestamp or not signature:
            return None
        if not self._verifier.is_valid(body=body, timestamp=timestamp, signature=signature):
            return None
        try:
            payload = json.loads(body)
        except ValueError:
            return None
        if not isinstance(payload, dict) or payload.get("type") != "event_callback":
            return None
        event = payload.get("event")
        if not isinstance(event, dict):
            return None
        kind = event.get("type")
        if not isinstance(kind, str) or not kind or kind in BOLT_ONLY_EVENTS:
            return None
        return payload if self._everyone_known(payload, event) else None

    def _everyone_known(self, payload: dict[str, Any], event: Mapping[str, Any]) -> bool:
        """True when Bolt's `LookUpPeople` would have nothing to do for this event."""
        workspace = extract_team_id(payload)
        if not workspace or isinstance(event.get("user"), Mapping):
            return False
        bots = Envelope(payload).bot_users | {None, ""}
        people = {event.get(field) for field in PEOPLE_FIELDS} - bots
        return all(self._people.known(workspace, str(person)) for person in people)
