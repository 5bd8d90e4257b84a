"""Helpers every CLI command shares: settings with command-line overrides, checked options."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer

from bot.errors import EngageError
from bot.events import utcnow
from bot.logs import configure_logging, secret_values
from bot.settings import Settings, load_settings

EARLIEST_DAY, LATEST_DAY = date(1970, 1, 1), date(2999, 12, 31)


def settings_from(**overrides: Any) -> Settings:
    """Load settings, letting non-None command-line options win over the environment."""
    settings = load_settings(
        **{key: value for key, value in overrides.items() if value is not None}
    )
    configure_logging(settings.log_level, secret_values(settings))
    return settings


def day_option(text: str | None, option: str = "--as-of") -> date:
    """A YYYY-MM-DD option within the years Engage can compute on; today (UTC) when absent."""
    if text is None:
        return utcnow().date()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise EngageError.of("cli.error.date", option=option, text=repr(text)) from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise EngageError.of(
            "cli.error.date_range", option=option, first=EARLIEST_DAY, last=LATEST_DAY, day=day
        )
    return day


def output_path(path: Path, option: str = "--out") -> Path:
    """Refuse, before any work, a file that cannot be created: no directory, or a directory."""
    if path.is_dir():
        raise EngageError.of("cli.error.out_is_directory", option=option, path=path)
    if not path.parent.is_dir():
        raise EngageError.of(
            "cli.error.out_no_directory", option=option, path=path, directory=path.parent
        )
    return path


def yaml_text(path: Path) -> str:
    """A YAML file's text, or one clear line: unreadable (a usage error) or not UTF-8."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise typer.BadParameter(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise EngageError(
            f"{path.name} is not UTF-8 text (byte {error.start}): save it as UTF-8 YAML"
        ) from None
