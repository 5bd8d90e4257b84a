"""The console's Gateway and cards as plain text.

Direct messages for the person you act as are printed at once, everyone else's wait until
you act as them; `render` turns a card into text with its command buttons as numbered
choices.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.cards import Actions, Card
from bot.commands import COMMAND_ACTION
from bot.delivery import Delivered, DeliveryResult, Recipient
from bot.events import utcnow
from bot.i18n import Translator

PLATFORM = "console"
Show = Callable[[str, Card], None]
Clock = Callable[[], datetime]
Invite = Callable[[Recipient, str], Awaitable[None]]


def _ignore(_title: str, _card: Card) -> None:
    return None


@dataclass
class ConsoleGateway:
    """`show(title, card)` prints a card; `on_invite` records the join the platform would."""

    platform: str = PLATFORM
    current: str | None = None
    show: Show = _ignore
    on_invite: Invite | None = None
    clock: Clock = utcnow
    waiting: defaultdict[str, list[Card]] = field(default_factory=lambda: defaultdict(list))
    sent: int = 0
    t: Translator = field(default_factory=lambda: Translator("en"))

    async def send_card(self, recipient: Recipient, card: Card) -> DeliveryResult:
        self.sent += 1
        if recipient.person == self.current:
            when = self.t.moment(self.clock(), "format.short_moment")
            self.show(self.t("console.direct", moment=when), card)
        else:
            self.waiting[recipient.person].append(card)
        return Delivered(conversation=f"DM-{recipient.person}", message=str(self.sent))

    async def update_card(
        self, recipient: Recipient, sent: Delivered, card: Card
    ) -> DeliveryResult:
        if recipient.person == self.current:
            self.show(self.t("console.updated"), card)
        return sent

    async def invite(self, recipient: Recipient, community: str) -> DeliveryResult:
        if self.on_invite is not None:
            await self.on_invite(recipient, community)
        return Delivered(conversation=community)

    def community_link(self, workspace: str, community: str) -> str:
        return f"console://{workspace}/{community}"

    def take_waiting(self, person: str) -> list[Card]:
        return self.waiting.pop(person, [])


@dataclass(frozen=True)
class Rendered:
    text: str
    choices: tuple[str, ...]
    """The command lines of the card's buttons, numbered from `first` in the text."""


def render(card: Card, first: int = 1) -> Rendered:
    body = Card(tuple(b for b in card.blocks if not isinstance(b, Actions))).text()
    choices: list[str] = []
    labels: list[str] = []
    for block in card.blocks:
        if not isinstance(block, Actions):
            continue
        for button in block.buttons:
            if button.action == COMMAND_ACTION and button.value:
                choices.append(button.value)
                labels.append(f"{first + len(choices) - 1}) {button.label}")
    lines = [body] if body else []
    if labels:
        lines.append("   ".join(labels))
    return Rendered("\n".join(lines), tuple(choices))
