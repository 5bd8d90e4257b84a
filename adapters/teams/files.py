"""A card as a Teams message, with its file (a data export) as a `data:` URI attachment.

The official way for a bot to hand a file over in a personal chat is a file consent card
and an upload to the person's OneDrive; a `data:` URI attachment needs neither Graph nor
OneDrive permissions, and Teams offers it for download in personal chats.
"""

from __future__ import annotations

from base64 import b64encode

from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import Activity
from botbuilder.schema import Attachment as TeamsAttachment

from adapters.teams.renderer import adaptive_card
from bot.cards import Attachment, Card


def file_attachment(attachment: Attachment) -> TeamsAttachment:
    encoded = b64encode(attachment.content).decode("ascii")
    return TeamsAttachment(
        content_type=attachment.media_type,
        content_url=f"data:{attachment.media_type};base64,{encoded}",
        name=attachment.filename,
    )


def card_activity(card: Card) -> Activity:
    """The card, then its file when it has one."""
    rendered = CardFactory.adaptive_card(adaptive_card(card))
    if card.attachment is None:
        return MessageFactory.attachment(rendered)
    return MessageFactory.list([rendered, file_attachment(card.attachment)])
