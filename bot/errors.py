"""Errors that reach a person as one readable line."""

from __future__ import annotations

from typing import Self

from bot.i18n import Translator


class EngageError(Exception):
    """An expected failure with a message fit for the person who ran the command."""

    key: str | None = None
    values: dict[str, object] = {}  # noqa: RUF012 (replaced, never changed in place)

    @classmethod
    def of(cls, key: str, **values: object) -> Self:
        """An error whose message is the catalogue's `key`: English in str(), any language in
        `told`."""
        error = cls(Translator("en")(key, **values))
        error.key, error.values = key, values
        return error

    def told(self, t: Translator) -> str:
        return t(self.key, **self.values) if self.key else str(self)


class ConfigError(EngageError):
    """A setting is missing, malformed or unsafe for the current environment."""


class DatabaseError(EngageError):
    """The database cannot be reached or used."""


class AlreadyRunningError(EngageError):
    """Another `engage serve` already owns this SQLite database."""
