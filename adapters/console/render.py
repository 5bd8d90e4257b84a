"""Cards as plain text, with their command buttons as numbered choices."""

from __future__ import annotations

from dataclasses import dataclass

from bot.cards import Actions, Card
from bot.commands import COMMAND_ACTION


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
