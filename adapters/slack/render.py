"""Neutral cards -> Block Kit: messages, ephemeral answers and the App Home view."""

from __future__ import annotations

import re
from typing import Any

from bot.cards import Actions, Button, Card, Chart, Facts, Heading, Paragraph, sparkline

Block = dict[str, Any]
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
FIELDS_PER_SECTION = 10
HEADER_LIMIT, SECTION_LIMIT, FIELD_LIMIT, BUTTON_LIMIT = 150, 3000, 2000, 75


def escape(text: str) -> str:
    """Slack mrkdwn control characters, so names and figures are shown as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mrkdwn(text: str, limit: int = SECTION_LIMIT) -> dict[str, str]:
    return {"type": "mrkdwn", "text": _cut(text, limit)}


def action_id(action: str, index: int) -> str:
    """Action ids must differ within a block, so each button gets its position."""
    return f"{action}:{index}"


def action_pattern(action: str) -> re.Pattern[str]:
    """Matches the action ids `action_id` makes for one action name."""
    return re.compile(rf"^{re.escape(action)}:\d+$")


def _button(button: Button, index: int) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": _cut(button.label, BUTTON_LIMIT)},
        "action_id": action_id(button.action, index),
        "value": button.value,
    }
    if button.style:
        element["style"] = button.style
    return element


def _chart(chart: Chart) -> Block:
    if chart.labels:
        values = "  ".join(
            f"{label} {value}" for label, value in zip(chart.labels, chart.values, strict=False)
        )
    else:
        values = " · ".join(str(value) for value in chart.values)
    text = f"*{escape(chart.label)}*\n`{sparkline(chart.values)}`\n{values}"
    return {"type": "section", "text": _mrkdwn(text)}


def _facts(facts: Facts) -> list[Block]:
    fields = [
        _mrkdwn(f"*{escape(label)}*\n{escape(value)}", FIELD_LIMIT) for label, value in facts.items
    ]
    return [
        {"type": "section", "fields": fields[start : start + FIELDS_PER_SECTION]}
        for start in range(0, len(fields), FIELDS_PER_SECTION)
    ]


def blocks(card: Card) -> list[Block]:
    rendered: list[Block] = []
    for block in card.blocks:
        if isinstance(block, Heading):
            text = {"type": "plain_text", "text": _cut(block.text, HEADER_LIMIT)}
            rendered.append({"type": "header", "text": text})
        elif isinstance(block, Paragraph):
            rendered.append({"type": "section", "text": _mrkdwn(escape(block.text))})
        elif isinstance(block, Facts):
            rendered += _facts(block)
        elif isinstance(block, Chart):
            rendered.append(_chart(block))
        elif isinstance(block, Actions):
            elements = [_button(button, index) for index, button in enumerate(block.buttons)]
            rendered.append({"type": "actions", "elements": elements[:25]})
    return rendered


def fallback_text(card: Card) -> str:
    return _cut(card.fallback or card.text(), SECTION_LIMIT)


def message(card: Card) -> dict[str, Any]:
    """`blocks` and notification `text` for chat.postMessage, chat.update or respond()."""
    return {"blocks": blocks(card)[:MAX_MESSAGE_BLOCKS], "text": fallback_text(card)}


def home_view(card: Card) -> dict[str, Any]:
    return {"type": "home", "blocks": blocks(card)[:MAX_VIEW_BLOCKS]}
