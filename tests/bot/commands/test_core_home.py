"""The personal home card: own figures, own communities with their rhythm, own settings."""

from __future__ import annotations

from datetime import UTC, datetime, time

from bot.cards import Actions, Heading, Paragraph
from bot.commands import Asker
from bot.commands.core import core_router, home_card
from bot.services import Services
from tests.support.workspace import AS_OF, handcrafted_events


async def test_home_lists_the_persons_communities_and_settings(services: Services) -> None:
    await services.tracker.record(handcrafted_events())
    await services.tracker.fold()
    services.clock = lambda: datetime.combine(AS_OF, time(12), tzinfo=UTC)
    card = await home_card(core_router(services), Asker("slack", "T024BE7LD", "U3", "fr-FR"))
    headings = [block.text for block in card.blocks if isinstance(block, Heading)]
    paragraphs = [block.text for block in card.blocks if isinstance(block, Paragraph)]
    (actions,) = [block for block in card.blocks if isinstance(block, Actions)]
    assert headings == ["Engage", "Vos 28 derniers jours", "Vos communautés", "Vos réglages"]
    assert "#archive-club · rythme en sommeil\n#garden · rythme régulier\n#tiny" in paragraphs
    assert [button.value for button in actions.buttons] == ["start", "pause 2w", "resume"]


async def test_home_of_a_newcomer_says_there_is_no_community_yet(services: Services) -> None:
    card = await home_card(core_router(services), Asker("slack", "T024BE7LD", "U99"))
    paragraphs = [block.text for block in card.blocks if isinstance(block, Paragraph)]
    assert "You are not a member of any community Engage knows yet." in paragraphs
