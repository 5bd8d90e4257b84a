"""Files for the asker (a data export): uploaded into their direct messages with the bot."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.cards import Attachment

log = logging.getLogger("engage.slack.files")


async def upload_to_dm(client: AsyncWebClient, user: str, attachment: Attachment) -> bool:
    """files.getUploadURLExternal, the upload, files.completeUploadExternal; False on failure."""
    try:
        opened = await client.conversations_open(users=user)
        channel = (opened.get("channel") or {}).get("id")
        await client.files_upload_v2(
            channel=channel,
            filename=attachment.filename,
            title=attachment.filename,
            content=attachment.content,
        )
    except (SlackApiError, SlackRequestError) as error:
        log.warning("file upload failed for %s: %s", user, type(error).__name__)
        return False
    return True
