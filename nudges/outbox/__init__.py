"""The outbox: every message waits here as a row until the delivery worker sends it.

Producers (planner, digests, introductions, welcome lines) queue rows in their own
transaction (`nudges.planner.write`); the card waits in the row's payload as plain
JSON data (`card_to_data`) and is rebuilt at send time (`card_from_data`). The worker
(`nudges.outbox.worker`) claims due rows and sends them through the gateways; the rows'
states are in `nudges.outbox.records`.
"""

from __future__ import annotations

from typing import Any

from bot.cards import Actions, Block, Button, Card, Chart, Facts, Heading, Paragraph

CardData = dict[str, Any]


def card_to_data(card: Card) -> CardData:
    return {
        "blocks": [_block_to_data(block) for block in card.blocks],
        "fallback": card.fallback,
        "private": card.private,
    }


def card_from_data(data: CardData) -> Card:
    return Card(
        tuple(_block_from_data(block) for block in data["blocks"]),
        fallback=str(data.get("fallback", "")),
        private=bool(data.get("private", True)),
    )


def _block_to_data(block: Block) -> dict[str, Any]:
    if isinstance(block, Heading):
        return {"type": "heading", "text": block.text}
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "text": block.text}
    if isinstance(block, Facts):
        return {"type": "facts", "items": [list(item) for item in block.items]}
    if isinstance(block, Chart):
        return {
            "type": "chart",
            "label": block.label,
            "values": list(block.values),
            "labels": list(block.labels),
        }
    return {
        "type": "actions",
        "buttons": [
            {"label": b.label, "action": b.action, "value": b.value, "style": b.style}
            for b in block.buttons
        ],
    }


def _block_from_data(data: dict[str, Any]) -> Block:
    kind = data["type"]
    if kind == "heading":
        return Heading(data["text"])
    if kind == "paragraph":
        return Paragraph(data["text"])
    if kind == "facts":
        return Facts(tuple((str(label), str(value)) for label, value in data["items"]))
    if kind == "chart":
        return Chart(data["label"], tuple(data["values"]), tuple(data.get("labels", ())))
    if kind == "actions":
        return Actions(
            tuple(
                Button(b["label"], b["action"], b.get("value", ""), b.get("style"))
                for b in data["buttons"]
            )
        )
    raise ValueError(f"unknown card block type {kind!r}")
