"""`settings <what> <value>`: each person's cadence, days, hours, quiet hours and language."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.commands import Asker, CommandError
from bot.commands.core import core_router
from bot.commands.preferences import parse_settings
from bot.services import Services
from bot.storage.models import Person, Preference
from tests.support.events import WORKSPACE


@pytest.mark.parametrize(
    ("words", "changes"),
    [
        ("week 2", {"max_per_week": 2}),
        ("week 0", {"max_per_week": 0}),
        ("days tue-thu", {"working_days": "2,3,4"}),
        ("days mon,wed, fri", {"working_days": "1,3,5"}),
        ("jours lun-ven", {"working_days": "1,2,3,4,5"}),
        ("days 1-3 sun", {"working_days": "1,2,3,7"}),
        ("hours 9-17", {"window_start": 9, "window_end": 17}),
        ("hours 9:00-17:00", {"window_start": 9, "window_end": 17}),
        ("quiet 22-7", {"quiet_start": 22, "quiet_end": 7}),
        ("quiet off", {"quiet_start": None, "quiet_end": None}),
        ("language fr", {"language": "fr"}),
        ("language auto", {"language": None}),
    ],
)
def test_parse(words: str, changes: dict[str, object]) -> None:
    assert parse_settings(words.split(), cap=3) == changes


@pytest.mark.parametrize(
    "words",
    ["week 3", "week many", "days fri-mon", "days funday", "hours 17-9", "hours 9-25",
     "quiet 12-12", "language de", "colour blue"],
)  # fmt: skip
def test_refused(words: str) -> None:
    with pytest.raises(CommandError) as refused:
        parse_settings(words.split(), cap=2)
    assert refused.value.key == "command.settings.bad"


async def test_settings_change_is_stored_and_shown(services: Services) -> None:
    router = core_router(services)
    asker = Asker("slack", WORKSPACE, "U1")
    card = await router.handle(asker, "settings hours 9-17")
    assert "9:00–17:00" in card.text()
    card = await router.handle(asker, "settings week 2")
    assert "I didn't understand that setting" in card.text()
    assert "(at most 1)" in card.text()

    def stored(session: Session) -> Preference | None:
        person = session.exec(select(Person)).one()
        return session.get(Preference, person.id)

    preference = await services.database.read(stored)
    assert preference is not None
    assert (preference.window_start, preference.window_end, preference.max_per_week) == (9, 17, 1)
