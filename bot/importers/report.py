"""What an import reports: progress while it runs, a summary when it is done."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.tracker import RecordSummary


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
