"""Errors that reach a person as one readable line."""


class EngageError(Exception):
    """An expected failure with a message fit for the person who ran the command."""


class ConfigError(EngageError):
    """A setting is missing, malformed or unsafe for the current environment."""


class DatabaseError(EngageError):
    """The database cannot be reached or used."""


class AlreadyRunningError(EngageError):
    """Another `engage serve` already owns this SQLite database."""
