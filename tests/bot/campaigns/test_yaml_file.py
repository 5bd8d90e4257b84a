"""YAML files: export -> apply round-trips; errors name the line and field; all or nothing."""

from __future__ import annotations

import pytest
from sqlmodel import Session, delete

from bot.campaigns.yaml_file import YamlError, apply_campaigns, export_campaigns
from bot.errors import EngageError
from bot.services import Services
from bot.storage.models import Audit, Campaign
from tests.support.campaigns import NOW, Ids, counts, operator_campaign, ready_workspace

BASE = {"pitch_en": "Come along", "ends": "2026-04-30", "starts": "2026-03-20"}
FILE = """\
campaigns:
  - community: archive-club
    name: spring
    pitch:
      en: Come along
    audience:
      kind: department
      department: Salse
    starts: 2026-04-10
    ends: 2026-04-01
  - community: garden
    name: autumn
    pitch: {en: Hello}
    audience: {kind: members, communities: [tiny]}
    ends: 2026-05-01
    colour: blue
"""


@pytest.fixture
async def ids(services: Services) -> Ids:
    found = await ready_workspace(services)
    club = {"community": "archive-club", **BASE}
    await operator_campaign(services, found.workspace, "draft", name="a-draft", **club,
                            audience="department", department="Sales",
                            pitch_fr="Venez")  # fmt: skip
    await operator_campaign(services, found.workspace, "active", name="running", **club,
                            audience="members", audience_communities="garden", max_sends="30",
                            boost="3")  # fmt: skip
    await operator_campaign(services, found.workspace, "paused", name="resting", **club)
    await operator_campaign(services, found.workspace, "ended", name="over", **club,
                            audience="active", audience_communities="garden")  # fmt: skip
    return found


async def export(services: Services, ids: Ids) -> str:
    return await services.database.read(lambda s: export_campaigns(s, ids.workspace))


async def apply(services: Services, ids: Ids, text: str) -> tuple[int, int, int]:
    report = await services.database.write(
        lambda s: apply_campaigns(s, ids.workspace, text, source="campaigns.yml", now=NOW)
    )
    return len(report.created), len(report.updated), len(report.unchanged)


async def test_export_then_apply_changes_nothing(services: Services, ids: Ids) -> None:
    text = await export(services, ids)
    assert "name: running\n    state: active\n" in text
    assert "department: Sales" in text
    before = await counts(services)
    assert await apply(services, ids, text) == (0, 0, 4)
    assert await counts(services) == before  # not even an audit row
    assert await export(services, ids) == text


async def test_apply_recreates_the_same_campaigns_in_the_same_states(
    services: Services, ids: Ids
) -> None:
    text = await export(services, ids)

    def forget(session: Session) -> None:
        session.connection().execute(delete(Audit))
        session.connection().execute(delete(Campaign))

    await services.database.write(forget)
    assert await apply(services, ids, text) == (4, 0, 0)
    assert await export(services, ids) == text


async def test_apply_updates_and_moves_state(services: Services, ids: Ids) -> None:
    text = await export(services, ids)
    changed = text.replace("boost: 3.0", "boost: 4.5").replace(
        "name: resting\n    state: paused", "name: resting\n    state: active"
    )
    assert await apply(services, ids, changed) == (0, 2, 2)
    exported = await export(services, ids)
    assert "boost: 4.5" in exported
    assert "name: resting\n    state: active" in exported


async def test_errors_name_the_line_and_field_and_nothing_is_saved(
    services: Services, ids: Ids
) -> None:
    before = await counts(services)
    with pytest.raises(YamlError) as raised:
        await apply(services, ids, FILE)
    assert raised.value.lines == [
        "campaigns.yml:8: audience.department: there is no department “Salse” "
        "(known: Engineering, Legal, Sales).",
        "campaigns.yml:10: ends: the end date 2026-04-01 is before the start date 2026-04-10.",
        "campaigns.yml:16: colour: “colour” is not a campaign setting.",
    ]
    assert str(raised.value).startswith("campaigns.yml: nothing was saved; 3 problem(s):")
    fixed = FILE.replace("Salse", "Sales").replace("2026-04-01", "2026-05-01")
    fixed = fixed.replace("    colour: blue\n", "")
    with pytest.raises(YamlError) as again:
        await apply(services, ids, fixed)
    assert again.value.lines == [
        "campaigns.yml:14: audience: this audience matches nobody who is not already in the "
        "community."
    ]
    assert await counts(services) == before


async def test_state_cannot_go_back_and_must_be_known(services: Services, ids: Ids) -> None:
    text = await export(services, ids)
    backwards = text.replace("name: over\n    state: ended", "name: over\n    state: active")
    with pytest.raises(YamlError) as raised:
        await apply(services, ids, backwards.replace("state: draft", "state: sleeping"))
    assert [line.split(": ", 2)[1:] for line in raised.value.lines] == [
        ["state", "“sleeping” is not a state: use draft, active, paused or ended."],
        ["state", "a campaign cannot go from ended back to active."],
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("campaigns:\n  - name: [unclosed\n", "campaigns.yml:3: not valid YAML"),
        ("campaign:\n  - name: x\n", "campaigns.yml:1: campaigns: expected a list"),
        ("campaigns:\n  - just a string\n", "campaigns.yml:2: expected a campaign"),
    ],
)
async def test_malformed_files(services: Services, ids: Ids, text: str, expected: str) -> None:
    with pytest.raises(EngageError) as raised:
        await apply(services, ids, text)
    assert str(raised.value).startswith(expected)
