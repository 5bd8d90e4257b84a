from __future__ import annotations

from datetime import UTC, datetime

from adapters.console.gateway import ConsoleGateway
from bot.cards import Card, Paragraph
from bot.delivery import Delivered, Recipient


async def test_the_current_person_sees_their_messages_others_find_them_later() -> None:
    shown: list[tuple[str, Card]] = []
    gateway = ConsoleGateway(
        current="U1",
        show=lambda title, card: shown.append((title, card)),
        clock=lambda: datetime(2026, 4, 7, 10, 0, tzinfo=UTC),
    )
    hello, later = Card((Paragraph("hello"),)), Card((Paragraph("later"),))
    first = await gateway.send_card(Recipient("console", "demo", "U1"), hello)
    second = await gateway.send_card(Recipient("console", "demo", "U2"), later)
    assert isinstance(first, Delivered)
    assert isinstance(second, Delivered)
    assert first.message != second.message
    assert shown == [("direct message from Engage, Tue 2026-04-07 10:00 UTC", hello)]
    assert gateway.take_waiting("U2") == [later]
    assert gateway.take_waiting("U2") == []


async def test_invite_records_the_join_through_the_callback() -> None:
    invited: list[tuple[str, str]] = []

    async def on_invite(recipient: Recipient, community: str) -> None:
        invited.append((recipient.person, community))

    gateway = ConsoleGateway(on_invite=on_invite)
    result = await gateway.invite(Recipient("console", "demo", "U1"), "C9")
    assert result == Delivered(conversation="C9")
    assert invited == [("U1", "C9")]
    assert gateway.community_link("demo", "C9") == "console://demo/C9"
