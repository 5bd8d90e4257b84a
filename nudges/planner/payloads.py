"""Suggestion payloads as JSON text, each distinct card encoded once per pass.

A suggestion card depends on the community, the language, the rhythm shown and the
campaign whose pitch it shows (if any), plus two per-person values: the sentence and the
suggestion id. The card is built and encoded once per (community, language, rhythm,
campaign) with stand-ins for those two values, and split where they appear; each person's
payload then joins the pieces around their own values.

The text is exactly what `json.dumps` makes of the payload `outbox_row` would build (its
default `ensure_ascii` encoder for strings, `int.__repr__` for ids), so the outbox stores,
and the worker delivers, the same card.
"""

from __future__ import annotations

import json
from dataclasses import replace
from json.encoder import encode_basestring_ascii as _encode

from bot.i18n import Language
from nudges.cards.suggestion import Suggested, suggestion_card
from nudges.outbox import card_to_data
from nudges.planner.choose import Pick
from nudges.planner.context import WorkspaceContext
from nudges.planner.messages import TRANSLATORS, language_of, sentence_in, suggested
from nudges.policy.consent import Recipient

KIND = "suggestion"
STAND_INS = ((-718_281_828_459, "sentence-stand-in-a"), (-314_159_265_358, "sentence-stand-in-b"))
Pieces = tuple[tuple[str, ...], ...]
"""The card's text split at each sentence, each piece split at each suggestion id."""


class SuggestionPayloads:
    """Encodes suggestion payloads for one workspace, caching each card's pieces."""

    def __init__(self, context: WorkspaceContext, default: Language) -> None:
        self.context = context
        self.default = default
        self.pieces: dict[
            tuple[int, Language, tuple[str, int] | None, int | None], Pieces | None
        ] = {}
        self.address = (
            f', "platform": {_encode(context.platform)}, '
            f'"workspace": {_encode(context.external_id)}, "person": '
        )

    def text(self, pick: Pick, suggestion_id: int, recipient: Recipient) -> str:
        """The payload's JSON text: `json.dumps` of `outbox_row(...)["payload"]`."""
        language = language_of(recipient, self.default)
        head = (
            f'{{"kind": "{KIND}", "person_id": {pick.person_id:d}, '
            f'"suggestion_id": {suggestion_id:d}, "community_id": {pick.community_id:d}'
            f"{self.address}{_encode(recipient.external_id)}"
        )
        campaign = self.context.campaign_for(pick.person_id, pick.community_id)
        key = (pick.community_id, language, pick.rhythm, campaign)
        if key not in self.pieces:
            self.pieces[key] = _pieces(language, self._suggested(pick, 0, language))
        pieces = self.pieces[key]
        if pieces is None:  # a stand-in also appears in the card's own text
            item = self._suggested(pick, suggestion_id, language)
            card = json.dumps(card_to_data(suggestion_card(TRANSLATORS[language], item)))
        else:
            sid = str(suggestion_id)
            card = _encode(sentence_in(pick, language)).join(sid.join(piece) for piece in pieces)
        return f'{head}, "card": {card}}}'

    def _suggested(self, pick: Pick, suggestion_id: int, language: Language) -> Suggested:
        community = self.context.communities[pick.community_id]
        pitch = self.context.campaign_pitch(pick.person_id, pick.community_id)
        return suggested(pick, suggestion_id, community, language, pitch)


def _pieces(language: Language, item: Suggested) -> Pieces | None:
    """The card split at its sentence and id, or None when two stand-ins split it apart."""
    splits = []
    for sid, sentence in STAND_INS:
        card = suggestion_card(
            TRANSLATORS[language], replace(item, suggestion_id=sid, sentence=sentence)
        )
        text = json.dumps(card_to_data(card))
        splits.append(tuple(tuple(part.split(str(sid))) for part in text.split(_encode(sentence))))
    return splits[0] if splits[0] == splits[1] else None
