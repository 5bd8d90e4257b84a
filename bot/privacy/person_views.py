"""`ENGAGE_PERSON_STATS`: whether operators may look at one person other than themselves."""

from __future__ import annotations

from bot.errors import EngageError
from bot.settings import Settings

REFUSAL = (
    "ENGAGE_PERSON_STATS=off: per-person views are disabled "
    "(each person still sees their own figures with `me`)"
)


def require_person_views(settings: Settings) -> None:
    """Refuse a view of someone else's figures or suggestions when the switch is off."""
    if settings.person_stats == "off":
        raise EngageError(REFUSAL)
