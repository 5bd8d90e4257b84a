"""`engage campaign …` as the operator runs it: create, activate, show, export, apply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.services import Services
from tests.support.campaigns import Ids, ready_workspace
from tests.support.processes import run_engage


@pytest.fixture
async def ids(services: Services) -> Ids:
    return await ready_workspace(services)


async def test_create_activate_show_export_apply(
    ids: Ids, database_url: str, tmp_path: Path
) -> None:
    async def engage(*args: str) -> tuple[int, str, str]:
        return await run_engage(*args, cwd=tmp_path, ENGAGE_DATABASE_URL=database_url)

    code, out, err = await engage(
        "campaign", "create", "-c", "archive-club", "--name", "spring", "--pitch-fr", "Venez",
        "--audience", "department", "--department", "sales", "--starts", "2099-04-01",
        "--ends", "2099-04-30", "--max-sends", "20",
    )  # fmt: skip
    assert (code, out, err) == (0, "created campaign 1 (spring) as a draft\n", "")
    assert (await engage("campaign", "activate", "spring"))[
        1
    ] == "campaign 1 (spring) is now active\n"
    code, out, _ = await engage("campaign", "show", "1", "--json")
    shown = json.loads(out)
    assert shown["audience"] == {"kind": "department", "department": "Sales"}
    assert shown["eligible"] == {"suppressed": True, "minimum": 5}  # nobody said yes
    assert shown["state"] == "active"
    assert shown["results"]["counts"]["sent"] == {"suppressed": True, "minimum": 5}
    assert (await engage("campaign", "export", "--out", "campaigns.yml"))[0] == 0
    exported = (tmp_path / "campaigns.yml").read_text()
    assert "state: active" in exported
    assert (await engage("campaign", "apply", "campaigns.yml"))[1] == (
        "created 0, updated 0, unchanged 1\n"
    )
    (tmp_path / "campaigns.yml").write_text(
        exported.replace("ends: 2099-04-30", "ends: 2001-01-01")
    )
    code, _, err = await engage("campaign", "apply", "campaigns.yml")
    assert (code, err.splitlines()) == (1, [
        "engage: error: campaigns.yml:11: ends: the end date 2001-01-01 is before the start date "
        "2099-04-01; nothing was saved",
    ])  # fmt: skip


async def test_errors_are_one_line(ids: Ids, database_url: str, tmp_path: Path) -> None:
    code, _, err = await run_engage(
        "campaign", "create", "-c", "gardn", "--name", "x", "--pitch-en", "Hi",
        "--ends", "2099-01-01",
        cwd=tmp_path, ENGAGE_DATABASE_URL=database_url,
    )  # fmt: skip
    assert (code, err) == (
        1, "engage: error: Community: I can't find the community “gardn”. Did you mean: #garden?\n"
    )  # fmt: skip
    code, _, err = await run_engage(
        "campaign", "pause", "7", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url
    )
    assert (code, err) == (1, "engage: error: I can't find the campaign “7”.\n")
