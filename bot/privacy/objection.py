"""The right to object: a person who objects is never recorded again. Only a salted hash of
their platform ids is kept, and the tracker drops their events before anything is stored."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlmodel import Session, col

from bot.events import Event
from bot.storage.bulk import insert_ignoring_conflicts
from bot.storage.models import Meta, Objection
from bot.storage.tables import META

SALT_KEY = "privacy_salt"


def installation_salt(session: Session) -> str:
    """A random salt made once per installation and kept in the database."""
    stored = session.get(Meta, SALT_KEY)
    if stored is not None:
        return stored.value
    connection = session.connection()
    candidate = {"key": SALT_KEY, "value": secrets.token_hex(32)}
    insert_ignoring_conflicts(connection, META, [candidate])  # racing processes agree
    return str(connection.execute(select(META.c.value).where(META.c.key == SALT_KEY)).scalar_one())


def person_hash(salt: str, platform: str, workspace: str, person: str) -> str:
    return hashlib.sha256(f"{salt}\x1f{platform}\x1f{workspace}\x1f{person}".encode()).hexdigest()


def record_objection(session: Session, platform: str, workspace: str, person: str) -> None:
    digest = person_hash(installation_salt(session), platform, workspace, person)
    if session.get(Objection, digest) is None:
        session.add(Objection(person_hash=digest))
        session.flush()


def load_objections(session: Session) -> tuple[str, frozenset[str]]:
    """(salt, hashes) for the ingest filter."""
    hashes = frozenset(session.connection().execute(select(col(Objection.person_hash))).scalars())
    return installation_salt(session), hashes


@dataclass(frozen=True)
class ObjectionFilter:
    """Drops events by people who objected, and strips them as the receiver of others'."""

    salt: str = ""
    hashes: frozenset[str] = frozenset()

    @classmethod
    def load(cls, session: Session) -> ObjectionFilter:
        salt, hashes = load_objections(session)
        return cls(salt, hashes)

    def objects(self, platform: str, workspace: str, person: str | None) -> bool:
        if not self.hashes or person is None:
            return False
        return person_hash(self.salt, platform, workspace, person) in self.hashes

    def apply(self, events: Iterable[Event]) -> list[Event]:
        if not self.hashes:
            return list(events)
        kept: list[Event] = []
        for event in events:
            if self.objects(event.platform, event.workspace, getattr(event, "person", None)):
                continue
            receiver = getattr(event, "receiver", None)
            if receiver is not None and self.objects(event.platform, event.workspace, receiver):
                event = replace(event, receiver=None)  # type: ignore[call-arg]
            kept.append(event)
        return kept
