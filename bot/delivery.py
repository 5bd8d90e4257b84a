"""What the core needs from a platform to deliver a message, in neutral terms.

Each adapter implements `Gateway`; the delivery worker only sees these types.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.cards import Card


@dataclass(frozen=True)
class Recipient:
    platform: str
    workspace: str
    person: str


@dataclass(frozen=True)
class Delivered:
    """Sent; `message_ref` lets the sender update the message after a click."""

    message_ref: str = ""


@dataclass(frozen=True)
class RetryAfter:
    """Rate limited: try again no sooner than `seconds` from now."""

    seconds: float


@dataclass(frozen=True)
class TransientFailure:
    """Worth retrying with backoff (timeouts, 5xx)."""

    reason: str


@dataclass(frozen=True)
class PermanentFailure:
    """Never retry (blocked the bot, user gone, channel archived…)."""

    reason: str


DeliveryResult = Delivered | RetryAfter | TransientFailure | PermanentFailure


class Gateway(Protocol):
    platform: str

    async def send_card(self, recipient: Recipient, card: Card) -> DeliveryResult:
        """Open (or reuse) a direct conversation with the person and post the card."""
        ...

    async def update_card(
        self, recipient: Recipient, message_ref: str, card: Card
    ) -> DeliveryResult:
        """Replace a card sent earlier (after a click)."""
        ...

    async def invite(self, recipient: Recipient, community: str) -> DeliveryResult:
        """Add the person to a community on their own click, where the platform allows."""
        ...

    def community_link(self, workspace: str, community: str) -> str:
        """A deep link that opens the community for the person."""
        ...
