"""A small Slack export shaped like the real thing, with hand-computable figures.

Every text-like field (message text, file names, attachments, topic, purpose) carries
CANARY, so a test can prove none of it reaches the database, the logs or the CLI output.

Workspace: maya (U061A1R2R), javier (U061A3E0G), lena (U065ETZEC, deleted),
omar (U0CCDH7S6, listed as a datajam member without a join message) and a bot user.
Channels: #datajam (C061A0WJG) and #datasets (C064FSX8X, archived), both created on
2016-07-01 00:00 UTC.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

CANARY = "canary-7f3a"
MAYA, JAVIER, LENA, OMAR, BOT = "U061A1R2R", "U061A3E0G", "U065ETZEC", "U0CCDH7S6", "U0BOT4K2Q"
DATAJAM, DATASETS = "C061A0WJG", "C064FSX8X"
CREATED = "1467331200"  # 2016-07-01 00:00:00 UTC
ROOT_TS = "1467453600.000002"  # 2016-07-02 10:00 UTC


def user(uid: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": uid,
        "team_id": "T061A2UFL",
        "name": name,
        "deleted": False,
        "real_name": "",
        "tz": "America/Chicago",
        "tz_offset": -18000,
        "profile": {"real_name": "", "email": "", "title": CANARY, "fields": None},
        "is_admin": False,
        "is_bot": False,
        **extra,
    }


USERS = [
    user(MAYA, "maya", locale="en-US", profile={"display_name": "Maya", "real_name": "Maya R"}),
    user(JAVIER, "javier", tz="Europe/Paris", locale="fr-FR"),
    {"id": LENA, "team_id": "T061A2UFL", "name": "lena", "deleted": True, "profile": {}},
    user(OMAR, "omar"),
    user(BOT, "standup-bot", is_bot=True),
]
CHANNELS = [
    {
        "id": DATAJAM,
        "name": "datajam",
        "created": CREATED,
        "creator": MAYA,
        "is_archived": False,
        "is_general": False,
        "members": [MAYA, OMAR, BOT],
        "topic": {"value": CANARY, "creator": MAYA, "last_set": "1467331300"},
        "purpose": {"value": CANARY, "creator": MAYA, "last_set": "1467331300"},
    },
    {
        "id": DATASETS,
        "name": "datasets",
        "created": CREATED,
        "creator": MAYA,
        "is_archived": True,
        "members": [],
        "topic": {"value": CANARY, "creator": "", "last_set": "0"},
        "purpose": {"value": "", "creator": "", "last_set": "0"},
    },
]


def message(uid: str | None, ts: str, subtype: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "message", "text": f"{CANARY} says hi", "ts": ts}
    if uid is not None:
        body["user"] = uid
    if subtype is not None:
        body["subtype"] = subtype
    return {**body, **extra}


def reactions(*pairs: tuple[str, list[str]]) -> list[dict[str, Any]]:
    return [{"name": name, "users": users, "count": len(users)} for name, users in pairs]


DAYS: dict[str, list[dict[str, Any]]] = {
    "datajam/2016-07-01.json": [
        message(MAYA, "1467331300.000002", "channel_join"),
        message(JAVIER, "1467331400.000002", "channel_join", inviter=MAYA),
        message(
            MAYA,
            "1467336000.000003",
            reactions=reactions(("+1", [JAVIER, OMAR]), ("tada", [BOT])),
            attachments=[{"title": CANARY, "text": CANARY}],
        ),
        message(MAYA, "1467336100.000004", "channel_topic", topic=CANARY),
        message(
            None,
            "1467337000.000005",
            "bot_message",
            bot_id="B0CM0SCDR",
            username="standup",
            reactions=reactions(("eyes", [JAVIER])),
        ),
        message(
            JAVIER,
            "1467339600.000006",
            "file_share",
            upload=True,
            bot_id=None,
            file={"id": "F1", "name": f"{CANARY}.pdf", "title": CANARY, "preview": CANARY},
        ),
    ],
    "datajam/2016-07-02.json": [
        message(JAVIER, ROOT_TS, thread_ts=ROOT_TS, reply_count=2, replies=[]),
        message(
            MAYA,
            "1467457200.000003",
            thread_ts=ROOT_TS,
            parent_user_id=JAVIER,
            reactions=reactions(("+1", [JAVIER])),
        ),
        message(OMAR, "1467460800.000004", "thread_broadcast", thread_ts=ROOT_TS),
        message(BOT, "1467461000.000005"),
        message(MAYA, "1467461100.000006", "pinned_item", item_type="C"),
        message(MAYA, "1467461200.000007", "channel_purpose", purpose=CANARY),
        message(
            None,
            "1467461300.000008",
            "message_changed",
            hidden=True,
            message={"type": "message", "user": MAYA, "text": CANARY, "ts": "1467457200.000003"},
        ),
        message(JAVIER, "1467464400.000009", "channel_leave"),
    ],
    "datasets/2016-07-01.json": [
        message(LENA, "1467331500.000002", "channel_join"),
        message(LENA, "1467342000.000003", attachments=[{"fallback": CANARY}]),
        message(MAYA, "1467345600.000004", "channel_archive", members=[LENA]),
    ],
}


EXPECTED_ROLLUPS = {
    ("2016-07-01", DATAJAM, MAYA): (1, 0, 0, 2, 1, 0),
    ("2016-07-01", DATAJAM, JAVIER): (1, 0, 2, 0, 1, 0),
    ("2016-07-01", DATAJAM, OMAR): (0, 0, 1, 0, 1, 0),
    ("2016-07-02", DATAJAM, JAVIER): (1, 0, 1, 0, 0, 1),
    ("2016-07-02", DATAJAM, MAYA): (0, 1, 0, 1, 0, 0),
    ("2016-07-02", DATAJAM, OMAR): (0, 1, 0, 0, 0, 0),
    ("2016-07-01", DATASETS, LENA): (1, 0, 0, 0, 1, 1),
}
"""(day, channel, person) -> posts, replies, reactions given and received, joins, leaves:
the sample's rollups once imported (`engage import slack-export`)."""


def write_export(
    root: Path,
    days: dict[str, list[dict[str, Any]]] | None = None,
    *,
    users: list[dict[str, Any]] | None = None,
    channels: list[dict[str, Any]] | None = None,
) -> Path:
    """Write the sample (or the given parts) as an export directory; return it."""
    files: dict[str, Any] = {
        "users.json": USERS if users is None else users,
        "channels.json": CHANNELS if channels is None else channels,
        "integration_logs.json": [],
        **(DAYS if days is None else days),
    }
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=4))
    return root


def zip_export(directory: Path, archive: Path, *, folder: str = "") -> Path:
    """Zip an export directory, its files at the root or inside `folder`."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                zipped.write(path, folder + path.relative_to(directory).as_posix())
    return archive


def corrupt_member(archive: Path, name: str) -> Path:
    """Scramble the middle of one member's compressed bytes, as a damaged download would."""
    with zipfile.ZipFile(archive) as zipped:
        info = zipped.getinfo(name)
    data = bytearray(archive.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    data[middle : middle + 8] = bytes(255 - byte for byte in data[middle : middle + 8])
    archive.write_bytes(bytes(data))
    return archive
