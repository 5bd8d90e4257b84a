"""The welcome line: a community's animators greet whoever joins it after its suggestion.

Queued once per person and community (`welcome:<person>:<community>`) when the join is
recorded (the Join button, or a join by any path that `reconcile_joins` attributes to a
suggestion), and sent right away: it answers the person's own step. Never after `stop`
and never while paused — then it is not sent at all (checked again at send time).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.cards import Actions, Card, Heading, Paragraph
from bot.events import as_utc
from bot.i18n import Language, Translator, language_for
from bot.storage.models import Community, Person, Preference, Suggestion, Workspace
from nudges.cards import command_button
from nudges.outbox import card_to_data
from nudges.planner.write import insert_outbox, outbox_row

KIND = "welcome"


def welcome_key(person_id: int, community_id: int) -> str:
    return f"{KIND}:{person_id}:{community_id}"


def welcome_card(t: Translator, name: str, line: str) -> Card:
    title = t("promises.welcome_title", name=name)
    return Card(
        (
            Heading(title),
            Paragraph(f"{t('promises.welcome_from')} {line}"),
            Paragraph(t("promises.welcome_privacy", name=name)),
            Actions((command_button(t("suggestion.stop"), "stop", style="danger"),)),
        ),
        fallback=title,
    )


def queue_welcome(
    session: Session, suggestion: Suggestion, now: datetime, default: Language = "en"
) -> bool:
    """Queue the community's welcome line for the person the suggestion went to, if it
    has one and they neither stopped nor paused; True when queued now."""
    community = session.get(Community, suggestion.community_id)
    person = session.get(Person, suggestion.person_id)
    if community is None or not community.welcome or person is None or person.deleted:
        return False
    preference = session.get(Preference, person.id)
    if preference is not None and (
        preference.consent == "out"
        or (preference.snooze_until is not None and as_utc(preference.snooze_until) > now)
    ):
        return False
    workspace = session.get_one(Workspace, person.workspace_id)
    chosen = preference.language if preference is not None else None
    language = language_for(chosen if chosen in ("en", "fr") else person.locale, default)
    name = community.name or community.external_id
    payload = {
        "community_id": community.id,
        "platform": workspace.platform,
        "workspace": workspace.external_id,
        "person": person.external_id,
        "card": card_to_data(welcome_card(Translator(language), name, community.welcome)),
    }
    assert person.id is not None
    assert community.id is not None
    row = outbox_row(welcome_key(person.id, community.id), KIND, person.id, payload, now)
    return bool(insert_outbox(session, [row]))
