"""The right to object: a salted hash of the person's id, and nothing else, blocks ingest."""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, select

from bot.storage.models import Meta, Objection

SALT_KEY = "privacy_salt"


def installation_salt(session: Session) -> str:
    """A random salt made once per installation and kept in the database."""
    stored = session.get(Meta, SALT_KEY)
    if stored is None:
        stored = Meta(key=SALT_KEY, value=secrets.token_hex(32))
        session.add(stored)
        session.flush()
    return stored.value


def person_hash(salt: str, platform: str, workspace: str, person: str) -> str:
    return hashlib.sha256(f"{salt}\x1f{platform}\x1f{workspace}\x1f{person}".encode()).hexdigest()


def record_objection(session: Session, platform: str, workspace: str, person: str) -> None:
    digest = person_hash(installation_salt(session), platform, workspace, person)
    if session.get(Objection, digest) is None:
        session.add(Objection(person_hash=digest))
        session.flush()


def withdraw_objection(session: Session, platform: str, workspace: str, person: str) -> bool:
    digest = person_hash(installation_salt(session), platform, workspace, person)
    objection = session.get(Objection, digest)
    if objection is None:
        return False
    session.delete(objection)
    session.flush()
    return True


def load_objections(session: Session) -> tuple[str, frozenset[str]]:
    """(salt, hashes) for the ingest filter."""
    hashes = frozenset(session.exec(select(Objection.person_hash)))
    return installation_salt(session), hashes
