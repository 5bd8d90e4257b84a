"""What every neutral event from a Teams activity shares: platform, tenant, key, moment."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from adapters.teams.activity import PLATFORM, Json, occurred_at, tenant


class Common(TypedDict):
    platform: str
    workspace: str
    key: str
    occurred_at: datetime


def common(activity: Json, key: str) -> Common:
    return Common(
        platform=PLATFORM, workspace=tenant(activity), key=key, occurred_at=occurred_at(activity)
    )
