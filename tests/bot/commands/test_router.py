"""The command layer end to end on the handcrafted workspace, in English and French."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from sqlmodel import select

from bot.cards import Actions, Card, Chart
from bot.commands import Asker, Router
from bot.commands.core import core_router
from bot.services import Services
from bot.storage.models import Preference
from tests.support.events import WORKSPACE
from tests.support.workspace import AS_OF, handcrafted_events


@pytest.fixture
async def router(services: Services) -> Router:
    await services.tracker.record(handcrafted_events())
    await services.tracker.fold()
    services.clock = lambda: datetime.combine(AS_OF, time(15), tzinfo=UTC)
    return core_router(services)


def asker(person: str = "U1", locale: str | None = "en-US", community: str | None = None) -> Asker:
    return Asker("slack", WORKSPACE, person, locale=locale, community=community)


async def test_stats_card_in_english(router: Router) -> None:
    card = await router.handle(asker(), "stats #garden")
    text = card.text()
    assert "#garden · steady rhythm" in text
    assert "Members: 15" in text
    assert "Contributors (28 days): hidden\n" in text
    assert "Reactors only (28 days): fewer than 5" in text
    assert "Silent members (28 days): 7 (47%)" in text
    assert "Active weeks: 9 of the last 12" in text
    charts = [block for block in card.blocks if isinstance(block, Chart)]
    assert charts[0].values == (0, 0, 0, 1, 2, 2, 2, 2, 4, 3, 2, 3)


async def test_stats_card_in_french_from_the_locale(router: Router) -> None:
    text = (await router.handle(asker("U3", locale="fr-FR"), "stats garden")).text()
    assert "rythme régulier" in text
    assert "Réactions seulement (28 jours): moins de 5" in text
    assert "Contributeurs (28 jours): masqué\n" in text
    assert "Membres silencieux (28 jours): 7 (47\u00a0%)" in text


async def test_stats_defaults_to_the_community_it_is_asked_in(router: Router) -> None:
    text = (await router.handle(asker(community="C2"), "stats")).text()
    assert "#archive-club · dormant rhythm" in text


async def test_small_community_stays_private(router: Router) -> None:
    text = (await router.handle(asker(), "stats #tiny")).text()
    assert text == "#tiny has fewer than 5 members, so its figures stay private."


async def test_unknown_community_suggests_close_names(router: Router) -> None:
    text = (await router.handle(asker(), "stats #gardn")).text()
    assert "I can't find the community “gardn”. Did you mean: #garden?" in text
    assert "Usage: stats [#community | org]" in text


async def test_org_ladder_is_suppressed_under_the_minimum(router: Router) -> None:
    text = (await router.handle(asker(), "stats org")).text()
    assert "Engagement ladder · organisation" in text
    assert "People: 15  ·········███" in text  # 12 months: nobody before January
    assert "observers: 6  ·········" in text
    assert "contributors: hidden  ············" in text  # else the hidden rungs would add to 4
    assert "regulars: fewer than 5" in text
    assert "After each figure, the last 12 months, one mark per month" in text


async def test_me_shows_only_the_askers_figures(router: Router) -> None:
    card = await router.handle(asker("U2"), "me")
    text = card.text()
    assert "Your rung: contributors" in text
    assert "Posts: 5" in text
    assert "U1" not in text


async def test_top_ranks_by_rhythm(router: Router) -> None:
    text = (await router.handle(asker(), "top")).text()
    assert text.splitlines()[1:] == [
        "1. #garden · steady · 9/12 active weeks · 6 contributors",
        "2. #archive-club · dormant · 2/12 active weeks",
    ]


async def test_unknown_subcommand_answers_help(router: Router) -> None:
    text = (await router.handle(asker(), "frobnicate now")).text()
    assert "I don't know “frobnicate”" in text
    assert "stats [#community | org]" in text


async def test_empty_text_is_help(router: Router) -> None:
    assert "Engage — what you can ask" in (await router.handle(asker(), "   ")).text()


async def test_start_pause_resume_stop_change_preferences(
    router: Router, services: Services
) -> None:
    async def preference() -> Preference:
        return await services.database.read(lambda s: s.exec(select(Preference)).one())

    assert "at most 1 suggestion(s) a week" in (await router.handle(asker(), "start")).text()
    assert (await preference()).consent == "in"
    assert "paused until 2026-04-12" in (await router.handle(asker(), "pause 2w")).text()
    snooze = (await preference()).snooze_until
    assert snooze is not None
    assert snooze.date().isoformat() == "2026-04-12"
    await router.handle(asker(), "resume")
    assert (await preference()).snooze_until is None
    await router.handle(asker(), "stop")
    assert (await preference()).consent == "out"


@pytest.mark.parametrize("argument", ["", "soon", "0d", "2000d", "2020-01-01"])
async def test_bad_pause_answers_usage(router: Router, argument: str) -> None:
    text = (await router.handle(asker(), f"pause {argument}")).text()
    assert "I need a duration such as 2w" in text
    assert "Usage: pause <duration>" in text


async def test_settings_offer_buttons_that_are_commands(router: Router) -> None:
    card: Card = await router.handle(asker(locale="fr-FR"), "settings")
    text = card.text()
    assert "Suggestions: pas encore démarrées (dites « start »)" in text
    assert "mar., mer., jeu." in text
    actions = next(block for block in card.blocks if isinstance(block, Actions))
    assert [button.value for button in actions.buttons] == ["start", "pause 2w", "resume"]


async def test_french_words_call_the_same_commands(router: Router) -> None:
    french = asker("U3", locale="fr-FR")
    for word in ("moi", "MOI", "aide", "préférences", "preferences", "arrêter", "arreter"):
        english = {"moi": "me", "aide": "help"}.get(word.lower(), "")
        card = await router.handle(french, word)
        assert "Je ne connais pas" not in card.text(), word
        if english:
            assert card.text() == (await router.handle(french, english)).text()


async def test_help_lists_the_words_of_the_persons_language(router: Router) -> None:
    french = (await router.handle(asker("U3", locale="fr-FR"), "aide")).text()
    english = (await router.handle(asker(), "help")).text()
    assert "arrêter" in french
    assert "reprendre" in french
    assert "préférences [week" in french
    assert "stats [#communauté | org]" in french
    assert "arrêter" not in english
    assert "stop" in english
