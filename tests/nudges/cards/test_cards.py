"""The suggestion and introduction cards: reason, rhythm, pitch and a way out."""

from __future__ import annotations

from bot.cards import Actions
from bot.i18n import Translator
from nudges.cards import Suggested, command_line, introduction_card, suggestion_card

NEW = Suggested(
    suggestion_id=42,
    external_id="19:abc@thread tacv2",
    name="vélo",
    sentence="4 personnes avec qui vous travaillez y sont actives.",
    rhythm="new",
    active_weeks=3,
    pitch="On roule le jeudi.",
)


def test_french_card_with_pitch_and_a_new_rhythm() -> None:
    card = suggestion_card(Translator("fr"), NEW)
    assert card.text().splitlines()[:4] == [
        "Une communauté qui pourrait vous plaire : #vélo",
        "4 personnes avec qui vous travaillez y sont actives.",
        "Rythme: nouveau · active 3 des 12 dernières semaines",
        "Selon ses animateurs: On roule le jeudi.",
    ]
    [actions] = [block for block in card.blocks if isinstance(block, Actions)]
    assert [b.label for b in actions.buttons] == [
        "Suivre", "Rejoindre", "Pas maintenant", "Pas intéressé", "Arrêter les suggestions"
    ]  # fmt: skip
    assert actions.buttons[0].value == "follow '19:abc@thread tacv2' --suggestion 42"


def test_ids_with_spaces_survive_the_command_line() -> None:
    assert command_line("join", "a b", 7) == "join 'a b' --suggestion 7"
    assert command_line("stop") == "stop"


def test_introduction_offers_stop_first() -> None:
    card = introduction_card(Translator("en"), 1)
    assert "At most 1 time(s) a week" in card.text()
    [actions] = [block for block in card.blocks if isinstance(block, Actions)]
    assert [(b.value, b.style) for b in actions.buttons] == [("stop", "danger"), ("settings", None)]
