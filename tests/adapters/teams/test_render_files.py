"""`export` replies with the JSON file attached; `forget` erases the asker after a click."""

from __future__ import annotations

import json
from base64 import b64decode
from typing import Any

from tests.adapters.teams.activities import PERSONAL, activity
from tests.adapters.teams.conftest import TeamsServer
from tests.adapters.teams.fake_connector import FakeConnector
from tests.adapters.teams.test_commands import cards, handcrafted_teams_workspace, texts
from tests.support.dump import dump_tables

U1 = {"id": "29:1U1xQz0p9WvB3nK7mJ2sR5dF8gH4yU6iO1eW0qA", "name": "U1", "aadObjectId": "U1"}


def typed(connector: FakeConnector, text: str) -> dict[str, Any]:
    return activity("personal_message", connector.url, text=text, locale="en-US", **{"from": U1})


async def test_export_replies_with_the_askers_rows_as_a_json_file(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    await handcrafted_teams_workspace(teams.services)
    await teams.post(typed(connector, "export"))
    [reply] = connector.sent_to(PERSONAL)
    [card] = cards([reply])
    [file] = [a for a in reply["attachments"] if a["contentType"] == "application/json"]
    header, encoded = file["contentUrl"].split(",", 1)
    exported = json.loads(b64decode(encoded))
    assert header == "data:application/json;base64"
    assert file["name"].startswith("engage-export-")
    assert file["name"].endswith(".json")
    assert texts(card)[0].startswith("Here is everything Engage holds about you")
    assert exported["person"]["external_id"] == "U1"
    assert exported["membership"]
    assert exported["inbox_event"]
    assert exported["conversation_ref"]
    others = {f"U{n}" for n in range(2, 16)}
    assert not others & set(json.dumps(exported).replace('"', " ").split())


async def test_forget_asks_then_erases_every_row_about_the_asker(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    await handcrafted_teams_workspace(teams.services)
    await teams.post(typed(connector, "forget"))
    [question] = cards(connector.sent_to(PERSONAL))
    values = [action["data"]["value"] for action in question["actions"]]
    assert values == ["forget --confirm", "forget --object", "forget-cancel"]
    before = await teams.services.database.read(dump_tables)
    [u1] = [row["id"] for row in before["person"] if row["external_id"] == "U1"]
    invoke = activity("card_action_invoke", connector.url, **{"from": U1})
    invoke["value"]["action"]["data"] = question["actions"][0]["data"]
    answer = await teams.post(invoke)
    after = await teams.services.database.read(dump_tables)
    assert answer.status == 200
    assert texts(answer.body["value"])[0].startswith("Done: Engage no longer holds anything")
    assert '"U1"' not in json.dumps(after, default=str)
    assert not [
        (table, row)
        for table, rows in after.items()
        for row in rows
        if any(column.endswith("person_id") and value == u1 for column, value in row.items())
        or (table == "person" and row["id"] == u1)
    ]
