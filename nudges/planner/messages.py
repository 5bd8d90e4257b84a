"""The cards the planner queues, in each person's language, as outbox payloads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.i18n import Language, Translator, language_for
from nudges.cards.suggestion import Suggested, introduction_card, suggestion_card
from nudges.outbox import card_to_data
from nudges.planner.choose import Pick
from nudges.planner.context import CommunityCard, WorkspaceContext
from nudges.policy import weekly_allowance
from nudges.policy.consent import Recipient

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


def suggestion_payload(
    pick: Pick,
    suggestion_id: int,
    recipient: Recipient,
    context: WorkspaceContext,
    default: Language,
) -> dict[str, Any]:
    language = language_of(recipient, default)
    community = context.communities[pick.community_id]
    pitch = context.campaign_pitch(pick.person_id, pick.community_id)
    card = suggestion_card(
        TRANSLATORS[language], suggested(pick, suggestion_id, community, language, pitch)
    )
    return {
        "suggestion_id": suggestion_id,
        "community_id": pick.community_id,
        **_address(recipient, context.platform, context.external_id),
        "card": card_to_data(card),
    }


def introduction_payload(
    recipient: Recipient, platform: str, workspace: str, default: Language, cap: int
) -> dict[str, Any]:
    t = TRANSLATORS[language_of(recipient, default)]
    card = introduction_card(t, weekly_allowance(recipient.standing, cap))
    return {**_address(recipient, platform, workspace), "card": card_to_data(card)}


def _address(recipient: Recipient, platform: str, workspace: str) -> dict[str, Any]:
    return {"platform": platform, "workspace": workspace, "person": recipient.external_id}
