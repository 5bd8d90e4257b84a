"""Teams activity JSON fixtures (shaped like the Teams docs' examples) and their ids."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
TENANT = "6e5ac0e3-1f4c-4b8e-9d2a-3c7f0b5d9a11"
APP_ID = "7c1f2a4e-0b9d-4c3e-8a6f-5d2e1b0c9f87"
BOT_ID = f"28:{APP_ID}"
TEAM = "19:Zp3kQ1Xw8vN2LmTa5RcYbHd0JfUo7Se4@thread.tacv2"
GARDEN = "19:8f1c2d3e4a5b6c7d8e9f0a1b2c3d4e5f@thread.tacv2"
NEW_CHANNEL = "19:5eedc0ffee5eedc0ffee5eedc0ffee00@thread.tacv2"
PERSONAL = "a:1Hx7Yv0pQ2mZ8kR4tW6nB3sL9cJ5dF1gAqWeRtYuIoP"
ALICE = "b2a7e3c1-5d4f-4e6a-9b8c-0d1e2f3a4b5c"
ALICE_ID = "29:1aLiCeXqTz0p9WvB3nK7mJ2sR5dF8gH4yU6iO1eW0qA"
BOB = "c3b8f4d2-6e5a-4f7b-8c9d-1e2f3a4b5c6d"
BOB_ID = "29:1BoBr7Yt2Ks9Lm4Np6Qr8St0Uv3Wx5Yz7Ab9Cd1Ef"
CAROL = "d4c9a5e3-7f6b-4a8c-9d0e-2f3a4b5c6d7e"
CAROL_ID = "29:1CaRoLp8Zu3Lt0Mn5Oq7Pr9Ss1Tu4Vw6Xy8Za0Bc2"
Json = dict[str, Any]


@cache
def _fixture(name: str) -> str:
    return (FIXTURES / f"{name}.json").read_text()


def activity(name: str, service_url: str, **changes: Any) -> Json:
    """A fresh copy of fixture `name`, sent through the fake connector at `service_url`."""
    loaded: Json = json.loads(_fixture(name))
    loaded["serviceUrl"] = service_url
    for key, value in changes.items():
        loaded[key] = copy.deepcopy(value)
    return loaded


def roster_member(user_id: str, aad: str, name: str) -> Json:
    """A member as `GET …/pagedmembers` and `GET …/members/{id}` return it."""
    return {
        "id": user_id,
        "name": name,
        "aadObjectId": aad,
        "email": f"{name.split()[0].lower()}@contoso.example",
        "userPrincipalName": f"{name.split()[0].lower()}@contoso.example",
        "tenantId": TENANT,
        "userRole": "user",
    }
