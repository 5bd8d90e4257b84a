"""`suggest`: one suggestion on request, still within the weekly budget."""

from __future__ import annotations

from bot.cards import Actions
from bot.services import Services
from tests.support.clock import FakeClock
from tests.support.suggestions import TUESDAY, asker, load_workspace, suggestion_router, suggestions


async def test_asking_gives_one_card_within_the_budget(services: Services) -> None:
    await load_workspace(services)
    services.clock = FakeClock(TUESDAY.replace(hour=20))  # outside the window: asking is fine
    router = suggestion_router(services)
    card = await router.handle(asker("U8"), "suggest")
    assert card.text().startswith("A community you might like: #")
    [actions] = [block for block in card.blocks if isinstance(block, Actions)]
    [suggestion] = await services.database.read(suggestions)
    assert actions.buttons[0].value.endswith(f"--suggestion {suggestion.id}")
    assert suggestion.state == "sent"
    assert suggestion.sent_at == TUESDAY.replace(hour=20)
    again = await router.handle(asker("U8"), "suggest")
    assert again.text() == "You have had a suggestion today already. Try again tomorrow."
    services.clock = FakeClock(TUESDAY.replace(day=1, month=4, hour=20))
    later = await router.handle(asker("U8"), "suggest")
    assert later.text().startswith("You have had your 1 suggestion(s) for this week.")


async def test_in_french_and_with_no_allowance(services: Services) -> None:
    await load_workspace(services)
    services.clock = FakeClock(TUESDAY)
    router = suggestion_router(services)
    card = await router.handle(asker("U7", locale="fr-FR"), "suggest")
    assert card.text().startswith("Une communauté qui pourrait vous plaire : #")
    assert "Arrêter les suggestions" in card.text()
    await router.handle(asker("U8"), "settings week 0")
    refused = await router.handle(asker("U8"), "suggest")
    assert refused.text().startswith("Your settings allow no suggestions")
