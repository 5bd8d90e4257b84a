"""What an operator sees of a running install: log lines and health figures.

Logging set-up for the CLI and the server: one line per record on stderr, secrets and
request bodies redacted. Health figures are read from the database in one cheap, indexed
transaction: the outbox's queue, the inbox's backlog, each roster's last sync. Every
replica reads the same rows, so these figures are database-wide: identical on every
replica (alert on `max`, never on `sum`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.events import as_utc

if TYPE_CHECKING:
    from sqlmodel import Session

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


QUEUED = ("pending", "sending")
ROSTER_SYNCED = "roster.synced_at."
"""Meta keys `roster.synced_at.<platform>.<workspace external id>`, ISO-8601 UTC values."""


@dataclass(frozen=True)
class Figures:
    outbox_depth: int
    outbox_oldest_age: float
    """Seconds the longest-waiting due message has waited past its `not_before`; 0 if none."""
    ingest_lag: float
    """Seconds since the oldest inbox event not yet folded arrived; 0 if none."""
    roster_sync_ages: dict[tuple[str, str], float] = field(default_factory=dict)
    """(platform, workspace) → seconds since its roster was last synced."""


def read_figures(session: Session, now: datetime) -> Figures:
    # Imported here so that configuring the CLI's logging loads no database code.
    from sqlalchemy import func, select

    from bot.storage.tables import INBOX_EVENT, META, OUTBOX

    connection = session.connection()
    depth = connection.execute(
        select(func.count()).select_from(OUTBOX).where(OUTBOX.c.state.in_(QUEUED))
    ).scalar_one()
    oldest_due = connection.execute(
        select(func.min(OUTBOX.c.not_before)).where(
            OUTBOX.c.state == "pending", OUTBOX.c.not_before <= now
        )
    ).scalar_one()
    oldest_sending = connection.execute(
        select(func.min(OUTBOX.c.not_before)).where(OUTBOX.c.state == "sending")
    ).scalar_one()
    waiting = [moment for moment in (oldest_due, oldest_sending) if moment is not None]
    first_pending = (
        select(INBOX_EVENT.c.received_at)
        .where(INBOX_EVENT.c.processed.is_(False), INBOX_EVENT.c.quarantined_at.is_(None))
        .order_by(INBOX_EVENT.c.id)
        .limit(1)
    )
    arrived = connection.execute(first_pending).scalar_one_or_none()
    synced = [
        (str(key), str(value))
        for key, value in connection.execute(
            select(META.c.key, META.c.value).where(META.c.key.startswith(ROSTER_SYNCED))
        )
    ]
    return Figures(
        outbox_depth=int(depth),
        outbox_oldest_age=_age(now, min(waiting)) if waiting else 0.0,
        ingest_lag=_age(now, arrived) if arrived is not None else 0.0,
        roster_sync_ages=_sync_ages(now, synced),
    )


def _sync_ages(now: datetime, rows: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
    ages: dict[tuple[str, str], float] = {}
    for key, value in rows:
        platform, _, workspace = key.removeprefix(ROSTER_SYNCED).partition(".")
        try:
            synced_at = datetime.fromisoformat(value)
        except ValueError:
            continue
        if platform and workspace:
            ages[(platform, workspace)] = _age(now, synced_at)
    return ages


def _age(now: datetime, then: datetime) -> float:
    return max((now - as_utc(then)).total_seconds(), 0.0)
