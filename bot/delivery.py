"""What the core needs from a platform to deliver a message, in neutral terms.

Each adapter implements `Gateway`; the delivery worker only sees these types. The core
schedules from the results alone: `RetryAfter` is retried after its delay without blocking
anything, `TransientFailure` with backoff, `PermanentFailure` never.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.cards import Card


@dataclass(frozen=True, slots=True)
class Recipient:
    platform: str
    workspace: str
    person: str


@dataclass(frozen=True, slots=True)
class Delivered:
    """Sent. `conversation` and `message` identify it on the platform (to update it later)."""

    conversation: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class RetryAfter:
    """The platform asked us to wait (rate limit) before trying again."""

    seconds: float
    reason: str = "rate_limited"


@dataclass(frozen=True, slots=True)
class TransientFailure:
    """Failed for a reason that may pass (network, platform outage): retry with backoff."""

    reason: str


@dataclass(frozen=True, slots=True)
class PermanentFailure:
    """Will never succeed as asked (person gone, channel archived, app uninstalled)."""

    reason: str


DeliveryResult = Delivered | RetryAfter | TransientFailure | PermanentFailure


class Gateway(Protocol):
    """Implemented by each adapter (`adapters/slack/gateway.py`, `adapters/teams/gateway.py`)
    and registered in `Services.gateways[platform]`."""

    platform: str

    async def send_card(self, recipient: Recipient, card: Card) -> DeliveryResult:
        """Open (or reuse) a direct conversation with the person and post the card."""
        ...

    async def update_card(
        self, recipient: Recipient, sent: Delivered, card: Card
    ) -> DeliveryResult:
        """Replace a card sent earlier (after a click); `sent` is what send_card returned."""
        ...

    async def invite(self, recipient: Recipient, community: str) -> DeliveryResult:
        """Add the person to a community on their own click, where the platform allows."""
        ...

    def community_link(self, workspace: str, community: str) -> str:
        """A deep link that opens the community for the person."""
        ...


@runtime_checkable
class ThreadLinks(Protocol):
    """A gateway that can link to one thread (optional beyond `Gateway`); it falls back to
    the community's link itself when the thread's cannot be had."""

    async def thread_link(self, workspace: str, community: str, thread_key: str) -> str: ...
