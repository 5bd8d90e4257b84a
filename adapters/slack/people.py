"""People in Slack: profiles as PersonSeen, their lookups, and workspace admins.

- `person_seen`: a profile (`users.info`, `users.list`, `team_join`, `user_change`) as a
  PersonSeen, keyed by its `updated` time and content, so the same version seen twice
  (an event and a lookup) is recorded once. A `ProfileReader` also reads the e-mail, as
  a keyed hash, and the department field (ENGAGE_SLACK_DEPARTMENT_FIELD).
- `People`: each person's locale and time zone from `users.info`, cached. Lookups for
  people seen in events run in the background, after Slack got its answer; a command
  waits for its asker's lookup (to answer in their language). `user_change` and
  `team_join` refresh the cache from their payload without a call. With the department
  field set (only then), the department comes from `users.profile.get`'s custom fields
  (their labels from one `team.profile.get` per workspace).
- `sync_admin`: Slack workspace admins and owners are Engage admins too.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import Session

from adapters.slack.installs import PLATFORM, Payload
from bot.animators.roles import mark_platform_admin
from bot.crypto import EmailHasher
from bot.events import PersonSeen, utcnow
from bot.privacy.objection import load_objections, person_hash
from bot.settings import Settings
from bot.storage.database import Database
from bot.tracker import Tracker
from bot.tracker.directory import Directory

log = logging.getLogger("engage.slack.people")


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


Key = tuple[str, str]


@dataclass(frozen=True)
class Profile:
    locale: str | None = None
    tz: str | None = None


class People:
    def __init__(
        self,
        tracker: Tracker,
        *,
        ttl_seconds: float = 24 * 3600,
        failure_ttl_seconds: float = 600,
        max_entries: int = 100_000,
        concurrency: int = 4,
        reader: ProfileReader = PLAIN,
    ) -> None:
        self._tracker = tracker
        self._reader = reader
        self._labels: dict[str, dict[str, str]] = {}
        self._writes: set[asyncio.Task[int]] = set()
        self._ttl, self._failure_ttl = ttl_seconds, failure_ttl_seconds
        self._max = max_entries
        self._cache: OrderedDict[Key, tuple[float, Profile | None]] = OrderedDict()
        self._pending: dict[Key, asyncio.Task[Profile | None]] = {}
        self._slots = asyncio.Semaphore(concurrency)

    def known(self, workspace: str, user: str) -> bool:
        """Cached and fresh, or being looked up: nothing to start for this person."""
        return self._known((workspace, user))

    def _known(self, key: Key) -> bool:
        entry = self._cache.get(key)
        return (entry is not None and entry[0] > time.monotonic()) or key in self._pending

    def remember(
        self, workspace: str, user: Mapping[str, Any], client: AsyncWebClient | None = None
    ) -> None:
        """Refresh from a profile Slack sent us (`user_change`, `team_join`): its e-mail
        hash and department are recorded in the background (the event's own PersonSeen
        has neither: translating an event knows no key)."""
        if not user.get("id"):
            return
        key = (workspace, str(user["id"]))
        fields = (user.get("profile") or {}).get("fields")
        if self._reader.department_field and fields is None and client is not None:
            # The event lacks the custom fields: a lookup asks for them (and caches the
            # profile; until then, whoever needs it waits for that lookup).
            self._cache.pop(key, None)
            if key not in self._pending:
                self._start(client, key)
            return
        self._store(key, Profile(user.get("locale") or None, user.get("tz") or None), self._ttl)
        if self._reader.hasher.enabled or self._reader.department_field:
            seen = person_seen(workspace, user, utcnow(), self._reader, self._labels.get(workspace))
            if seen.email_hash or seen.department:
                task = asyncio.create_task(self._tracker.record([seen]))
                self._writes.add(task)
                task.add_done_callback(self._writes.discard)

    def look_up_later(self, client: AsyncWebClient, workspace: str, users: Iterable[str]) -> None:
        for user in users:
            if not self._known((workspace, user)):
                self._start(client, (workspace, user))

    async def profile(self, client: AsyncWebClient, workspace: str, user: str) -> Profile | None:
        """The person's profile, from the cache or by waiting for a lookup."""
        key = (workspace, user)
        entry = self._cache.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        task = self._pending.get(key) or self._start(client, key)
        return await asyncio.shield(task)

    async def close(self) -> None:
        await asyncio.gather(*self._writes, return_exceptions=True)
        tasks = list(self._pending.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _start(self, client: AsyncWebClient, key: Key) -> asyncio.Task[Profile | None]:
        task = asyncio.create_task(self._fetch(client, key), name=f"users.info {key[1]}")
        self._pending[key] = task
        task.add_done_callback(lambda _: self._pending.pop(key, None))
        return task

    async def _fetch(self, client: AsyncWebClient, key: Key) -> Profile | None:
        workspace, user = key
        try:
            async with self._slots:
                response = await client.users_info(user=user, include_locale=True)
                payload: Mapping[str, Any] = response.get("user") or {}
                if self._reader.department_field:
                    payload = await self._with_fields(client, workspace, user, payload)
            labels = self._labels.get(workspace)
            seen = person_seen(workspace, payload, utcnow(), self._reader, labels)
            await self._tracker.record([seen])
            await sync_admin(self._tracker.database, workspace, payload)
        except SlackApiError as error:
            log.warning("users.info failed for %s: %s", user, error.response.get("error"))
            self._store(key, None, self._failure_ttl)
            return None
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("users.info got no answer for %s: %s", user, type(error).__name__)
            self._store(key, None, self._failure_ttl)
            return None
        except Exception:
            log.exception("users.info lookup failed for %s", user)
            self._store(key, None, self._failure_ttl)
            return None
        profile = Profile(payload.get("locale") or None, payload.get("tz") or None)
        self._store(key, profile, self._ttl)
        return profile

    async def _with_fields(
        self, client: AsyncWebClient, workspace: str, user: str, payload: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        """`payload` with its profile's custom fields, which `users.info` leaves out (as
        it stands when Slack refuses them, e.g. without `users.profile:read`)."""
        try:
            return await self._fields(client, workspace, user, payload)
        except SlackApiError as error:
            log.warning("custom fields not read for %s: %s", user, error.response.get("error"))
            return payload

    async def _fields(
        self, client: AsyncWebClient, workspace: str, user: str, payload: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        if workspace not in self._labels:
            found = await client.team_profile_get()
            fields = (found.get("profile") or {}).get("fields") or []
            self._labels[workspace] = {
                str(item.get("id")): str(item.get("label") or "")
                for item in fields
                if isinstance(item, Mapping)
            }
        response = await client.users_profile_get(user=user)
        custom = (response.get("profile") or {}).get("fields") or {}
        profile = dict(payload.get("profile") or {})
        profile["fields"] = custom if isinstance(custom, Mapping) else {}
        return {**payload, "profile": profile}

    def _store(self, key: Key, profile: Profile | None, ttl: float) -> None:
        self._cache[key] = (time.monotonic() + ttl, profile)
        self._cache.move_to_end(key)
        while len(self._cache) > self._max:
            self._cache.popitem(last=False)


def is_slack_admin(user: Mapping[str, Any]) -> bool:
    return any(bool(user.get(flag)) for flag in ("is_admin", "is_owner", "is_primary_owner"))


async def sync_admin(database: Database, workspace: str, user: Mapping[str, Any]) -> None:
    """Mirror the profile's admin flag on the person's row (audited when it changes).

    The row is created if the person was not folded yet, unless they object to tracking.
    """
    if not user.get("id") or user.get("is_bot"):
        return
    person, admin = str(user["id"]), is_slack_admin(user)

    def mark(session: Session) -> None:
        salt, objections = load_objections(session)
        if person_hash(salt, PLATFORM, workspace, person) in objections:
            return
        directory = Directory()
        directory.workspace_ids(session, [(PLATFORM, workspace)])
        workspace_id = directory.workspaces[(PLATFORM, workspace)]
        directory.person_ids(session, {(workspace_id, person): utcnow()})
        mark_platform_admin(session, directory.people[(workspace_id, person)], admin)

    await database.write(mark)
