"""Reasons: machine-readable, in English and French, social proof as counts from k up."""

from __future__ import annotations

from bot.i18n import LANGUAGES, Translator, catalog
from nudges.recommend import Reason, recommend
from tests.nudges.recommend.world import AS_OF, ME, ML, TEAM, TEAM_ROOM, office

REASON_PHRASES = (
    "colleagues_active",
    "members_you_know",
    "campaign",
    "similar",
    "joining",
    "growing",
    "steady",
    "intermittent",
    "new",
)


def test_every_suggestion_has_reasons_and_a_sentence_in_each_language() -> None:
    for suggestion in recommend(office().snapshot(), ME, AS_OF, 10):
        assert suggestion.reasons
        assert all("code" in reason for reason in suggestion.reasons_data())
        assert set(suggestion.sentence) == {"en", "fr"}
        assert suggestion.sentence["en"].strip()
        assert suggestion.sentence["fr"].strip()
        assert suggestion.sentence["en"] != suggestion.sentence["fr"]


def test_every_reason_has_a_phrase_in_both_catalogs() -> None:
    for language in ("en", "fr"):
        keys = catalog(language)
        assert all(f"recommend.reason.{phrase}" in keys for phrase in REASON_PHRASES)


def test_social_proof_counts_the_colleagues_active_there() -> None:
    top = recommend(office().snapshot(), ME, AS_OF, 1)[0]
    assert top.community == ML
    assert top.reasons_data()[0] == {"code": "colleagues_active", "count": 5}
    assert top.sentence["en"].startswith("5 people you work with are active there.")
    assert top.sentence["fr"].startswith("5 personnes avec qui vous travaillez y sont actives.")


def test_no_social_proof_below_the_minimum() -> None:
    top = recommend(office().snapshot(), ME, AS_OF, 1, social_proof_min=6)[0]
    assert top.community == ML
    assert all(r["code"] != "colleagues_active" for r in top.reasons_data())
    assert "people you work with" not in top.sentence["en"]


def test_two_active_colleagues_are_not_enough_for_the_default_of_three() -> None:
    world = office()
    world.activity = [
        row for row in world.activity if row.community != ML or row.person in TEAM[:2]
    ]
    world.activity = [
        row for row in world.activity if row.community != TEAM_ROOM or row.person in (ME, *TEAM[:2])
    ]
    for suggestion in recommend(world.snapshot(), ME, AS_OF, 10):
        codes = {r["code"] for r in suggestion.reasons_data()}
        assert "colleagues_active" not in codes


def test_reasons_carry_counts_never_people() -> None:
    for suggestion in recommend(office().snapshot(), ME, AS_OF, 10):
        for reason in suggestion.reasons_data():
            assert set(reason) <= {
                "code",
                "count",
                "value",
                "recent",
                "previous",
                "active_weeks",
                "observed_weeks",
            }


def test_counts_are_written_as_babel_writes_them() -> None:
    for language in LANGUAGES:
        t = Translator(language)
        for count in (0, 3, 999, 1000, 12345, 1234567, -4321):
            found = Reason("members_you_know", count=count).sentence(t)
            assert t.number(count) in found
            assert found == t("recommend.reason.members_you_know", count=t.number(count))
