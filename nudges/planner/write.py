"""Queueing the planner's messages: suggestion rows and the outbox rows carrying cards.

`write_picks` queues one suggestion card per pick, in one transaction per `BATCH`: the
suggestion row, a slot of the person's weekly budget, and the outbox row. An outbox
row's key is unique: `suggestion:<person>:<community>:<ISO week>`,
`introduction:<person>`. A key already taken means another pass planned it: the
suggestion row made for it is removed, and nothing is sent twice. Other producers
(digests, next steps, welcome lines) queue their cards through `outbox_row` and
`insert_outbox` too.

Cards are in each person's language (`language_of`). Suggestion payloads are JSON text,
each distinct card encoded once per pass (`SuggestionPayloads`): a suggestion card
depends on the community, the language, the rhythm shown and the campaign whose pitch it
shows (if any), plus two per-person values: the sentence and the suggestion id. The card
is built and encoded once per (community, language, rhythm, campaign) with stand-ins for
those two values, and split where they appear; each person's payload then joins the
pieces around their own values. The text is exactly what `json.dumps` makes of the
payload `outbox_row` would build (its default `ensure_ascii` encoder for strings,
`int.__repr__` for ids), so the outbox stores, and the worker delivers, the same card.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial
from json.encoder import encode_basestring_ascii as _encode
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert
from sqlmodel import Session, select

from bot.i18n import Language, Translator, language_for
from bot.services import Services
from bot.settings import Settings
from bot.storage.bulk import insert_ignoring_taken, json_parameter
from bot.storage.models import Workspace
from bot.storage.tables import OUTBOX, SUGGESTION
from nudges.cards import Suggested, introduction_card, suggestion_card
from nudges.outbox import card_to_data
from nudges.planner.context import CommunityCard, WorkspaceContext
from nudges.policy import weekly_allowance
from nudges.policy.budget import SlotClaim, claim_slots, period_of, release_slots
from nudges.policy.consent import INTRODUCTION_KIND, Recipient, introduction_key

if TYPE_CHECKING:  # the job imports this module
    from nudges.planner.job import Pick


def write_picks(
    session: Session,
    picks: Sequence[Pick],
    recipients: Mapping[int, Recipient],
    context: WorkspaceContext,
    settings: Settings,
    now: datetime,
    payloads: SuggestionPayloads | None = None,
) -> int:
    """Queue one suggestion per pick; return how many were new.

    A pick is dropped when its person has no budget slot left this week (another pass
    took it) or its key is already queued: the budget is claimed in this transaction,
    so it holds whatever another pass read or wrote meanwhile. `payloads` encodes the
    cards; sharing one across a workspace's batches encodes each distinct card once."""
    if payloads is None:
        payloads = SuggestionPayloads(context, settings.default_locale)
    rows = [
        {
            "person_id": p.person_id,
            "community_id": p.community_id,
            "campaign_id": context.campaign_for(p.person_id, p.community_id),
            "score": p.score,
            "reasons": p.reasons,
            "state": "planned",
            "planned_at": now,
        }
        for p in picks
    ]
    ids = insert_suggestions(session, rows)
    claims = []
    for p, suggestion_id in zip(picks, ids, strict=True):
        recipient = recipients[p.person_id]
        allowance = weekly_allowance(recipient.standing, settings.max_per_week)
        period = period_of(recipient.standing.schedule, now)
        claims.append(SlotClaim(suggestion_id, recipient.budget_holder, period, allowance))
    slotted = claim_slots(session, claims)
    keys, messages = {}, []
    for p, claim in zip(picks, claims, strict=True):
        if claim.suggestion_id not in slotted:
            continue
        key = keys[claim.suggestion_id] = suggestion_key(p.person_id, p.community_id, claim.period)
        payload = payloads.text(p, claim.suggestion_id, recipients[p.person_id])
        messages.append(outbox_text_row(key, "suggestion", p.person_id, payload, now))
    inserted = insert_outbox_text(session, messages)
    queued = {sid for sid, key in keys.items() if key in inserted}
    dropped = [sid for sid in ids if sid not in queued]
    release_slots(session, [sid for sid in dropped if sid in slotted])
    drop_suggestions(session, dropped)
    return len(queued)


async def write_all(
    services: Services,
    picks: Sequence[Pick],
    recipients: dict[int, Recipient],
    context: WorkspaceContext,
    now: datetime,
    payloads: SuggestionPayloads | None = None,
) -> int:
    """Queue the picks, `BATCH` per transaction; return how many were new."""
    planned = 0
    if payloads is None:
        payloads = SuggestionPayloads(context, services.settings.default_locale)
    for start in range(0, len(picks), BATCH):
        planned += await services.database.write(
            partial(
                write_picks,
                picks=picks[start : start + BATCH],
                recipients=recipients,
                context=context,
                settings=services.settings,
                now=now,
                payloads=payloads,
            )
        )
    return planned


