"""Find or create the asker's workspace and person rows, and read their language."""

from __future__ import annotations

from sqlmodel import Session

from bot.clock import utcnow
from bot.commands.context import Asker
from bot.i18n import Language, language_for
from bot.storage.models import Person, Preference
from bot.tracker.directory import Directory


def resolve_asker(session: Session, asker: Asker) -> tuple[int, int]:
    """(workspace id, person id), creating the rows on first contact; keeps the locale fresh."""
    directory = Directory()
    directory.workspace_ids(session, [(asker.platform, asker.workspace)])
    workspace_id = directory.workspaces[(asker.platform, asker.workspace)]
    directory.person_ids(session, {(workspace_id, asker.person): utcnow()})
    person_id = directory.people[(workspace_id, asker.person)]
    if asker.locale:
        person = session.get(Person, person_id)
        if person is not None and person.locale != asker.locale:
            person.locale = asker.locale
    return workspace_id, person_id


def language_of(
    session: Session, person_id: int, locale: str | None, default: Language
) -> Language:
    preference = session.get(Preference, person_id)
    if preference is not None and preference.language in ("en", "fr"):
        return language_for(preference.language, default)
    if locale is None:
        person = session.get(Person, person_id)
        locale = person.locale if person else None
    return language_for(locale, default)
