"""An in-memory Gateway for the delivery worker's tests: records calls, answers as scripted."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field

from bot.cards import Card
from bot.delivery import Delivered, DeliveryResult, Recipient


@dataclass
class FakeGateway:
    """Answers `Delivered` unless `script[person]` holds results to return first, in order.

    People in `silent` never get an answer (the call waits until cancelled).
    """

    platform: str = "slack"
    script: dict[str, list[DeliveryResult]] = field(default_factory=lambda: defaultdict(list))
    silent: set[str] = field(default_factory=set)
    sent: list[tuple[Recipient, Card]] = field(default_factory=list)
    updated: list[tuple[Recipient, Delivered, Card]] = field(default_factory=list)
    invited: list[tuple[Recipient, str]] = field(default_factory=list)

    def calls_for(self, person: str) -> int:
        return sum(1 for recipient, _ in self.sent if recipient.person == person)

    async def send_card(self, recipient: Recipient, card: Card) -> DeliveryResult:
        self.sent.append((recipient, card))
        if recipient.person in self.silent:
            await asyncio.Event().wait()
        if self.script[recipient.person]:
            return self.script[recipient.person].pop(0)
        return Delivered(conversation=f"D{recipient.person}", message=f"{len(self.sent)}.000100")

    async def update_card(
        self, recipient: Recipient, sent: Delivered, card: Card
    ) -> DeliveryResult:
        self.updated.append((recipient, sent, card))
        return sent

    async def invite(self, recipient: Recipient, community: str) -> DeliveryResult:
        self.invited.append((recipient, community))
        return Delivered(conversation=community)

    def community_link(self, workspace: str, community: str) -> str:
        return f"https://example.invalid/{workspace}/{community}"
