"""Reasons: machine-readable, in English and French, social proof as counts from k up."""

from __future__ import annotations

import pytest

from bot.i18n import LANGUAGES, Translator, catalog
from nudges.recommend import Reason, recommend
from nudges.recommend.explain import DEFAULT_MIN_GROUP_SIZE
from nudges.recommend.rank import DEFAULT_SOCIAL_PROOF_MIN, model_for, recommend_many, score
from tests.nudges.recommend import reference
from tests.nudges.recommend.test_rank_many import COMMUNITIES, PEOPLE, workspace
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
    "popular.members",
    "popular.small",
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


PERSONAL = {"colleagues_active", "members_you_know", "similar"}


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_reasons_are_true_statements_about_the_data(seed: int) -> None:
    """On random workspaces, every reason of every suggestion checked against the
    snapshot in plain Python, and the first one names the larger factor of the score."""
    snapshot = workspace(seed)
    model = model_for(snapshot, AS_OF)
    index, k = model.index, DEFAULT_SOCIAL_PROOF_MIN
    crowded = {
        c for c, people in index.members.items() if 2 * len(people) > len(index.communities_of)
    }
    people = list(PEOPLE)
    boosts = [{COMMUNITIES[p % 9]: 2.5} if p % 4 == 0 else None for p in people]
    checked = 0
    for person, boost, found in zip(
        people, boosts, recommend_many(model, people, 4, boosts), strict=True
    ):
        lifts = {s.community: s.lift for s in score(model, person, [s.community for s in found])}
        ties = set(reference.ties(index, person))
        mine = index.communities_of.get(person, set()) - crowded
        known = {q for c in mine for q in index.members[c]} - {person}
        for suggestion in found:
            c, reasons = suggestion.community, suggestion.reasons
            members = index.members.get(c, set())
            stated = {reason.code: reason for reason in reasons}
            assert ("campaign" in stated) == ((boost or {}).get(c, 1.0) > 1.0)
            if len(members) >= DEFAULT_MIN_GROUP_SIZE:
                assert stated["members"].count == len(members)
            else:
                assert stated["members"].count is None
            if "joining" in stated:
                assert stated["joining"].count == index.recent_joins[c] >= k
            else:
                assert index.recent_joins.get(c, 0) < k
            active = len(ties & index.recent_contributors.get(c, set()))
            assert (stated["colleagues_active"].count if "colleagues_active" in stated else 0) == (
                active if active >= k else 0
            )
            you_know = len(members & known)
            assert (stated["members_you_know"].count if "members_you_know" in stated else 0) == (
                you_know if you_know >= k else 0
            )
            closer = lifts[c] - 1.0
            if "similar" in stated:
                assert stated["similar"].value == round(closer, 1)
                assert closer >= 2.0
            else:
                assert closer < 2.0
            first = next(r.code for r in reasons if r.code != "campaign")
            personal = lifts[c] >= model.pull[c]
            assert (first in PERSONAL) == (personal and bool(PERSONAL & set(stated)))
            lead = suggestion.reasons[0].sentence(Translator("en"))
            assert suggestion.sentence["en"].startswith(lead)
            checked += 1
    assert checked > 200
