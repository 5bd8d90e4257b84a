"""A community's settings from chat, the CLI and a YAML file: only its animators (or admins,
or the operator) change them; bad values get a clear answer; each change is audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from bot.commands import Router
from bot.services import Services
from bot.storage.models import Audit, Community
from tests.nudges.test_cli import engage
from tests.support.campaigns import ready_workspace
from tests.support.suggestions import asker, suggestion_router


def garden(session: Session) -> Community:
    return session.exec(select(Community).where(Community.external_id == "C1")).one()


async def router(services: Services) -> Router:
    await ready_workspace(services)
    return suggestion_router(services)


async def test_an_animator_sets_them_in_chat(services: Services) -> None:
    chat = await router(services)
    line = 'community #garden pitch="Seeds, swaps and sun" never_suggest=on welcome="Hello!"'
    answer = (await chat.handle(asker("U15"), line)).text()
    assert "Saved: Pitch, Never suggest, Welcome line." in answer
    assert "Pitch: Seeds, swaps and sun" in answer
    found = await services.database.read(garden)
    assert (found.pitch, found.never_suggest) == ("Seeds, swaps and sun", True)
    assert found.welcome == "Hello!"
    again = (await chat.handle(asker("U15"), "community #garden never_suggest=on")).text()
    assert "Nothing changed." in again
    cleared = (await chat.handle(asker("U15"), 'community #garden welcome=""')).text()
    assert "Welcome line: —" in cleared
    [audit] = await services.database.read(
        lambda s: list(s.exec(select(Audit).where(Audit.action == "community.settings")))[:1]
    )
    assert audit.details == {"changed": ["pitch", "never_suggest", "welcome"]}
    assert "Seeds" not in str(audit.details)


async def test_others_are_refused_and_may_only_look(services: Services) -> None:
    chat = await router(services)
    refused = (await chat.handle(asker("U4"), 'community #garden pitch="Mine now"')).text()
    assert refused == "Only animators of #garden (or a workspace admin) can change its settings."
    assert (await services.database.read(garden)).pitch is None
    shown = (await chat.handle(asker("U4"), "community #garden")).text()
    assert "Settings of #garden" in shown
    assert "Never suggest: no" in shown
    assert "To change them" not in shown
    fr = (await chat.handle(asker("U3"), 'community #garden pitch="x"')).text()  # fr-FR
    assert fr.startswith("Seuls les animateurs de #garden (ou un administrateur) peuvent modifier")


async def test_bad_values_get_a_clear_answer(services: Services) -> None:
    chat = await router(services)
    cases = {
        "community #garden colour=green": "“colour” is not a setting",
        "community #garden never_suggest=maybe": "“maybe” is neither on nor off.",
        "community #garden pitch": "“pitch” is not a setting: write field=value",
        f"community #garden pitch={'x' * 301}": "pitch: at most 300 characters.",
        "community": "Which community?",
        "community #nowhere": "nowhere",
    }
    for line, expected in cases.items():
        assert expected in (await chat.handle(asker("U15"), line)).text(), line
    fr = (await chat.handle(asker("U15", "fr"), "community #garden never=peut-être")).text()
    assert "« peut-être » n'est ni on ni off." in fr
    assert (await services.database.read(garden)).never_suggest is False


async def test_the_operator_sets_them_from_the_cli_and_a_yaml_file(
    services: Services, database_url: str, tmp_path: Path
) -> None:
    await ready_workspace(services)
    run: dict[str, Any] = {"url": database_url, "cwd": tmp_path}
    code, out, err = await engage(
        "community", "set", "garden", "--pitch", "Seeds", "--never-suggest", **run
    )
    assert (code, out.strip()) == (0, "changed: pitch, never_suggest"), err
    code, out, _ = await engage("community", "show", "garden", **run)
    assert out.splitlines() == [
        "#garden", "  pitch: Seeds", "  never suggest: yes", "  welcome: —"
    ]  # fmt: skip
    settings = tmp_path / "communities.yaml"
    settings.write_text(
        "communities:\n"
        "  - community: garden\n    never_suggest: false\n    welcome: Welcome, gardener!\n"
        "  - community: tiny\n    pitch: Small and cosy\n",
        encoding="utf-8",
    )
    code, out, err = await engage("community", "apply", str(settings), **run)
    assert (code, out.splitlines()) == (0, ["#garden: never_suggest, welcome", "#tiny: pitch"]), err
    found = await services.database.read(garden)
    assert (found.pitch, found.never_suggest, found.welcome) == (
        "Seeds", False, "Welcome, gardener!"
    )  # fmt: skip
    settings.write_text(
        "- community: tiny\n  pitch: Changed\n- community: garden\n  never_suggest: perhaps\n",
        encoding="utf-8",
    )
    code, _, err = await engage("community", "apply", str(settings), **run)
    assert code == 1
    assert "communities.yaml: entry 2 (garden): “perhaps” is neither on nor off." in err
    tiny = await services.database.read(
        lambda s: s.exec(select(Community).where(Community.external_id == "C3")).one()
    )
    assert tiny.pitch == "Small and cosy"  # all or nothing
    code, _, err = await engage("community", "set", "garden", **run)
    assert code == 1
    assert "give --pitch" in err
