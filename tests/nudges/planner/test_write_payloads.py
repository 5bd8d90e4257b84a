"""Encoded suggestion payloads are exactly the payloads the cards would make one by one."""

from __future__ import annotations

import json
from typing import Any

from nudges.cards import suggestion_card
from nudges.outbox import card_to_data
from nudges.planner.context import CommunityCard, WorkspaceContext
from nudges.planner.job import Pick
from nudges.planner.write import STAND_INS, TRANSLATORS, SuggestionPayloads, language_of, suggested
from nudges.policy import Standing
from nudges.policy.budget import Schedule
from nudges.policy.consent import Recipient

STANDING = Standing("in", 3, None, Schedule(tz="Europe/Paris"), 0, None)
COMMUNITIES = {
    1: CommunityCard("C1", "général", "Le café du matin ☕"),
    2: CommunityCard("C2 with space", 'it\'s "quoted"', None),
    3: CommunityCard("C3", "", None),
    4: CommunityCard("C4", f"name {STAND_INS[0][0]} and {STAND_INS[0][1]}", None),
}
RHYTHM = {"code": "rhythm", "value": "steady", "active_weeks": 11}


def context(workspace: str = "T1") -> WorkspaceContext:
    return WorkspaceContext(1, "slack", workspace, communities=dict(COMMUNITIES))


def recipient(
    person_id: int, language: str | None, locale: str | None, external_id: str = ""
) -> Recipient:
    return Recipient(person_id, 1, external_id or f"U{person_id}", locale, language, STANDING)


def pick(person_id: int, community_id: int, reasons: list[dict[str, Any]], text: str) -> Pick:
    return Pick(person_id, community_id, 0.5, reasons, {"en": text, "fr": f"fr {text}"})


def suggestion_payload(
    pick: Pick, suggestion_id: int, recipient: Recipient, context: WorkspaceContext
) -> dict[str, Any]:
    """The payload built one card at a time: what the encoded text must equal."""
    language = language_of(recipient, "en")
    community = context.communities[pick.community_id]
    pitch = context.campaign_pitch(pick.person_id, pick.community_id)
    card = suggestion_card(
        TRANSLATORS[language], suggested(pick, suggestion_id, community, language, pitch)
    )
    return {
        "suggestion_id": suggestion_id,
        "community_id": pick.community_id,
        "platform": context.platform,
        "workspace": context.external_id,
        "person": recipient.external_id,
        "card": card_to_data(card),
    }


def expected(p: Pick, suggestion_id: int, r: Recipient, ctx: WorkspaceContext) -> str:
    payload = suggestion_payload(p, suggestion_id, r, ctx)
    return json.dumps({"kind": "suggestion", "person_id": p.person_id, **payload})


CASES = [
    (pick(10, 1, [RHYTHM], "Alice posts here."), 7, recipient(10, None, "en-US")),
    (pick(11, 1, [RHYTHM], 'Bob "and" Zoë post here\n'), 123456, recipient(11, "fr", None)),
    (pick(12, 1, [RHYTHM], "Alice posts here."), 8, recipient(12, None, None)),
    (pick(13, 2, [], "--suggestion 9 7"), 9, recipient(13, None, "fr-FR")),
    (pick(14, 3, [{"code": "rhythm", "value": "odd", "active_weeks": 2}], ""), 77, None),
    (pick(15, 4, [RHYTHM], STAND_INS[1][1]), 5, recipient(15, "en", None)),
    (pick(16, 2, [RHYTHM], "y"), 6, recipient(16, "fr", None, 'Zoé "29:1a-b\\c"')),
]


def test_each_payload_is_the_json_of_the_card_built_for_it() -> None:
    ctx = context('équipe "T1"')
    payloads = SuggestionPayloads(ctx, "en")
    for p, suggestion_id, r in CASES:
        who = r or recipient(p.person_id, "de", "de-DE")
        text = payloads.text(p, suggestion_id, who)
        assert text == expected(p, suggestion_id, who, ctx)
        assert json.loads(text)["suggestion_id"] == suggestion_id


def test_a_card_is_encoded_once_per_community_language_and_rhythm() -> None:
    ctx = context()
    payloads = SuggestionPayloads(ctx, "en")
    for person in range(20, 30):
        p = pick(person, 1, [RHYTHM], f"Sentence {person}.")
        assert payloads.text(p, person * 3, recipient(person, "en", None)) == expected(
            p, person * 3, recipient(person, "en", None), ctx
        )
    assert list(payloads.pieces) == [(1, "en", ("steady", 11), None)]


def test_a_card_whose_text_holds_a_stand_in_is_encoded_for_each_person() -> None:
    ctx = context()
    payloads = SuggestionPayloads(ctx, "en")
    p = pick(40, 4, [], "x")
    assert payloads.text(p, 1, recipient(40, "en", None)) == expected(
        p, 1, recipient(40, "en", None), ctx
    )
    assert payloads.pieces == {(4, "en", None, None): None}
