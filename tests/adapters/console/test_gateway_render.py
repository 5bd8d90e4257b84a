from __future__ import annotations

from adapters.console.gateway import render
from bot.cards import Actions, Button, Card, Heading, Paragraph
from bot.commands import COMMAND_ACTION


def test_command_buttons_become_numbered_choices_from_first() -> None:
    card = Card(
        (
            Heading("A community you might like: #running"),
            Paragraph("3 people you work with are active there."),
            Actions(
                (
                    Button("Follow", COMMAND_ACTION, "follow C1 --suggestion 7"),
                    Button("Open", "engage.open_link", "https://example.invalid"),
                    Button("Stop", COMMAND_ACTION, "stop"),
                )
            ),
        )
    )
    rendered = render(card, first=4)
    assert rendered.choices == ("follow C1 --suggestion 7", "stop")
    assert rendered.text.splitlines() == [
        "A community you might like: #running",
        "3 people you work with are active there.",
        "4) Follow   5) Stop",
    ]


def test_a_card_without_buttons_offers_no_choice() -> None:
    rendered = render(Card((Paragraph("Done."),)))
    assert rendered == rendered.__class__("Done.", ())
