"""What animators set on their community reaches the planner: the pitch on its cards (a
campaign's own pitch over it, on that campaign's cards), and "never suggest" honoured by
the planner, the chat `suggest` and the operator's `engage suggest`."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session, select

from bot.animators.roles import Actor
from bot.campaigns.store import change_state, save_campaign
from bot.services import Services
from bot.storage.models import Workspace
from nudges.outbox import card_from_data
from nudges.planner.job import plan
from tests.nudges.test_cli import engage
from tests.support.clock import FakeClock
from tests.support.suggestions import (
    TUESDAY,
    asker,
    load_workspace,
    outbox_rows,
    suggestion_router,
)

ANIMATOR = asker("U15")  # created every community of the workspace


async def ready(services: Services, *lines: tuple[str, str]) -> None:
    await load_workspace(services)
    services.clock = FakeClock(TUESDAY)
    router = suggestion_router(services)
    for user, line in lines:
        answer = await router.handle(asker(user) if user != "U8" else asker(user, "fr"), line)
        assert "Only animators" not in answer.text()


def campaign_on_cooking(session: Session) -> None:
    workspace = session.exec(select(Workspace)).one()
    assert workspace.id is not None
    actor = Actor(workspace.id, None, "cli")
    values = {
        "community": "cooking", "name": "spring", "pitch_en": "Spring menus, every Thursday",
        "pitch_fr": "Menus de printemps, chaque jeudi", "audience": "everyone",
        "starts": "2026-03-30", "ends": "2026-04-30",
    }  # fmt: skip
    today = TUESDAY.date()
    campaign = save_campaign(session, (), actor, values, today=today, now=TUESDAY)
    change_state(session, (), actor, campaign, "activate", today)


async def planned_card_text(services: Services) -> str:
    assert (await plan(services)).startswith("planned 1 suggestion(s)")
    [row] = await services.database.read(lambda s: outbox_rows(s, "suggestion"))
    return card_from_data(row.payload["card"]).text()


async def test_the_communitys_pitch_is_on_its_card(services: Services) -> None:
    await ready(
        services,
        ("U15", 'community #cooking pitch="We cook together on Fridays"'),
        ("U7", "start"),
        ("U7", "never #running"),
    )
    text = await planned_card_text(services)
    assert "A community you might like: #cooking" in text
    assert "In its animators' words: We cook together on Fridays" in text


async def test_a_campaigns_pitch_stands_for_the_communitys_on_its_cards(
    services: Services,
) -> None:
    await ready(
        services,
        ("U15", 'community #cooking pitch="We cook together on Fridays"'),
        ("U7", "start"),
        ("U7", "never #running"),
        ("U8", "start"),
        ("U8", "never #running"),
    )
    await services.database.write(campaign_on_cooking)
    answer = await suggestion_router(services).handle(asker("U8", "fr"), "suggest")
    assert "#cooking" in answer.text()
    assert "Selon ses animateurs: Menus de printemps, chaque jeudi" in answer.text()
    text = await planned_card_text(services)  # U7's: U8 had today's message
    assert "In its animators' words: Spring menus, every Thursday" in text
    assert "Fridays" not in text


async def test_never_suggest_is_honoured_by_the_planner_and_suggest(
    services: Services, database_url: str, tmp_path: Path
) -> None:
    await ready(
        services,
        ("U15", "community #cooking never_suggest=on"),
        ("U15", "community #running never-suggest=yes"),
        ("U7", "start"),
    )
    assert (await plan(services)).startswith("planned 0 suggestion(s)")
    answer = await suggestion_router(services).handle(asker("U7"), "suggest")
    assert "#cooking" not in answer.text()
    assert "#running" not in answer.text()
    code, out, err = await engage(
        "suggest", "--person", "U7", "--json", "--limit", "5", url=database_url, cwd=tmp_path
    )
    assert code == 0, err
    [entry] = json.loads(out)["people"]
    shown = {item["community"] for item in entry["suggestions"]}
    assert not shown & {"C4", "C5"}
    # Suggested again once the animators say so.
    await suggestion_router(services).handle(ANIMATOR, "community #running never_suggest=off")
    assert (await plan(services)).startswith("planned 1 suggestion(s)")
