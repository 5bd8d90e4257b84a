"""The Teams app manifest schema v1.11, transcribed for what Engage's manifest uses.

Constraints follow the published v1.11 `MicrosoftTeams.schema.json`: the same required
fields, lengths, patterns and enumerations, and no property outside the v1.11 set.
"""

from __future__ import annotations

from typing import Any

GUID = {"type": "string", "pattern": "^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"}
HTTPS_URL = {"type": "string", "maxLength": 2048, "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"}
RELATIVE_PATH = {"type": "string", "maxLength": 2048}
SCOPES = {"type": "array", "maxItems": 3, "items": {"enum": ["team", "personal", "groupchat"]}}
LANGUAGE_TAG = {"type": "string", "pattern": "^[A-Za-z0-9]{1,8}(-[A-Za-z0-9]{1,8}){0,2}$"}
OTHER_V1_11_PROPERTIES = (
    "configurableTabs",
    "staticTabs",
    "connectors",
    "subscriptionOffer",
    "composeExtensions",
    "devicePermissions",
    "graphConnector",
    "showLoadingIndicator",
    "isFullScreen",
    "activities",
    "configurableProperties",
    "defaultBlockUntilAdminAction",
    "publisherDocsUrl",
    "defaultInstallScope",
    "defaultGroupCapability",
    "meetingExtensionDefinition",
)


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "required": required,
    }


COMMAND = _object(
    {
        "title": {"type": "string", "maxLength": 32},
        "description": {"type": "string", "maxLength": 128},
    },
    ["title", "description"],
)
BOT = _object(
    {
        "botId": GUID,
        "needsChannelSelector": {"type": "boolean"},
        "isNotificationOnly": {"type": "boolean"},
        "supportsFiles": {"type": "boolean"},
        "supportsCalling": {"type": "boolean"},
        "supportsVideo": {"type": "boolean"},
        "scopes": SCOPES,
        "commandLists": {
            "type": "array",
            "maxItems": 3,
            "items": _object(
                {"scopes": SCOPES, "commands": {"type": "array", "maxItems": 10, "items": COMMAND}},
                ["scopes", "commands"],
            ),
        },
    },
    ["botId", "scopes"],
)
MANIFEST_V1_11: dict[str, Any] = _object(
    {
        "$schema": {"type": "string", "format": "uri"},
        "manifestVersion": {"type": "string", "const": "1.11"},
        "version": {"type": "string", "maxLength": 256},
        "id": GUID,
        "packageName": {"type": "string", "maxLength": 64},
        "developer": _object(
            {
                "name": {"type": "string", "maxLength": 32},
                "mpnId": {"type": "string", "maxLength": 10},
                "websiteUrl": HTTPS_URL,
                "privacyUrl": HTTPS_URL,
                "termsOfUseUrl": HTTPS_URL,
            },
            ["name", "websiteUrl", "privacyUrl", "termsOfUseUrl"],
        ),
        "name": _object(
            {
                "short": {"type": "string", "maxLength": 30},
                "full": {"type": "string", "maxLength": 100},
            },
            ["short"],
        ),
        "description": _object(
            {
                "short": {"type": "string", "maxLength": 80},
                "full": {"type": "string", "maxLength": 4000},
            },
            ["short", "full"],
        ),
        "icons": _object({"outline": RELATIVE_PATH, "color": RELATIVE_PATH}, ["outline", "color"]),
        "accentColor": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
        "bots": {"type": "array", "maxItems": 1, "items": BOT},
        "permissions": {
            "type": "array",
            "maxItems": 2,
            "items": {"enum": ["identity", "messageTeamMembers"]},
        },
        "validDomains": {
            "type": "array",
            "maxItems": 16,
            "items": {"type": "string", "maxLength": 2048},
        },
        "webApplicationInfo": _object(
            {
                "id": GUID,
                "resource": {"type": "string", "maxLength": 2048},
                "applicationPermissions": {
                    "type": "array",
                    "maxItems": 100,
                    "items": {"type": "string", "maxLength": 128},
                },
            },
            ["id"],
        ),
        "localizationInfo": _object(
            {
                "defaultLanguageTag": LANGUAGE_TAG,
                "additionalLanguages": {
                    "type": "array",
                    "uniqueItems": True,
                    "items": _object(
                        {"languageTag": LANGUAGE_TAG, "file": RELATIVE_PATH},
                        ["languageTag", "file"],
                    ),
                },
            },
            ["defaultLanguageTag"],
        ),
        **{name: {} for name in OTHER_V1_11_PROPERTIES},
    },
    [
        "manifestVersion",
        "version",
        "id",
        "developer",
        "name",
        "description",
        "icons",
        "accentColor",
    ],
)

TEXT = {"type": "string"}
LOCALIZATION_V1_11: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "name.short": {**TEXT, "maxLength": 30},
        "name.full": {**TEXT, "maxLength": 100},
        "description.short": {**TEXT, "maxLength": 80},
        "description.full": {**TEXT, "maxLength": 4000},
    },
    "patternProperties": {
        r"^staticTabs\[([0-9]|1[0-5])\]\.name$": {**TEXT, "maxLength": 128},
        r"^bots\[0\]\.commandLists\[[0-2]\]\.commands\[[0-9]\]\.title$": {
            **TEXT,
            "maxLength": 32,
        },
        r"^bots\[0\]\.commandLists\[[0-2]\]\.commands\[[0-9]\]\.description$": {
            **TEXT,
            "maxLength": 128,
        },
    },
    "required": ["name.short", "description.short", "description.full"],
}
"""Teams' localization file schema (`MicrosoftTeams.Localization.schema.json`), for the parts a
bot-only app uses: the names, descriptions and command lists."""
