"""The CLI speaks the operator's language: ENGAGE_LANGUAGE, else the locale, else English."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer

from adapters.main import build_cli
from bot.i18n import catalog
from bot.services import Services
from tests.support.campaigns import ready_workspace
from tests.support.processes import run_engage as run
from tests.support.workspace import handcrafted_events

WIDE = {"COLUMNS": "200"}


@pytest.fixture
async def folded(services: Services) -> Services:
    await services.tracker.record(handcrafted_events())
    await services.tracker.fold()
    return services


async def test_help_follows_the_setting_then_the_locale(tmp_path: Path) -> None:
    _, english, _ = await run("--help", cwd=tmp_path, **WIDE)
    _, french, _ = await run("--help", cwd=tmp_path, ENGAGE_LANGUAGE="fr", **WIDE)
    _, from_locale, _ = await run("--help", cwd=tmp_path, LANG="fr_FR.UTF-8", **WIDE)
    _, overridden, _ = await run(
        "--help", cwd=tmp_path, LC_ALL="fr_FR.UTF-8", ENGAGE_LANGUAGE="en", **WIDE
    )
    assert "Engage: help people discover communities of their own accord." in english
    assert "Show this message and exit." in english
    assert "─ Commands ─" in english
    assert "Engage : aider chacun à découvrir les communautés de son propre chef." in french
    assert "Afficher ce message et quitter." in french
    assert "─ Commandes ─" in french
    assert "Afficher la version d’Engage." in french
    assert "Show this message" not in french
    assert from_locale == french
    assert overridden == english


async def test_a_commands_options_are_explained_in_french(tmp_path: Path) -> None:
    code, out, _ = await run("stats", "--help", cwd=tmp_path, ENGAGE_LANGUAGE="fr", **WIDE)
    assert code == 0
    assert "Santé d’une communauté (rythme, étendue, silence)" in out
    assert "Calculer à cette date (AAAA-MM-JJ)." in out
    assert "Identifiant externe de l’espace de travail, s’il y en a plusieurs." in out


async def test_errors_are_one_line_in_french(tmp_path: Path) -> None:
    code, _, err = await run("stats", "--as-of", "2026-02-30", cwd=tmp_path, LANG="fr_FR.UTF-8")
    assert (code, err.splitlines()) == (
        1,
        ["engage : erreur : --as-of attend une date comme 2026-03-31, pas '2026-02-30'"],
    )
    code, _, err = await run("stats", "--as-of", "2026-02-30", cwd=tmp_path)
    assert err.splitlines() == [
        "engage: error: --as-of needs a date like 2026-03-31, not '2026-02-30'"
    ]
    code, _, err = await run("stats", cwd=tmp_path, ENGAGE_LANGUAGE="de")
    assert (code, err.splitlines()) == (
        1,
        ["engage: error: ENGAGE_LANGUAGE: Input should be 'en' or 'fr'"],
    )


async def test_stats_tables_numbers_and_dates_in_french(
    folded: Services, database_url: str, tmp_path: Path
) -> None:
    french = {"ENGAGE_DATABASE_URL": database_url, "ENGAGE_LANGUAGE": "fr", **WIDE}
    code, ladder, _ = await run("stats", "--as-of", "2026-03-29", cwd=tmp_path, **french)
    assert code == 0
    assert "Échelle d’engagement — 28 jours jusqu’au 29 mars 2026" in ladder
    assert "Communautés les plus vivantes (rythme, puis étendue)" in ladder
    assert "habitués" in ladder
    assert "régulier" in ladder
    code, card, _ = await run(
        "stats", "-c", "garden", "--as-of", "2026-03-29", cwd=tmp_path, **french
    )
    assert "#garden — au 29 mars 2026" in card
    assert "part de silencieux" in card
    assert "47\u00a0%" in card
    code, _, err = await run("stats", "-c", "gardn", cwd=tmp_path, **french)
    assert err.splitlines() == [
        "engage : erreur : Je ne trouve pas la communauté « gardn ». Vouliez-vous dire : #garden ?"
    ]
    code, english, _ = await run(
        "stats", "-c", "garden", "--as-of", "2026-03-29", cwd=tmp_path,
        ENGAGE_DATABASE_URL=database_url, **WIDE,
    )  # fmt: skip
    assert "#garden — as of 2026-03-29" in english
    assert "47%" in english


def test_every_command_and_option_has_its_help_in_the_catalogue() -> None:
    """Add `cli.command.<path>` and `cli.option.<path>.<name>` (or a shared
    `cli.option.<name>`) to en.toml and fr.toml for each new command."""
    missing: list[str] = []

    def walk(command: Any, path: str) -> None:
        where = path or "engage"
        if f"cli.command.{where}" not in catalog("fr"):
            missing.append(f"cli.command.{where}")
        for param in command.params:
            keys = (f"cli.option.{where}.{param.name}", f"cli.option.{param.name}")
            if not any(key in catalog("fr") for key in keys):
                missing.append(keys[0])
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path}.{name}" if path else name)

    walk(typer.main.get_command(build_cli()), "")
    assert not missing, missing


async def test_synth_summary_in_french(tmp_path: Path) -> None:
    code, out, err = await run(
        "synth", "--people", "20", "--communities", "4", "--days", "14", "--end", "2026-03-30",
        cwd=tmp_path, ENGAGE_DATABASE_URL=f"sqlite:///{tmp_path / 's.db'}",
        ENGAGE_LANGUAGE="fr", **WIDE,
    )  # fmt: skip
    assert code == 0, err
    assert "Espace de travail synthétique" in out
    assert "du 16 mars 2026 au 29 mars 2026" in out
    assert "événements intégrés aux statistiques" in out


async def test_campaigns_in_french(services: Services, database_url: str, tmp_path: Path) -> None:
    await ready_workspace(services)
    french = {"ENGAGE_DATABASE_URL": database_url, "ENGAGE_LANGUAGE": "fr", **WIDE}
    code, out, err = await run(
        "campaign", "create", "-c", "archive-club", "--name", "spring", "--pitch-fr", "Venez",
        "--starts", "2099-04-01", "--ends", "2099-04-30", cwd=tmp_path, **french,
    )  # fmt: skip
    assert (code, out, err) == (0, "campagne 1 (spring) créée en brouillon\n", "")
    _, moved, _ = await run("campaign", "activate", "spring", cwd=tmp_path, **french)
    assert moved == "la campagne 1 (spring) est maintenant active\n"
    _, listed, _ = await run("campaign", "list", cwd=tmp_path, **french)
    assert "Campagnes" in listed
    assert "coup de pouce" in listed
    _, shown, _ = await run("campaign", "show", "1", cwd=tmp_path, **french)
    assert "Campagne 1 : spring" in shown
    assert "pourrait toucher maintenant" in shown
    assert "Résultats (conversion" in shown
    assert "premier message" in shown


async def test_run_job_says_what_it_did_in_french(
    services: Services, database_url: str, tmp_path: Path
) -> None:
    await services.tracker.record(handcrafted_events())
    french = {"ENGAGE_DATABASE_URL": database_url, "ENGAGE_LANGUAGE": "fr"}
    code, out, _ = await run("run-job", "fold", cwd=tmp_path, **french)
    assert (code, out) == (0, f"{len(handcrafted_events())} événement(s) intégré(s)\n")
    code, out, _ = await run("run-job", "digest", cwd=tmp_path, **french)
    assert (code, out) == (0, "0 résumé(s) mis en file\n")
