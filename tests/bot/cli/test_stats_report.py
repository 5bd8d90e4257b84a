"""`engage report`: a self-contained HTML file, in English or French."""

from __future__ import annotations

from pathlib import Path

from bot.services import Services
from tests.support.campaigns import ready_workspace
from tests.support.processes import run_engage


async def test_report_writes_one_html_file(
    services: Services, database_url: str, tmp_path: Path
) -> None:
    await ready_workspace(services)
    code, out, err = await run_engage(
        "report", "--community", "#garden", "--as-of", "2026-03-29", "--lang", "fr",
        "--out", "report.html", cwd=tmp_path, ENGAGE_DATABASE_URL=database_url,
    )  # fmt: skip
    assert (code, out, err) == (0, "wrote report.html\n", "")
    page = (tmp_path / "report.html").read_text()
    assert '<html lang="fr">' in page
    assert "Messages par semaine, 12 dernières semaines" in page
    assert page.count("<svg") == 3  # weekly posts, ladder, silent share; no funnel yet
    code, _, err = await run_engage(
        "report", "--community", "nowhere", "--out", "x.html",
        cwd=tmp_path, ENGAGE_DATABASE_URL=database_url,
    )  # fmt: skip
    assert (code, err) == (1, "engage: error: I can't find the community “nowhere”.\n")
    assert not (tmp_path / "x.html").exists()


async def test_the_page_follows_the_operators_language_unless_told(
    services: Services, database_url: str, tmp_path: Path
) -> None:
    await ready_workspace(services)
    french = {"ENGAGE_DATABASE_URL": database_url, "LANG": "fr_FR.UTF-8"}
    code, out, _ = await run_engage(
        "report", "-c", "#garden", "--as-of", "2026-03-29", "--out", "fr.html",
        cwd=tmp_path, **french,
    )  # fmt: skip
    assert (code, out) == (0, "fr.html écrit\n")
    assert '<html lang="fr">' in (tmp_path / "fr.html").read_text()
    code, _, _ = await run_engage(
        "report", "-c", "#garden", "--as-of", "2026-03-29", "--lang", "en", "--out", "en.html",
        cwd=tmp_path, **french,
    )  # fmt: skip
    assert '<html lang="en">' in (tmp_path / "en.html").read_text()
