"""The Teams app package (`engage teams-package`): manifest (schema v1.11), its French
localization file and icons (three rising bars, drawn with the standard library), zipped for
sideloading. Standard library and core only: the CLI imports it to list its commands."""

from __future__ import annotations

import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import bot
from bot.errors import EngageError
from bot.i18n import Language, Translator

MANIFEST_VERSION = "1.11"
SCHEMAS = "https://developer.microsoft.com/en-us/json-schemas/teams/v1.11"
SCHEMA_URL = f"{SCHEMAS}/MicrosoftTeams.schema.json"
LOCALIZATION_SCHEMA_URL = f"{SCHEMAS}/MicrosoftTeams.Localization.schema.json"
TRANSLATIONS: tuple[Language, ...] = ("fr",)
"""Languages besides the manifest's English, each in `<language>.json` beside it."""
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
    languages = [{"languageTag": language, "file": f"{language}.json"} for language in TRANSLATIONS]
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
        "name": {"short": "Engage", "full": t("teams_package.name_full")},
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
        "localizationInfo": {"defaultLanguageTag": "en", "additionalLanguages": languages},
    }


def localization(language: Language) -> dict[str, str]:
    """The manifest's texts in `language`, per Teams' localization file schema: the bot's
    command titles are the words the router accepts in that language."""
    t = Translator(language)
    strings = {
        "$schema": LOCALIZATION_SCHEMA_URL,
        "name.short": "Engage",
        "name.full": t("teams_package.name_full"),
        "description.short": t("teams.app_short"),
        "description.full": t("teams.app_full"),
    }
    for index in range(2):  # the personal and the team command lists
        for number, name in enumerate(COMMANDS):
            command = f"bots[0].commandLists[{index}].commands[{number}]"
            strings[f"{command}.title"] = t(f"command_words.{name}")
            strings[f"{command}.description"] = t(f"command.{name}.summary")[:128]
    return strings


def build_package(app_id: str, url: str, out: Path) -> Path:
    """Write `out` (a zip of manifest.json, fr.json, color.png, outline.png) and return it."""
    if not GUID.match(app_id):
        raise EngageError.of("cli.error.teams_app_id", app_id=repr(app_id))
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise EngageError.of("cli.error.teams_url", url=repr(url))
    base = f"https://{parts.netloc}{parts.path.rstrip('/')}"
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest(app_id, base), indent=2))
        for language in TRANSLATIONS:
            text = json.dumps(localization(language), indent=2, ensure_ascii=False)
            package.writestr(f"{language}.json", text)
        package.writestr("color.png", color_icon())
        package.writestr("outline.png", outline_icon())
    return out


Pixel = tuple[int, int, int, int]
ACCENT: Pixel = (0x4F, 0x52, 0xB2, 0xFF)
WHITE: Pixel = (0xFF, 0xFF, 0xFF, 0xFF)
CLEAR: Pixel = (0, 0, 0, 0)
BARS = ((0.20, 0.36, 0.55), (0.42, 0.58, 0.40), (0.64, 0.80, 0.22))  # left, right, top
BASELINE = 0.80


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An 8-bit RGBA PNG."""
    rows = (
        b"\x00" + bytes(channel for x in range(width) for channel in pixel(x, y))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _on_bar(x: float, y: float) -> bool:
    return any(left <= x < right and top <= y < BASELINE for left, right, top in BARS)


def color_icon(size: int = 192) -> bytes:
    """White bars on the accent colour (Teams asks for a full-colour 192×192 icon)."""
    return png(size, size, lambda x, y: WHITE if _on_bar(x / size, y / size) else ACCENT)


def outline_icon(size: int = 32) -> bytes:
    """White bars on transparency (Teams asks for a white-on-transparent 32×32 outline)."""
    return png(size, size, lambda x, y: WHITE if _on_bar(x / size, y / size) else CLEAR)
