"""Delivering cards to Teams people for the core (`bot.delivery.Gateway`), and every outbound
call to the Bot Connector.

Proactive messages go through `continue_conversation` on the stored reference; a person known
only from a team gets a 1:1 conversation created through the connector first. Every connector
call is retried by `RetryPolicy` (429, 412 and 502–504 with backoff and jitter, Retry-After
honoured; waits too long to sleep through are handed back to the delivery worker as
`RetryAfter`) within Teams' per-conversation send limits (`SendLimiter`); a 403 (the person
blocked or uninstalled the bot) is never retried and marks them unreachable for good.

Connector clients make one attempt per call (retries are ours) and no call waits longer than
`ENGAGE_API_TIMEOUT_SECONDS` (msrest's default is 100 s). Their access tokens too: msrest asks
the credentials for a token synchronously, on the event loop, and MSAL waits for Microsoft's
login service without a timeout. So a client's token is fetched first, on a worker thread and
with the timeout; msrest then finds it in MSAL's cache, which lives as long as the credentials
(kept, not rebuilt for every client).
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)
from botframework.connector.auth import (
    ConnectorFactory,
    MicrosoftAppCredentials,
    ServiceClientCredentialsFactory,
)
from msal import ConfidentialClientApplication
from msrest.exceptions import ClientRequestError, HttpOperationError

from adapters.teams.contacts import Contact, ContactBook
from adapters.teams.ingest import PLATFORM, Json
from adapters.teams.render import card_activity, community_link, message_link
from bot.cards import Card
from bot.delivery import (
    Delivered,
    DeliveryResult,
    PermanentFailure,
    Recipient,
    RetryAfter,
    TransientFailure,
)
from bot.events import utcnow
from bot.services import Services


class TeamsGateway:
    platform = PLATFORM

    def __init__(
        self,
        adapter: CloudAdapter,
        contacts: ContactBook,
        app_id: str,
        *,
        policy: RetryPolicy | None = None,
        limiter: SendLimiter | None = None,
    ) -> None:
        self.adapter = adapter
        self.contacts = contacts
        self.app_id = app_id
        self.policy = policy or RetryPolicy()
        self.limiter = limiter or SendLimiter()

    async def send_card(self, recipient: Recipient, card: Card) -> DeliveryResult:
        contact = await self._reachable(recipient)
        if not isinstance(contact, Contact):
            return contact
        return await self._deliver(contact, card, message_id=None)

    async def update_card(
        self, recipient: Recipient, sent: Delivered, card: Card
    ) -> DeliveryResult:
        contact = await self._reachable(recipient)
        if not isinstance(contact, Contact):
            return contact
        if not sent.message:
            return PermanentFailure("teams:no_message_to_update")
        return await self._deliver(contact, card, message_id=sent.message)

    async def invite(self, recipient: Recipient, community: str) -> DeliveryResult:
        """Teams bots cannot add people to a team: "Join" opens `community_link` instead."""
        return PermanentFailure("teams:invite_unsupported")

    def community_link(self, workspace: str, community: str) -> str:
        home = self.contacts.channels.get((workspace, community))
        team = self.contacts.channels.get((workspace, home.team)) if home else None
        return community_link(workspace, community, home, team)

    async def thread_link(self, workspace: str, community: str, thread_key: str) -> str:
        """The thread's root message (`channel:root id` key), else the channel's link."""
        channel, _, message = thread_key.rpartition(":")
        if not channel or not message:
            return self.community_link(workspace, community)
        home = self.contacts.channels.get((workspace, channel))
        team = self.contacts.channels.get((workspace, home.team)) if home else None
        return message_link(workspace, channel, message, home, team)

    async def _reachable(self, recipient: Recipient) -> Contact | DeliveryResult:
        contact = await self.contacts.find(recipient.workspace, recipient.person)
        if contact is None:
            return PermanentFailure("teams:no_conversation_reference")
        if contact.unreachable:
            return PermanentFailure("teams:unreachable")
        if contact.conversation_id:
            return contact
        return await self._open(contact)

    async def _open(self, contact: Contact) -> Contact | DeliveryResult:
        """Create the 1:1 conversation with a person seen in a team where the bot is installed."""
        reference = contact.reference
        tenant = str(reference["conversation"].get("tenantId") or "")
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=reference["bot"]["id"]),
            members=[ChannelAccount(id=reference["user"]["id"])],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}},
        )

        async def create() -> str:
            client = await connector_client(self.adapter, self.app_id, reference["serviceUrl"])
            created = await client.conversations.create_conversation(parameters)
            return str(created.id)

        conversation, result, failure = await self.policy.run(create)
        if conversation is None:
            await self._after_failure(contact, failure)
            return result or PermanentFailure("teams:create_conversation")
        opened: Json = {
            **reference,
            "conversation": {
                "id": conversation,
                "conversationType": "personal",
                "tenantId": tenant,
            },
        }
        await self.contacts.opened(contact, opened)
        return Contact(contact.person_id, opened, None, False)

    async def _deliver(
        self, contact: Contact, card: Card, message_id: str | None
    ) -> DeliveryResult:
        reference = ConversationReference().deserialize(contact.reference)
        conversation = contact.conversation_id

        async def attempt() -> Delivered:
            await self._wait_for_slot(conversation)
            sent: list[str | None] = []

            async def callback(turn_context: TurnContext) -> None:
                activity = card_activity(card)
                if message_id is None:
                    response: Any = await turn_context.send_activity(activity)
                else:
                    activity.id = message_id
                    response = await turn_context.update_activity(activity)
                sent.append(response.id if response and response.id else message_id)

            await self.adapter.continue_conversation(reference, callback, self.app_id)
            return Delivered(conversation=conversation, message=sent[0] if sent else message_id)

        delivered, result, failure = await self.policy.run(attempt)
        if delivered is not None:
            return delivered
        await self._after_failure(contact, failure)
        return result or PermanentFailure("teams:send")

    async def _wait_for_slot(self, conversation: str) -> None:
        wait = self.limiter.reserve(conversation, within=self.policy.max_inline_seconds)
        if wait > self.policy.max_inline_seconds:
            raise ConnectorError(Failure(429, "SendLimit", retry_after=wait))
        if wait > 0:
            await self.policy.sleep(wait)

    async def _after_failure(self, contact: Contact, failure: Failure | None) -> None:
        if failure is not None and failure.status == BLOCKED:
            await self.contacts.mark_unreachable(contact)


def build_gateway(services: Services) -> TeamsGateway | None:
    """A Teams gateway for processes without the web server (see `adapters.main`)."""
    # app.py (authentication, adapter) and roster.py build on this module's connector clients.
    from adapters.teams.app import Authenticator, bot_framework_config
    from adapters.teams.roster import install_roster

    config = bot_framework_config(services.settings)
    if not config.APP_ID and services.settings.env == "prod":
        return None
    adapter = Authenticator(config, timeout=services.settings.api_timeout_seconds).cloud_adapter()
    install_roster(services, adapter, config.APP_ID)
    return TeamsGateway(adapter, ContactBook(services.database), config.APP_ID)


T = TypeVar("T")
RETRYABLE = frozenset({412, 429, 502, 503, 504})
BLOCKED = 403


@dataclass(frozen=True)
class Failure:
    """A connector call that failed: HTTP status (None for network errors) and error code."""

    status: int | None
    code: str = ""
    retry_after: float | None = None

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status in RETRYABLE

    def describe(self) -> str:
        status = "network" if self.status is None else str(self.status)
        return f"teams:{status}:{self.code}" if self.code else f"teams:{status}"


class ConnectorError(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.describe())
        self.failure = failure


def classify(exc: BaseException) -> Failure | None:
    """The failure behind a connector exception; None for anything else (a bug: re-raise)."""
    if isinstance(exc, ConnectorError):
        return exc.failure
    if isinstance(exc, ClientRequestError):
        return Failure(None, type(exc).__name__)
    if not isinstance(exc, HttpOperationError):
        return None
    response: Any = exc.response
    status = getattr(response, "status_code", None)
    headers = getattr(response, "headers", None) or {}
    code = getattr(getattr(exc.error, "error", None), "code", None) or ""
    return Failure(status, str(code), retry_after_seconds(headers.get("Retry-After")))


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds, whether given as a number or an HTTP date."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((moment - (now or utcnow())).total_seconds(), 0.0)


@dataclass
class RetryPolicy:
    attempts: int = 4
    base_seconds: float = 0.5
    max_inline_seconds: float = 30.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    jitter: Callable[[], float] = field(default=random.random)

    def wait(self, attempt: int, failure: Failure) -> float:
        """Retry-After when given (plus up to 10% jitter), else exponential backoff with jitter."""
        if failure.retry_after is not None:
            return float(failure.retry_after * (1 + 0.1 * self.jitter()))
        return self.base_seconds * float(2**attempt) * (0.5 + self.jitter() / 2)

    async def run(
        self, send: Callable[[], Awaitable[T]]
    ) -> tuple[T | None, DeliveryResult | None, Failure | None]:
        """(value, None, None) on success; otherwise (None, result to report, last failure)."""
        failure = Failure(None)
        wait = 0.0
        for attempt in range(self.attempts):
            try:
                return await send(), None, None
            except Exception as exc:
                found = classify(exc)
                if found is None:
                    raise
                failure = found
            if not failure.retryable:
                return None, PermanentFailure(failure.describe()), failure
            wait = self.wait(attempt, failure)
            if wait > self.max_inline_seconds or attempt == self.attempts - 1:
                break
            await self.sleep(wait)
        if failure.status == 429 or failure.retry_after is not None:
            return None, RetryAfter(wait, failure.describe()), failure
        return None, TransientFailure(failure.describe()), failure


# (seconds, sends allowed) per conversation: 7 per second, 60 per 30 s, 1,800 per hour.
WINDOWS: tuple[tuple[float, int], ...] = ((1.0, 7), (30.0, 60), (3600.0, 1800))
SWEEP_EVERY = 1000


class SendLimiter:
    """Books send slots per conversation so no window's limit is ever exceeded."""

    def __init__(
        self,
        windows: tuple[tuple[float, int], ...] = WINDOWS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.windows = windows
        self.clock = clock
        self.horizon = max(span for span, _ in windows)
        self._sent: dict[str, deque[float]] = {}
        self._reservations = 0

    def reserve(self, conversation: str, within: float = math.inf) -> float:
        """Seconds until the earliest slot every window allows; booked only if <= `within`."""
        now = self.clock()
        self._reservations += 1
        if self._reservations % SWEEP_EVERY == 0:
            self._sweep(now)
        sent = self._sent.setdefault(conversation, deque())
        while sent and sent[0] <= now - self.horizon:
            sent.popleft()
        slot = max(now, sent[-1]) if sent else now
        for span, limit in self.windows:
            if len(sent) >= limit:
                slot = max(slot, sent[-limit] + span)
        if slot - now <= within:
            sent.append(slot)
        return slot - now

    def _sweep(self, now: float) -> None:
        idle = [
            key for key, sent in self._sent.items() if not sent or sent[-1] <= now - self.horizon
        ]
        for key in idle:
            del self._sent[key]


def bounded(client: Any, timeout: float) -> Any:
    """One attempt per call, so `RetryPolicy` alone decides (with Retry-After); each
    attempt gives up after `timeout` seconds without an answer."""
    policy = client.config.retry_policy
    policy.retries = 0
    policy.policy.status_forcelist = []
    client.config.connection.timeout = timeout
    return client


class BoundedConnectors(ConnectorFactory):  # type: ignore[misc]
    """botbuilder's connector factory, whose every client is `bounded`."""

    def __init__(self, inner: ConnectorFactory, timeout: float) -> None:
        self.inner = inner
        self.timeout = timeout

    async def create(self, service_url: str, audience: str | None = None) -> Any:
        return bounded(await self.inner.create(service_url, audience), self.timeout)


class BoundedTokens(ServiceClientCredentialsFactory):  # type: ignore[misc]
    """botbuilder's credentials, kept per audience, whose tokens are fetched on a worker thread,
    with the timeout (see the module's docstring)."""

    def __init__(self, inner: ServiceClientCredentialsFactory, timeout: float) -> None:
        self.inner = inner
        self.timeout = timeout
        self._made: dict[tuple[str, str, str, bool], Any] = {}

    async def is_valid_app_id(self, app_id: str) -> bool:
        return bool(await self.inner.is_valid_app_id(app_id))

    async def is_authentication_disabled(self) -> bool:
        return bool(await self.inner.is_authentication_disabled())

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Any:
        key = (app_id, oauth_scope, login_endpoint, validate_authority)
        credentials = self._made.get(key)
        if credentials is None:
            credentials = await self.inner.create_credentials(
                app_id, oauth_scope, login_endpoint, validate_authority
            )
            self._made[key] = credentials
        if getattr(credentials, "microsoft_app_id", None):
            try:
                await asyncio.to_thread(self._fetch_token, credentials)
            except (OSError, ValueError) as error:  # requests' failures, MSAL's refusals
                raise ClientRequestError(
                    f"no Bot Framework token: {type(error).__name__}"
                ) from None
        return credentials

    def _fetch_token(self, credentials: Any) -> None:
        if isinstance(credentials, MicrosoftAppCredentials) and credentials.app is None:
            # What botframework builds on first use, with a timeout (MSAL's default is none).
            credentials.app = ConfidentialClientApplication(
                client_id=credentials.microsoft_app_id,
                client_credential=credentials.microsoft_app_password,
                authority=credentials.oauth_endpoint,
                timeout=self.timeout,
            )
        credentials.get_access_token()


async def connector_client(adapter: Any, app_id: str, service_url: str) -> Any:
    """A connector client for calls outside a turn (bounded, as the adapter's factory makes
    them): opening a conversation, the scheduled roster sync."""
    claims = adapter.create_claims_identity(app_id)
    factory = adapter.bot_framework_authentication.create_connector_factory(claims)
    return await factory.create(service_url, None)


def turn_client(turn_context: TurnContext) -> Any:
    """The connector client of this turn (made by a `BoundedConnectors`)."""
    return turn_context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY]
