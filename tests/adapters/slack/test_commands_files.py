"""`export` uploads a JSON file into the asker's DM; `forget` erases them after a click."""

from __future__ import annotations

import json
from typing import Any

from bot.services import Services
from tests.adapters.slack.conftest import Slack, fixture
from tests.adapters.slack.test_commands import texts
from tests.support.dump import dump_tables
from tests.support.workspace import handcrafted_events


async def click(slack: Slack, value: str) -> dict[str, Any]:
    payload = fixture("interactive/block_actions")
    payload["actions"][0] = payload["actions"][0] | {"value": value}
    seen = len(slack.fake.hooks)
    await slack.action(payload, hook=value.replace(" ", "_"))
    await slack.fake.wait_for("hook", seen + 1)
    return slack.fake.hooks[-1][1]


async def test_export_uploads_the_askers_rows_into_their_dm(
    slack: Slack, services: Services
) -> None:
    await services.tracker.record(handcrafted_events())
    await services.tracker.fold()
    await slack.command("export", user="U1")
    await slack.fake.wait_for("hook")
    [opened] = slack.fake.calls_to("conversations.open")
    [asked] = slack.fake.calls_to("files.getUploadURLExternal")
    [completed] = slack.fake.calls_to("files.completeUploadExternal")
    [(file_id, content)] = slack.fake.uploads.items()
    exported = json.loads(content)
    assert opened.params["users"] == "U1"
    assert asked.params["filename"].startswith("engage-export-")
    assert completed.params["channel_id"] == "D1"
    assert json.loads(completed.params["files"])[0]["id"] == file_id
    assert exported["person"]["external_id"] == "U1"
    assert exported["membership"]
    assert exported["inbox_event"]
    others = {f"U{n}" for n in range(2, 16)}
    assert not others & set(json.dumps(exported).replace('"', " ").split())
    assert "attached file engage-export-" in texts(slack.fake.hooks[0][1])[0]


async def test_forget_asks_then_erases_every_row_about_the_asker(
    slack: Slack, services: Services
) -> None:
    await services.tracker.record(handcrafted_events())
    await services.tracker.fold()
    await slack.command("forget", user="U1")
    await slack.fake.wait_for("hook")
    question = slack.fake.hooks[0][1]
    buttons = [e["value"] for b in question["blocks"] for e in b.get("elements", [])]
    assert buttons == ["forget --confirm", "forget --object", "forget-cancel"]
    before = await services.database.read(dump_tables)
    [u1] = [row["id"] for row in before["person"] if row["external_id"] == "U1"]
    assert "U1" in json.dumps(before, default=str)
    answer = await click(slack, "forget --confirm")
    after = await services.database.read(dump_tables)
    assert answer["replace_original"] is True
    assert texts(answer)[0].startswith("Done: Engage no longer holds anything about you")
    assert '"U1"' not in json.dumps(after, default=str)
    assert not [
        (table, row)
        for table, rows in after.items()
        for row in rows
        if any(column.endswith("person_id") and value == u1 for column, value in row.items())
        or (table == "person" and row["id"] == u1)
    ]
