"""The import ledger: which source files were imported, by checksum.

A file's events and its ledger row are committed in one transaction, so a file is either
imported whole and recorded, or not at all; a re-run skips every file whose checksum is
already recorded, even after raw inbox retention has deleted its events.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from bot.events import Event, utcnow
from bot.storage.tables import IMPORTED_FILE
from bot.tracker import RecordSummary, record_chunk


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def recorded_checksums(session: Session, prefix: str) -> dict[str, str]:
    """source_key -> checksum for every file recorded under `prefix`."""
    query = select(IMPORTED_FILE.c.source_key, IMPORTED_FILE.c.checksum).where(
        IMPORTED_FILE.c.source_key.startswith(prefix, autoescape=True)
    )
    return {row.source_key: row.checksum for row in session.connection().execute(query)}


def import_file(
    session: Session, source_key: str, digest: str, events: Sequence[Event]
) -> RecordSummary:
    """Record a file's events and its ledger row in the caller's transaction."""
    summary = record_chunk(session, events)
    connection = session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    row = {
        "source_key": source_key,
        "checksum": digest,
        "events": len(events),
        "imported_at": utcnow(),
    }
    statement = dialect.insert(IMPORTED_FILE).values(row)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["source_key"],
            set_={name: statement.excluded[name] for name in ("checksum", "events", "imported_at")},
        )
    )
    return summary
