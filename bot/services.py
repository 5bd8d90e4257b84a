"""The composition root of the core: everything built from one Settings object."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import Settings
from bot.storage.database import Database


@dataclass
class Services:
    settings: Settings
    database: Database

    @classmethod
    def build(cls, settings: Settings) -> Services:
        return cls(settings=settings, database=Database(settings.database_url))

    async def start(self) -> None:
        """Start background work (folding, scheduling) once the server is up."""

    async def stop(self) -> None:
        """Stop background work and release connections."""
        self.database.close()
