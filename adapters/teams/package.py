"""The Teams app package: manifest (schema v1.11) and icons, zipped for sideloading."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import bot
from adapters.teams.icons import color_icon, outline_icon
from bot.errors import EngageError
from bot.i18n import Translator

MANIFEST_VERSION = "1.11"
SCHEMA_URL = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v1.11/MicrosoftTeams.schema.json"
)
# Resource-specific consent: read every channel message's metadata without an @mention.
RSC_PERMISSIONS = ("ChannelMessage.Read.Group",)
RSC_RESOURCE = "https://RscBasedStoreApp"
COMMANDS = ("help", "stats", "me", "top", "start", "stop", "pause", "resume", "settings")
ACCENT_COLOR = "#4F52B2"
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def manifest(app_id: str, url: str) -> dict[str, Any]:
    """The manifest for the bot registered as `app_id`, served at `url` (https)."""
    t = Translator("en")
    commands = [
        {"title": name, "description": t(f"command.{name}.summary")[:128]} for name in COMMANDS
    ]
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": bot.__version__,
        "id": app_id,
        "packageName": "org.engage.bot",
        "developer": {
            "name": "Engage",
            "websiteUrl": url,
            "privacyUrl": url,
            "termsOfUseUrl": url,
        },
        "name": {"short": "Engage", "full": "Engage: communities at your own pace"},
        "description": {"short": t("teams.app_short"), "full": t("teams.app_full")},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT_COLOR,
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal", "team"],
                "isNotificationOnly": False,
                "supportsFiles": False,
                "commandLists": [
                    {"scopes": ["personal"], "commands": commands},
                    {"scopes": ["team"], "commands": commands},
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [urlsplit(url).hostname],
        "webApplicationInfo": {
            "id": app_id,
            "resource": RSC_RESOURCE,
            "applicationPermissions": list(RSC_PERMISSIONS),
        },
    }


def build_package(app_id: str, url: str, out: Path) -> Path:
    """Write `out` (a zip of manifest.json, color.png, outline.png) and return it."""
    if not GUID.match(app_id):
        raise EngageError(f"--app-id must be the bot's Microsoft App ID (a GUID), not {app_id!r}")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise EngageError(f"--url must be the public https:// address of this server, not {url!r}")
    base = f"https://{parts.netloc}{parts.path.rstrip('/')}"
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest(app_id, base), indent=2))
        package.writestr("color.png", color_icon())
        package.writestr("outline.png", outline_icon())
    return out
