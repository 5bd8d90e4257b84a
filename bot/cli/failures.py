"""The CLI's last line of defence: any exception that reaches `engage` as one line and a hint.

Commands raise EngageError with the best message where they know it; what escapes them is
described here by family. Anything else is a bug: one line names it, and ENGAGE_DEBUG=1
shows its traceback.
"""

from __future__ import annotations

import os
import zipfile
import zlib

import yaml
from alembic.script.revision import RevisionError
from alembic.util import CommandError

from bot.storage.database import explain_db_error

DEBUG_VARIABLE = "ENGAGE_DEBUG"


def debugging() -> bool:
    """ENGAGE_DEBUG=1 lets unexpected exceptions through with their traceback."""
    return os.environ.get(DEBUG_VARIABLE, "").strip().lower() in ("1", "true", "yes", "on")


def describe_failure(exc: Exception) -> str:
    """`error: what went wrong; what to do`, or `internal error: …` for a bug."""
    known = _known(exc)
    if known is not None:
        return f"error: {known}"
    return (
        f"internal error: {type(exc).__name__}: {_first_line(exc)} "
        f"(please report it; {DEBUG_VARIABLE}=1 shows the traceback)"
    )


def _known(exc: Exception) -> str | None:
    if (database := explain_db_error(exc)) is not None:
        return database
    detail = _first_line(exc)
    if isinstance(exc, UnicodeError):
        return f"cannot decode the input ({detail}); files must be UTF-8"
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror or detail}{where}; check the path, its directory and permissions"
    if isinstance(exc, zipfile.BadZipFile | zlib.error):
        return f"damaged archive ({detail}); unzip or download it again"
    if isinstance(exc, yaml.YAMLError):
        return f"not valid YAML ({detail})"
    if isinstance(exc, CommandError | RevisionError):
        return f"migration: {detail}; `engage db upgrade` takes head or a known revision"
    if isinstance(exc, OverflowError | ValueError):
        return f"a value is out of range or malformed ({detail}); see `engage COMMAND --help`"
    return None


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
