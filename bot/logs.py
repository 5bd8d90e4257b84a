"""Logging set-up for the CLI and the server: one line per record on stderr, secrets and
request bodies redacted."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from bot.settings import Settings

REDACTED = "[redacted]"
_SLACK_TOKEN = re.compile(r"\bxox[a-z]-[A-Za-z0-9-]+|\bxapp-[A-Za-z0-9-]+")
_SHORTEST_SECRET = 6
# Libraries dump what they receive or send, message text and user ids included: Bolt's
# "Invalid request signature detected (…, body: …)", "Unhandled request ({…})" and
# "Responding with status: … body: …", slack_sdk's "body_params: …, json_body: …" and
# "Received the following response - …, body: …" at DEBUG. Everything from the marker on
# goes (in a traceback, to the end of its line).
_MARKER = r"(\b(?:body|body_params|json_body|payload|data|activity)\s*[:=]\s*|\brequest \()"
_BODY, _BODY_IN_LINE = re.compile(_MARKER + "(?s:.+)"), re.compile(_MARKER + ".+")


class RedactSecrets(logging.Filter):
    """Replaces Slack tokens, the configured secret values and request bodies in every
    record it sees."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted(
            {value for value in secrets if len(value) >= _SHORTEST_SECRET}, key=len, reverse=True
        )

    def redact(self, text: str, body: re.Pattern[str] = _BODY) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return body.sub(rf"\g<1>{REDACTED}", _SLACK_TOKEN.sub(REDACTED, text))

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_text is None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text, _BODY_IN_LINE)
        return True


def secret_values(settings: Settings) -> list[str]:
    """Every configured secret that must never reach a log line."""
    return [
        settings.secret_key,
        settings.slack_bot_token,
        settings.slack_signing_secret,
        settings.slack_app_token,
        settings.slack_client_secret,
        settings.teams_app_password,
        *settings.secret_key_fallbacks,
    ]


def configure_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    redact = RedactSecrets(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    for noisy in ("alembic.runtime.migration", "aiohttp.access", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
