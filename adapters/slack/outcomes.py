"""Slack Web API failures -> the core's delivery results (retry later, or never)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
from slack_sdk.errors import SlackApiError

from adapters.slack.clients import retry_after
from bot.delivery import DeliveryResult, PermanentFailure, RetryAfter, TransientFailure

DEFAULT_RETRY_SECONDS = 1.0
PERMANENT_ERRORS = frozenset(
    {
        "account_inactive",
        "cannot_dm_bot",
        "cant_invite",
        "cant_invite_self",
        "channel_not_found",
        "ekm_access_denied",
        "invalid_auth",
        "invalid_blocks",
        "is_archived",
        "message_not_found",
        "messages_tab_disabled",
        "method_not_supported_for_channel_type",
        "missing_scope",
        "msg_too_long",
        "no_permission",
        "not_allowed_token_type",
        "not_authed",
        "not_in_channel",
        "restricted_action",
        "team_access_not_granted",
        "token_expired",
        "token_revoked",
        "user_disabled",
        "user_is_restricted",
        "user_not_found",
        "user_not_visible",
    }
)


def classify(error: SlackApiError) -> DeliveryResult:
    response = error.response
    code = str(response.get("error") or f"http_{response.status_code}")
    if response.status_code == 429 or code == "ratelimited":
        wait = retry_after(response.headers)
        return RetryAfter(DEFAULT_RETRY_SECONDS if wait is None else wait)
    if code in PERMANENT_ERRORS:
        return PermanentFailure(code)
    return TransientFailure(code)


async def attempt(call: Callable[[], Awaitable[DeliveryResult]]) -> DeliveryResult:
    """Run one Web API exchange; every expected failure becomes a result, never an exception."""
    try:
        return await call()
    except SlackApiError as error:
        return classify(error)
    except (aiohttp.ClientError, TimeoutError) as error:
        return TransientFailure(type(error).__name__)
