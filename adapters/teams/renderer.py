"""Neutral cards -> Adaptive Cards (1.4, so buttons can be Action.Execute with card refresh)."""

from __future__ import annotations

from typing import Any

from bot.cards import Actions, Block, Button, Card, Chart, Facts, Heading, Paragraph, sparkline

Json = dict[str, Any]
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
BAR_HEIGHT_PX = 48
STYLES = {"primary": "positive", "danger": "destructive"}


def adaptive_card(card: Card) -> Json:
    body: list[Json] = []
    actions: list[Json] = []
    for block in card.blocks:
        if isinstance(block, Actions):
            actions += [_action(button) for button in block.buttons]
        else:
            body += _render(block)
    rendered: Json = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": "1.4",
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        rendered["actions"] = actions
    rendered["fallbackText"] = card.fallback or card.text()
    return rendered


def _render(block: Block) -> list[Json]:
    if isinstance(block, Heading):
        return [_text(block.text, size="Large", weight="Bolder")]
    if isinstance(block, Paragraph):
        return [_text(block.text)]
    if isinstance(block, Facts):
        facts = [{"title": title, "value": value} for title, value in block.items]
        return [{"type": "FactSet", "facts": facts}]
    if isinstance(block, Chart):
        return _chart(block)
    return []


def _text(text: str, **style: Any) -> Json:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _chart(chart: Chart) -> list[Json]:
    """One column per value: a bar (an accent container) sized to the value, bottom-aligned."""
    top = max(chart.values, default=0)
    columns = []
    for index, value in enumerate(chart.values):
        height = round(value / top * BAR_HEIGHT_PX) if top > 0 else 0
        items: list[Json] = [
            {
                "type": "Container",
                "style": "accent" if value else "default",
                "minHeight": f"{max(height, 2)}px",
                "items": [],
            }
        ]
        if index < len(chart.labels):
            items.append(_text(chart.labels[index], size="Small", isSubtle=True))
        columns.append(
            {
                "type": "Column",
                "width": "stretch",
                "verticalContentAlignment": "Bottom",
                "spacing": "Small",
                "items": items,
            }
        )
    values = " · ".join(str(value) for value in chart.values)
    return [
        _text(chart.label, weight="Bolder", spacing="Medium"),
        {"type": "ColumnSet", "columns": columns, "minHeight": f"{BAR_HEIGHT_PX}px"},
        _text(f"{sparkline(chart.values)}  {values}", size="Small", isSubtle=True),
    ]


def _action(button: Button) -> Json:
    data = {"action": button.action, "value": button.value}
    action: Json = {
        "type": "Action.Execute",
        "title": button.label,
        "verb": button.action,
        "data": data,
    }
    if button.style:
        action["style"] = STYLES[button.style]
    return action
