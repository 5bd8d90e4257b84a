"""Neutral cards as Adaptive Cards: text, facts, a bar chart of card elements, buttons."""

from __future__ import annotations

from adapters.teams.render import adaptive_card
from bot.cards import Actions, Button, Card, Chart, Facts, Heading, Paragraph


def test_every_block_has_its_adaptive_card_element() -> None:
    card = Card(
        (
            Heading("#garden · steady rhythm"),
            Paragraph("Figures about fewer than 5 people are hidden."),
            Facts((("Members", "15"), ("Silent members", "fewer than 5"))),
            Actions((Button("Stop", "engage.command", "stop", "danger"),)),
        ),
        fallback="#garden",
    )
    rendered = adaptive_card(card)
    assert [block["type"] for block in rendered["body"]] == ["TextBlock", "TextBlock", "FactSet"]
    assert rendered["body"][0]["weight"] == "Bolder"
    assert rendered["body"][2]["facts"][1] == {"title": "Silent members", "value": "fewer than 5"}
    assert rendered["actions"] == [
        {
            "type": "Action.Execute",
            "title": "Stop",
            "verb": "engage.command",
            "data": {"action": "engage.command", "value": "stop"},
            "style": "destructive",
        }
    ]
    assert rendered["fallbackText"] == "#garden"


def test_the_chart_is_bars_sized_to_the_values_plus_a_sparkline() -> None:
    chart = Chart("Posts per week", (0, 2, 4, 8))
    label, bars, line = adaptive_card(Card((chart,)))["body"]
    heights = [column["items"][0]["minHeight"] for column in bars["columns"]]
    assert label["text"] == "Posts per week"
    assert heights == ["2px", "12px", "24px", "48px"]
    assert [column["items"][0]["style"] for column in bars["columns"]][:2] == ["default", "accent"]
    assert line["text"] == "▁▃▅█  0 · 2 · 4 · 8"


def test_an_empty_chart_still_renders() -> None:
    _, bars, _ = adaptive_card(Card((Chart("Nothing yet", (0, 0)),)))["body"]
    assert [column["items"][0]["minHeight"] for column in bars["columns"]] == ["2px", "2px"]