def write_introductions(
    session: Session, recipients: Sequence[Recipient], settings: Settings, now: datetime
) -> int:
    if not recipients:
        return 0
    workspaces = {
        row.id: (row.platform, row.external_id) for row in session.exec(select(Workspace))
    }
    rows = []
    for recipient in recipients:
        platform, workspace = workspaces[recipient.workspace_id]
        payload = introduction_payload(
            recipient, platform, workspace, settings.default_locale, settings.max_per_week
        )
        rows.append(
            outbox_row(
                introduction_key(recipient.person_id),
                INTRODUCTION_KIND,
                recipient.person_id,
                payload,
                now,
            )
        )
    return len(insert_outbox(session, rows))


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


TRANSLATORS: dict[Language, Translator] = {"en": Translator("en"), "fr": Translator("fr")}


def language_of(recipient: Recipient, default: Language) -> Language:
    """The person's chosen language, else their platform locale, else the default."""
    if recipient.language in ("en", "fr"):
        return language_for(recipient.language, default)
    return language_for(recipient.locale, default)


def suggested(
    pick: Pick,
    suggestion_id: int,
    community: CommunityCard,
    language: Language,
    campaign_pitch: Mapping[str, str] | None = None,
) -> Suggested:
    """The card's content; a campaign's pitch (in the person's language, else the one it
    has) stands for the community's own on that campaign's cards."""
    label, weeks = pick.rhythm or ("", 0)
    pitch = community.pitch
    if campaign_pitch:
        pitch = campaign_pitch.get(language) or next(iter(campaign_pitch.values()))
    return Suggested(
        suggestion_id=suggestion_id,
        external_id=community.external_id,
        name=community.name or community.external_id,
        sentence=sentence_in(pick, language),
        rhythm=label,
        active_weeks=weeks,
        pitch=pitch,
        animators=community.animators,
    )


def sentence_in(pick: Pick, language: Language) -> str:
    """The pick's sentence in `language`, else in the first language it has."""
    return pick.sentence.get(language) or next(iter(pick.sentence.values()), "")


def introduction_payload(
    recipient: Recipient, platform: str, workspace: str, default: Language, cap: int
) -> dict[str, Any]:
    t = TRANSLATORS[language_of(recipient, default)]
    card = introduction_card(t, weekly_allowance(recipient.standing, cap))
    return {**_address(recipient, platform, workspace), "card": card_to_data(card)}


def _address(recipient: Recipient, platform: str, workspace: str) -> dict[str, Any]:
    return {"platform": platform, "workspace": workspace, "person": recipient.external_id}


BATCH = 500


def suggestion_key(person_id: int, community_id: int, week: str) -> str:
    return f"suggestion:{person_id}:{community_id}:{week}"


def outbox_row(
    key: str, kind: str, person_id: int, payload: dict[str, Any], now: datetime
) -> dict[str, Any]:
    return {
        "dedup_key": key,
        "kind": kind,
        "person_id": person_id,
        "payload": {"kind": kind, "person_id": person_id, **payload},
        "state": "pending",
        "not_before": now,
        "attempts": 0,
        "created_at": now,
    }


def outbox_text_row(
    key: str, kind: str, person_id: int, payload_json: str, now: datetime
) -> dict[str, Any]:
    """An outbox row whose payload is already JSON text (see `insert_outbox_text`)."""
    return {
        "dedup_key": key,
        "kind": kind,
        "person_id": person_id,
        "payload_json": payload_json,
        "state": "pending",
        "not_before": now,
        "attempts": 0,
        "created_at": now,
    }


def insert_suggestions(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert planned suggestions; their ids in the order given.

    Rows of distinct (person, community) are matched to their ids by that pair, so that
    they are inserted many at a time (asking for the ids in order makes SQLite insert
    them one by one)."""
    if not rows:
        return []
    connection = session.connection()
    keys = [(row["person_id"], row["community_id"]) for row in rows]
    if len(set(keys)) < len(keys):
        statement = insert(SUGGESTION).returning(SUGGESTION.c.id, sort_by_parameter_order=True)
        return [row.id for row in connection.execute(statement, list(rows))]
    statement = insert(SUGGESTION).returning(
        SUGGESTION.c.id, SUGGESTION.c.person_id, SUGGESTION.c.community_id
    )
    ids = {
        (row.person_id, row.community_id): row.id
        for row in connection.execute(statement, list(rows))
    }
    return [ids[key] for key in keys]


def insert_outbox(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert rows whose key is free; return the keys inserted."""
    if not rows:
        return set()
    connection = session.connection()
    statement = insert_ignoring_taken(connection, OUTBOX, ["dedup_key"]).returning(
        OUTBOX.c.dedup_key
    )
    return {key for (key,) in connection.execute(statement, list(rows))}


def insert_outbox_text(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    """`insert_outbox` for rows made by `outbox_text_row`: their JSON is stored as given."""
    if not rows:
        return set()
    connection = session.connection()
    statement = (
        insert_ignoring_taken(connection, OUTBOX, ["dedup_key"])
        .values(payload=json_parameter(connection, "payload_json"))
        .returning(OUTBOX.c.dedup_key)
    )
    return {key for (key,) in connection.execute(statement, list(rows))}


def drop_suggestions(session: Session, ids: Sequence[int]) -> None:
    if ids:
        session.connection().execute(delete(SUGGESTION).where(SUGGESTION.c.id.in_(list(ids))))
