"""Profiles (`users.info`, `team_join`, `user_change`) and App Home visits -> PersonSeen.

A profile is keyed by its `updated` time and content, so the same version seen twice
(an event and a lookup) is recorded once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from adapters.slack.envelope import PLATFORM, Envelope, Payload
from bot.events import Event, PersonSeen
from bot.settings import EmailHasher, Settings


@dataclass(frozen=True)
class ProfileReader:
    """What a deployment reads from a profile beyond its name, locale and time zone: the
    e-mail (`users:read.email`) as a keyed hash, and the department from the custom
    profile field named by ENGAGE_SLACK_DEPARTMENT_FIELD (its id, or its label)."""

    hasher: EmailHasher = field(default_factory=lambda: EmailHasher(""))
    department_field: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> ProfileReader:
        return cls(EmailHasher(settings.secret_key), settings.slack_department_field.strip())

    def department(self, profile: Payload, labels: Mapping[str, str]) -> str | None:
        """The field's value in `profile.fields` ({id: {value, alt, label?}}); `labels`
        maps field ids to labels (`team.profile.get`)."""
        fields = profile.get("fields")
        wanted = self.department_field.casefold()
        if not wanted or not isinstance(fields, Mapping):
            return None
        for field_id, entry in fields.items():
            if not isinstance(entry, Mapping):
                continue
            label = entry.get("label") or labels.get(field_id) or ""
            if wanted in (str(field_id).casefold(), str(label).casefold()):
                value = entry.get("value")
                return value.strip() or None if isinstance(value, str) else None
        return None


PLAIN = ProfileReader()
"""Reads nothing more (no key, no department field)."""


def person_seen(
    workspace: str,
    user: Payload,
    fallback: datetime,
    reader: ProfileReader = PLAIN,
    labels: Mapping[str, str] | None = None,
) -> PersonSeen:
    """A profile (from `users.info`, `users.list`, `team_join` or `user_change`) as a
    PersonSeen; with a `reader`, its e-mail hashed and its department field read."""
    profile: Payload = user.get("profile") or {}
    updated = user.get("updated")
    display_name: str | None = profile.get("display_name") or profile.get("real_name") or None
    locale: str | None = user.get("locale") or None
    tz: str | None = user.get("tz") or None
    is_bot = bool(user.get("is_bot")) or bool(user.get("is_app_user"))
    deleted = bool(user.get("deleted"))
    email_hash = reader.hasher(profile.get("email"))
    department = reader.department(profile, labels or {})
    fields = [updated, display_name, locale, tz, is_bot, deleted]
    if email_hash or department:  # keys of plain profiles stay those of the export importer
        fields += [email_hash, department]
    digest = hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:16]
    when = datetime.fromtimestamp(updated, UTC) if isinstance(updated, int) else fallback
    return PersonSeen(
        platform=PLATFORM,
        workspace=workspace,
        key=f"{user['id']}:profile:{digest}",
        occurred_at=when,
        person=str(user["id"]),
        display_name=display_name,
        locale=locale,
        tz=tz,
        department=department,
        is_bot=is_bot,
        deleted=deleted,
        email_hash=email_hash,
    )


def profile_event(envelope: Envelope, event: Payload) -> list[Event]:
    user = event.get("user")
    if not isinstance(user, Mapping) or not isinstance(user.get("id"), str):
        return []
    return [person_seen(envelope.workspace, user, envelope.when())]


def home_opened(envelope: Envelope, event: Payload) -> list[Event]:
    user = envelope.person(event.get("user"))
    if user is None:
        return []
    return [PersonSeen(**envelope.common(envelope.event_id, envelope.when()), person=user)]
