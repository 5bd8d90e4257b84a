"""The animator report, opened in a real headless Chromium: charts drawn, no errors, no network."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from bot.i18n import Language
from bot.report.page import build_report
from bot.services import Services
from tests.support.campaigns import (
    NOW,
    Ids,
    operator_campaign,
    ready_workspace,
    suggestions,
)
from tests.support.chromium import visit
from tests.support.workspace import person

CHARTS = """(() => {
  const charts = [...document.querySelectorAll('figure.chart')].map((figure) => {
    const svg = figure.querySelector('svg');
    const caption = figure.querySelector('figcaption').textContent;
    if (!svg) return {caption, svg: false, note: figure.querySelector('.hidden-note').textContent};
    const box = svg.getBoundingClientRect();
    const marks = [...svg.querySelectorAll('rect.bar, circle.point, polyline.line')];
    const drawn = marks.filter((m) => m.getBBox().width > 0 && m.getBBox().height > 0);
    return {caption, svg: true, width: box.width, height: box.height,
            marks: marks.length, drawn: drawn.length};
  });
  return {charts, title: document.title, text: document.body.innerText};
})()"""


@pytest.fixture
async def ids(services: Services) -> Ids:
    found = await ready_workspace(services)
    await services.tracker.record([person(f"U{i}", "Sales") for i in range(20, 25)])
    await services.tracker.fold()  # five newcomers, in no community yet
    garden = found.communities["C1"]
    people = [found.people[f"U{i}"] for i in range(1, 9)]
    campaign = await operator_campaign(
        services, found.workspace, "active", community="garden", name="spring",
        pitch_en="<b>Grow</b> with us", audience="everyone", starts="2026-03-02",
        ends="2026-04-30",
    )  # fmt: skip
    await suggestions(services, garden, people, campaign, followed=6, joined=5, dismissed=1)
    return found


async def report(services: Services, ids: Ids, community: str | None, language: Language) -> str:
    def build(session: Session) -> str:
        return build_report(
            session, services.settings, ids.workspace, community, NOW.date(), language
        )

    return await services.database.read(build)


async def test_the_report_renders_in_headless_chromium(
    services: Services, ids: Ids, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    page.write_text(await report(services, ids, "garden", "en"), encoding="utf-8")
    seen = await visit(page.as_uri(), tmp_path / "profile", CHARTS)
    assert seen.errors == []
    assert seen.requests == [page.as_uri()]  # nothing fetched from anywhere
    (tmp_path / "report.png").write_bytes(seen.screenshot)
    assert seen.screenshot.startswith(b"\x89PNG")
    assert len(seen.screenshot) > 10_000
    charts = {chart["caption"]: chart for chart in seen.value["charts"]}
    weekly = charts["Posts per week, last 12 weeks"]
    assert (weekly["svg"], weekly["marks"], weekly["drawn"]) == (True, 12, 9)  # 9 active weeks
    assert weekly["width"] > 0
    assert weekly["height"] > 0
    assert charts["Engagement ladder (28 days)"]["drawn"] >= 1
    silent = charts["Share of silent members at the end of each of the last 8 weeks"]
    assert silent["svg"]
    assert silent["drawn"] >= 2
    funnel = charts["Suggestions of this community, last 12 weeks"]
    assert funnel["svg"]
    assert funnel["drawn"] == 3
    assert charts["Campaign spring: suggestions sent per week"]["drawn"] == 1
    text = seen.value["text"]
    assert "#garden" in text
    assert "Person U" not in text  # nobody is named
    assert "fewer than 5" in text


async def test_small_groups_are_hidden_in_french(
    services: Services, ids: Ids, tmp_path: Path
) -> None:
    page = tmp_path / "tiny.html"
    page.write_text(await report(services, ids, "tiny", "fr"), encoding="utf-8")
    seen = await visit(page.as_uri(), tmp_path / "profile", CHARTS)
    assert seen.errors == []
    assert seen.value["title"] == "Engage — rapport de communauté"
    assert all(not chart["svg"] for chart in seen.value["charts"])
    assert "Masqué : moins de 5 personnes ont été actives" in seen.value["text"]


async def test_the_organisation_report_covers_the_most_alive_communities(
    services: Services, ids: Ids
) -> None:
    page = await report(services, ids, None, "en")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count('<section class="community"') == 2  # garden, archive-club; not tiny
    assert "&lt;b&gt;Grow&lt;/b&gt;" not in page  # pitches are not in the report at all
    assert "<script" not in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert 'aria-label="The ladder over the last 12 months"' in page
    trend = page[page.index('aria-label="The ladder over the last 12 months"') :]
    trend = trend[: trend.index("</svg>")]
    assert trend.count('class="point"') >= 1  # this month's observers, at least
    assert "Months whose figure is hidden are left as gaps." in page


async def test_the_checker_sees_console_errors(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><script>console.error('boom'); missing();</script>")
    seen = await visit(page.as_uri(), tmp_path / "profile", "document.title")
    assert len(seen.errors) == 2
