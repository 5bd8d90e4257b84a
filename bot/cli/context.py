"""Helpers every CLI command shares: settings with command-line overrides."""

from __future__ import annotations

from typing import Any

from bot.logs import configure_logging, secret_values
from bot.settings import Settings, load_settings


def settings_from(**overrides: Any) -> Settings:
    """Load settings, letting non-None command-line options win over the environment."""
    settings = load_settings(
        **{key: value for key, value in overrides.items() if value is not None}
    )
    configure_logging(settings.log_level, secret_values(settings))
    return settings
