"""Neutral cards: what the bot says, rendered by each adapter (Block Kit, Adaptive Card, text)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

SPARKS = "▁▂▃▄▅▆▇█"
GAP = "·"


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Facts:
    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Chart:
    """A small series (such as 12 weekly counts) drawn as a sparkline or bars."""

    label: str
    values: tuple[int, ...]
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Button:
    label: str
    action: str
    value: str = ""
    style: Literal["primary", "danger"] | None = None


@dataclass(frozen=True)
class Actions:
    buttons: tuple[Button, ...]


Block = Heading | Paragraph | Facts | Chart | Actions


@dataclass(frozen=True)
class Attachment:
    """A file sent with the card (a data export): uploaded to the person's direct messages."""

    filename: str
    content: bytes
    media_type: str = "application/json"


@dataclass(frozen=True)
class Card:
    blocks: tuple[Block, ...]
    fallback: str = ""
    private: bool = field(default=True)
    attachment: Attachment | None = None

    def text(self) -> str:
        """A plain-text rendering (console, notifications, logs of what was sent)."""
        lines: list[str] = []
        for block in self.blocks:
            if isinstance(block, Heading | Paragraph):
                lines.append(block.text)
            elif isinstance(block, Facts):
                lines += [f"{label}: {value}" for label, value in block.items]
            elif isinstance(block, Chart):
                lines.append(f"{block.label}: {sparkline(block.values)}")
            else:
                lines.append("  ".join(f"[{button.label}]" for button in block.buttons))
        return "\n".join(lines)


def sparkline(values: Sequence[int | None]) -> str:
    """One block per value, scaled to the largest; a hidden value (None) is a gap."""
    known = [value for value in values if value is not None]
    top = max(known, default=0)
    return "".join(
        GAP if value is None else SPARKS[round(value / top * (len(SPARKS) - 1)) if top > 0 else 0]
        for value in values
    )
