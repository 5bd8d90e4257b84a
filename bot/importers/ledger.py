"""What an import records and reports: the ledger of imported files, its progress and summary.

The import ledger says which source files were imported, by checksum.

A file's events and its ledger row are committed in one transaction, so a file is either
imported whole and recorded, or not at all; a re-run skips every file whose checksum is
already recorded, even after raw inbox retention has deleted its events. While an import
runs it reports progress (`ImportProgress`); when it is done, an `ImportSummary`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import select
from sqlmodel import Session

from bot.events import Event, utcnow
from bot.storage.bulk import upsert
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
    row = {
        "source_key": source_key,
        "checksum": digest,
        "events": len(events),
        "imported_at": utcnow(),
    }
    upsert(session.connection(), IMPORTED_FILE, ["source_key"], row)
    return summary


class ImportProgress(Protocol):
    def begin(self, total: int) -> None: ...
    def advance(self, name: str) -> None: ...


@dataclass
class ImportSummary:
    workspace: str
    people: int = 0
    channels: int = 0
    files_imported: int = 0
    files_skipped: int = 0
    events: RecordSummary = field(default_factory=RecordSummary)
    bot_messages: int = 0
    other_messages: int = 0
    unknown_folders: set[str] = field(default_factory=set)
    folded: int = 0
