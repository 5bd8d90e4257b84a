"""Neutral cards as Teams shows them: Adaptive Cards (1.4, so buttons can be Action.Execute
with card refresh), a card as a message with its file, and deep links to channels and threads.

A card's file (a data export) travels as a `data:` URI attachment. The official way for a bot
to hand a file over in a personal chat is a file consent card and an upload to the person's
OneDrive; a `data:` URI attachment needs neither Graph nor OneDrive permissions, and Teams
offers it for download in personal chats.
"""

from __future__ import annotations

from base64 import b64encode
from typing import Any
from urllib.parse import quote, urlencode

from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import Activity
from botbuilder.schema import Attachment as TeamsAttachment

from adapters.teams.contacts import ChannelHome
from adapters.teams.ingest import Json
from bot.cards import (
    Actions,
    Attachment,
    Block,
    Button,
    Card,
    Chart,
    Facts,
    Heading,
    Paragraph,
    sparkline,
)

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
BAR_HEIGHT_PX = 48
STYLES = {"primary": "positive", "danger": "destructive"}


def card_activity(card: Card) -> Activity:
    """The card, then its file when it has one."""
    rendered = CardFactory.adaptive_card(adaptive_card(card))
    if card.attachment is None:
        return MessageFactory.attachment(rendered)
    return MessageFactory.list([rendered, file_attachment(card.attachment)])


def adaptive_card(card: Card) -> Json:
    body: list[Json] = []
    actions: list[Json] = []
    for block in card.blocks:
        if isinstance(block, Actions):
            actions += [_action(button) for button in block.buttons]
        else:
            body += _render(block)
    return card_json(body, actions, card.fallback or card.text())


def card_json(body: list[Json], actions: list[Json], fallback: str) -> Json:
    """An Adaptive Card at full width; `fallback` is shown where it cannot be drawn."""
    rendered: Json = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": "1.4",
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        rendered["actions"] = actions
    rendered["fallbackText"] = fallback
    return rendered


def _render(block: Block) -> list[Json]:
    if isinstance(block, Heading):
        return [text_block(block.text, size="Large", weight="Bolder")]
    if isinstance(block, Paragraph):
        return [text_block(block.text)]
    if isinstance(block, Facts):
        facts = [{"title": title, "value": value} for title, value in block.items]
        return [{"type": "FactSet", "facts": facts}]
    if isinstance(block, Chart):
        return _chart(block)
    return []


def text_block(text: str, **style: Any) -> Json:
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
            items.append(text_block(chart.labels[index], size="Small", isSubtle=True))
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
        text_block(chart.label, weight="Bolder", spacing="Medium"),
        {"type": "ColumnSet", "columns": columns, "minHeight": f"{BAR_HEIGHT_PX}px"},
        text_block(f"{sparkline(chart.values)}  {values}", size="Small", isSubtle=True),
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


def file_attachment(attachment: Attachment) -> TeamsAttachment:
    encoded = b64encode(attachment.content).decode("ascii")
    return TeamsAttachment(
        content_type=attachment.media_type,
        content_url=f"data:{attachment.media_type};base64,{encoded}",
        name=attachment.filename,
    )


DEEP_LINK_BASE = "https://teams.microsoft.com/l"


def community_link(
    tenant: str, community: str, home: ChannelHome | None, team: ChannelHome | None = None
) -> str:
    """The team's page for its General channel (same id as the team), else the channel.

    `team` is the home of the channel's team, whose group id a channel's link needs too.
    """
    query = _link_query(home, team, tenantId=tenant)
    encoded = quote(community, safe="")
    if home is not None and home.team == community:
        return f"{DEEP_LINK_BASE}/team/{encoded}/conversations?{query}"
    name = quote(home.name if home is not None and home.name else "channel", safe="")
    return f"{DEEP_LINK_BASE}/channel/{encoded}/{name}?{query}"


def message_link(
    tenant: str, community: str, message: str, home: ChannelHome | None, team: ChannelHome | None
) -> str:
    """A channel message (a thread's root) as Teams links it: the message and its parent."""
    query = _link_query(home, team, tenantId=tenant, parentMessageId=message)
    path = f"{quote(community, safe='')}/{quote(message, safe='')}"
    return f"{DEEP_LINK_BASE}/message/{path}?{query}"


def _link_query(home: ChannelHome | None, team: ChannelHome | None, **query: str) -> str:
    """The query string, led by the team's group id when the channel or its team knows it."""
    group = (home.group_id if home else None) or (team.group_id if team else None)
    return urlencode({"groupId": group, **query} if group else query)
