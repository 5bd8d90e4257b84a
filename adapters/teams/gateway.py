"""Delivering cards to Teams people for the core (`bot.delivery.Gateway`).

Proactive messages go through `continue_conversation` on the stored reference; a person
known only from a team gets a 1:1 conversation created through the connector first.
Every connector call is retried by `RetryPolicy` within the per-conversation send limits;
a 403 (the person blocked or uninstalled the bot) marks them unreachable for good.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)

from adapters.teams.auth import Authenticator
from adapters.teams.config import bot_framework_config
from adapters.teams.contacts import Contact, ContactBook
from adapters.teams.ingest import PLATFORM, Json
from adapters.teams.limits import SendLimiter
from adapters.teams.render import card_activity, community_link, message_link
from adapters.teams.retry import BLOCKED, ConnectorError, Failure, RetryPolicy
from adapters.teams.roster import install_roster
from bot.cards import Card
from bot.delivery import Delivered, DeliveryResult, PermanentFailure, Recipient
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
            claims = self.adapter.create_claims_identity(self.app_id)
            factory = self.adapter.bot_framework_authentication.create_connector_factory(claims)
            client = await factory.create(reference["serviceUrl"], None)
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
    """The `engage.gateways` entry point: a gateway for processes without the web server."""
    config = bot_framework_config(services.settings)
    if not config.APP_ID and services.settings.env == "prod":
        return None
    adapter = Authenticator(config, timeout=services.settings.api_timeout_seconds).cloud_adapter()
    install_roster(services, adapter, config.APP_ID)
    return TeamsGateway(adapter, ContactBook(services.database), config.APP_ID)
