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

from bot.i18n import Translator
from bot.storage.database import explain_db_error

DEBUG_VARIABLE = "ENGAGE_DEBUG"


def debugging() -> bool:
    """ENGAGE_DEBUG=1 lets unexpected exceptions through with their traceback."""
    return os.environ.get(DEBUG_VARIABLE, "").strip().lower() in ("1", "true", "yes", "on")


def describe_failure(exc: Exception, t: Translator | None = None) -> str:
    """`error: what went wrong; what to do`, or `internal error: …` for a bug."""
    t = t or Translator("en")
    known = _known(exc, t)
    if known is not None:
        return t("cli.failure.known", message=known)
    return t(
        "cli.failure.internal",
        kind=type(exc).__name__,
        detail=_first_line(exc),
        variable=DEBUG_VARIABLE,
    )


def _known(exc: Exception, t: Translator) -> str | None:
    if (database := explain_db_error(exc)) is not None:
        return database
    detail = _first_line(exc)
    if isinstance(exc, UnicodeError):
        return t("cli.failure.decode", detail=detail)
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return t("cli.failure.os", detail=exc.strerror or detail, where=where)
    if isinstance(exc, zipfile.BadZipFile | zlib.error):
        return t("cli.failure.archive", detail=detail)
    if isinstance(exc, yaml.YAMLError):
        return t("cli.failure.yaml", detail=detail)
    if isinstance(exc, CommandError | RevisionError):
        return t("cli.failure.migration", detail=detail)
    if isinstance(exc, OverflowError | ValueError):
        return t("cli.failure.value", detail=detail)
    return None


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
