"""Neutral cards rendered as Block Kit."""

from __future__ import annotations

from adapters.slack.render import action_pattern, blocks, home_view, message
from bot.cards import Actions, Button, Card, Chart, Facts, Heading, Paragraph


def test_every_block_kind_is_rendered() -> None:
    card = Card(
        (
            Heading("#garden · steady rhythm"),
            Paragraph("Figures about <5 people & bots are hidden"),
            Chart("Posts per week", (0, 2, 4)),
            Facts((("Members", "15"), ("Contributors", "6"))),
            Actions(
                (
                    Button("Start", "engage.command", "start", "primary"),
                    Button("Pause", "engage.command", "pause 2w"),
                )
            ),
        ),
        fallback="#garden",
    )
    rendered = blocks(card)
    assert rendered[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "#garden · steady rhythm"},
    }
    assert rendered[1]["text"] == {
        "type": "mrkdwn",
        "text": "Figures about &lt;5 people &amp; bots are hidden",
    }
    assert rendered[2]["text"]["text"] == "*Posts per week*\n`▁▅█`\n0 · 2 · 4"
    assert [field["text"] for field in rendered[3]["fields"]] == [
        "*Members*\n15",
        "*Contributors*\n6",
    ]
    start, pause = rendered[4]["elements"]
    assert (start["action_id"], start["value"], start["style"]) == (
        "engage.command:0",
        "start",
        "primary",
    )
    assert (pause["action_id"], "style" in pause) == ("engage.command:1", False)
    assert all(action_pattern("engage.command").match(b["action_id"]) for b in (start, pause))
    assert not action_pattern("engage.command").match("engage.commandeer:0")


def test_long_fact_lists_are_split_in_sections_of_ten() -> None:
    facts = Facts(tuple((f"label {i}", str(i)) for i in range(23)))
    sections = blocks(Card((facts,)))
    assert [len(section["fields"]) for section in sections] == [10, 10, 3]


def test_messages_carry_a_notification_text_and_views_a_type() -> None:
    card = Card((Heading("Your settings"), Paragraph("On")))
    assert message(card)["text"] == "Your settings\nOn"
    assert message(Card((Paragraph("x"),), fallback="Short"))["text"] == "Short"
    assert home_view(card)["type"] == "home"
    assert len(home_view(Card(tuple(Paragraph(str(i)) for i in range(150))))["blocks"]) == 100
