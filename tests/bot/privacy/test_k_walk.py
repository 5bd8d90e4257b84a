"""Every stats entry point, walked with a 4-member community and a 4-person department."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest

from bot.services import Services
from nudges.actions import full_router
from tests.bot.privacy.k_workspace import AS_OF, k_events
from tests.support.campaigns import ids_in, operator_campaign, opt_in
from tests.support.processes import run_engage
from tests.support.suggestions import asker

HIDDEN = {"suppressed": True, "minimum": 5}
NOW = datetime.combine(AS_OF, time(15), tzinfo=UTC)
DAY = str(AS_OF)
REPORT_WORDING = {"2026", "29", "28", "12", "9", "8", "5"}
"""Dates, window lengths ("last 8 weeks", "9+ of 12 weeks") and the minimum of 5."""


@pytest.fixture
async def folded(services: Services) -> Services:
    await services.tracker.record(k_events())
    await services.tracker.fold()
    services.clock = lambda: NOW
    return services


def numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+", text))


def visible(page: str) -> str:
    return re.sub(r"<[^>]+>", "\n", re.sub(r"<style.*?</style>", "", page, flags=re.S))


async def cli(database_url: str, tmp_path: Path, *args: str) -> Any:
    code, out, err = await run_engage(*args, cwd=tmp_path, ENGAGE_DATABASE_URL=database_url)
    assert (code, err) == (0, "")
    return json.loads(out)


async def test_chat_views_show_no_figure_about_the_small_groups(folded: Services) -> None:
    router = full_router(folded)
    quad = (await router.handle(asker("U9"), "stats #quad")).text()
    assert quad == "#quad has fewer than 5 members, so its figures stay private."
    org = (await router.handle(asker("U1"), "stats org")).text()
    assert "Finance" not in org
    other = org.split("Engagement ladder · other\n")[1].split("\nAfter each figure")[0]
    assert numbers(other) == {"5"}
    assert other.count("fewer than 5") == 6
    top = (await router.handle(asker("U1"), "top")).text()
    assert "#big" in top or "big" in top
    assert "quad" not in top


async def test_cli_json_shows_no_figure_about_the_small_groups(
    folded: Services, database_url: str, tmp_path: Path
) -> None:
    quad = await cli(database_url, tmp_path, "stats", "-c", "quad", "--as-of", DAY, "--json")
    assert all(value == HIDDEN for key, value in quad["stats"].items() if key != "as_of")
    org = await cli(database_url, tmp_path, "stats", "--as-of", DAY, "--json")
    groups = {ladder["group"]: ladder for ladder in org["departments"]}
    assert set(groups) == {"Engineering", "other"}
    assert groups["other"]["people"] == HIDDEN
    assert all(value == HIDDEN for value in groups["other"]["rungs"].values())
    assert [entry["name"] for entry in org["top"]] == ["big"]
    funnel = await cli(
        database_url, tmp_path, "stats", "--funnel", "-c", "quad", "--as-of", DAY, "--json"
    )
    assert all(value == HIDDEN for value in funnel["funnel"].values())


async def test_social_proof_below_its_minimum_is_never_shown(
    folded: Services, database_url: str, tmp_path: Path
) -> None:
    preview = await cli(database_url, tmp_path, "suggest", "--all", "--as-of", DAY, "--json")
    items = [item for entry in preview["people"] for item in entry["suggestions"]]
    quad = [item for item in items if item["name"] == "quad"]
    assert quad  # engineers who know only U9 and U10 (2 people) are offered #quad
    counted = [reason for item in items for reason in item["reasons"] if "count" in reason]
    assert all(reason["count"] >= 3 for reason in counted)
    assert not [r for item in quad for r in item["reasons"] if "count" in r]
    # nor the small community's rhythm or momentum, which its stats hide too
    assert not [r for item in quad for r in item["reasons"] if r["code"] in ("rhythm", "growing")]
    sentences = " ".join(str(item.get("sentence", "")) for item in quad)
    assert "weeks" not in sentences


async def test_admin_export_holds_only_the_person_s_own_rows(
    folded: Services, database_url: str, tmp_path: Path
) -> None:
    code, out, err = await run_engage(
        "privacy", "export", "--person", "U11", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url
    )
    assert (code, err) == (0, "")
    assert set(re.findall(r"\bU\d+\b", out)) == {"U11"}
    assert "members" not in json.loads(out).get("memberships", [{}])[0]


async def test_report_pages_show_no_figure_about_the_small_groups(
    folded: Services, database_url: str, tmp_path: Path
) -> None:
    for community, name in (("quad", "quad.html"), (None, "org.html")):
        where = ("--community", community) if community else ()
        code, _, err = await run_engage(
            "report", *where, "--as-of", DAY, "--out", name,
            cwd=tmp_path, ENGAGE_DATABASE_URL=database_url,
        )  # fmt: skip
        assert (code, err) == (0, "")
    quad = visible((tmp_path / "quad.html").read_text())
    assert "#quad" in quad
    assert numbers(quad) <= REPORT_WORDING
    assert quad.count("fewer than 5") >= 5
    org = visible((tmp_path / "org.html").read_text())
    assert "quad" not in org
    assert "Finance" not in org


async def test_campaign_preview_of_a_4_person_department_is_fewer_than_5(
    folded: Services, database_url: str, tmp_path: Path
) -> None:
    ids = await folded.database.read(ids_in)
    await opt_in(folded, list(ids.people.values()))
    await operator_campaign(
        folded, ids.workspace, community="big", name="finance", pitch_en="Come along",
        audience="department", department="Finance", ends="2026-04-30",
    )  # fmt: skip
    shown = (await full_router(folded).handle(asker("U1"), "campaign preview 1")).text()
    assert "People it could reach now: fewer than 5" in shown
    code, out, err = await run_engage(
        "campaign", "preview", "1", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url
    )
    assert (code, err) == (0, "")
    assert "fewer than 5" in out
    reach = [line for line in out.splitlines() if "reach" in line.lower()]
    assert reach
    assert all(numbers(line) <= {"5"} for line in reach)
