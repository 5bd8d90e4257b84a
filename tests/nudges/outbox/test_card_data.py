"""A card survives the outbox: to JSON and back, unchanged."""

from __future__ import annotations

import json

import pytest

from bot.cards import Actions, Button, Card, Chart, Facts, Heading, Paragraph
from nudges.outbox import card_from_data, card_to_data


def test_every_block_round_trips_through_json() -> None:
    card = Card(
        (
            Heading("#garden"),
            Paragraph("4 people you work with are active there."),
            Facts((("Rhythm", "steady"), ("Members", "15"))),
            Chart("Posts per week", (0, 1, 2), ("w1", "w2", "w3")),
            Actions((Button("Follow", "engage.command", "follow C1", "primary"), Button("x", "y"))),
        ),
        fallback="A community for you",
        private=False,
    )
    assert card_from_data(json.loads(json.dumps(card_to_data(card)))) == card


def test_unknown_blocks_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown card block type 'video'"):
        card_from_data({"blocks": [{"type": "video"}]})
