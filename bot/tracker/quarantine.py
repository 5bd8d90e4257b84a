"""Events that cannot be folded: set aside (kept in the inbox, never deleted), counted, and
skipped by later folds, so that one bad event never stops the statistics of everyone.

A fold batch that fails on its rows' content is split in halves until the failing events
stand alone; those are quarantined and every other event is folded. A failure that says
the database is unavailable or busy quarantines nothing: the batch runs again later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError, StatementError
from sqlmodel import Session

from bot.events import utcnow
from bot.storage.tables import INBOX_EVENT

REASON_LENGTH = 200
SQLITE_MALFORMED_JSON = "malformed JSON"


class UnfoldableEventError(ValueError):
    """An inbox row whose content folding cannot use (an attribute of the wrong shape)."""


def unfoldable(exc: BaseException) -> bool:
    """True when `exc` is about the content of the rows being folded."""
    if isinstance(exc, DataError | IntegrityError):
        return True
    if isinstance(exc, OperationalError):
        return SQLITE_MALFORMED_JSON in str(exc.orig)
    if isinstance(exc, DBAPIError):
        return False
    if isinstance(exc, StatementError):  # a value the driver could not take
        return True
    return isinstance(exc, ValueError | TypeError | LookupError | AttributeError)


def reason(exc: BaseException) -> str:
    """The error's kind and first line (inbox rows hold no text, so neither does this)."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"[:REASON_LENGTH]


def quarantine(session: Session, ids: Sequence[int], why: str) -> None:
    session.connection().execute(
        update(INBOX_EVENT)
        .where(INBOX_EVENT.c.id.in_(ids))
        .values(quarantined_at=utcnow(), quarantine_reason=why[:REASON_LENGTH])
    )


def quarantined_count(session: Session) -> int:
    query = select(func.count()).where(INBOX_EVENT.c.quarantined_at.is_not(None))
    return int(session.connection().execute(query).scalar_one())


@dataclass(frozen=True)
class InboxHealth:
    pending: int
    """Events recorded and not folded yet."""
    oldest_pending: datetime | None
    """When the oldest of them was received: how far behind folding is."""
    quarantined: int


def inbox_health(session: Session) -> InboxHealth:
    connection = session.connection()
    waiting = INBOX_EVENT.c.processed.is_(False) & INBOX_EVENT.c.quarantined_at.is_(None)
    pending = connection.execute(select(func.count()).where(waiting)).scalar_one()
    oldest = connection.execute(
        select(INBOX_EVENT.c.received_at).where(waiting).order_by(INBOX_EVENT.c.id).limit(1)
    ).scalar_one_or_none()
    return InboxHealth(int(pending), oldest, quarantined_count(session))
