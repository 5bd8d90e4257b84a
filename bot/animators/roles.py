"""Roles: workspace admins, and each community's animators (its creator plus named people),
and the audit log of every change to a role or campaign (never message text).

Admins are the people listed in ENGAGE_ADMINS (platform user ids) and the people the
platform calls admins or owners (`mark_platform_admin`, fed by the adapters). The operator
running the CLI or applying a YAML file holds every role.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import Session, select

from bot.events import utcnow
from bot.storage.models import Animator, Audit, Community, Membership, Person


class RoleError(Exception):
    """A person tried something their role does not allow; `key` names the message."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def is_admin(session: Session, admins: Collection[str], person_id: int) -> bool:
    person = session.get(Person, person_id)
    if person is None or person.deleted:
        return False
    return person.is_admin or person.external_id in admins


def animator_ids(session: Session, community: Community) -> set[int]:
    """The community's animators: its creator and everyone named, deleted people left out."""
    named = session.exec(select(Animator.person_id).where(Animator.community_id == community.id))
    people = set(named) | ({community.creator_id} if community.creator_id else set())
    if not people:
        return set()
    alive = select(Person.id).where(Person.id.in_(people), Person.deleted.is_(False))  # type: ignore[union-attr,attr-defined]
    return {person_id for person_id in session.exec(alive) if person_id is not None}


def may_see(session: Session, admins: Collection[str], actor: Actor, community: Community) -> bool:
    """A private community exists only for its members, the admins and the operator."""
    if not community.is_private or actor.is_operator:
        return True
    if actor.person_id is None:
        return False
    membership = session.get(Membership, (actor.person_id, community.id))
    if membership is not None and membership.state == "member":
        return True
    return is_admin(session, admins, actor.person_id)


def may_configure(
    session: Session, admins: Collection[str], actor: Actor, community: Community
) -> bool:
    if actor.is_operator:
        return True
    if actor.person_id is None:
        return False
    if is_admin(session, admins, actor.person_id):
        return True
    return actor.person_id in animator_ids(session, community)


def require_animator(
    session: Session, admins: Collection[str], actor: Actor, community: Community, action: str
) -> None:
    """Raise RoleError("roles.refused.<action>") unless the actor may configure `community`."""
    if not may_configure(session, admins, actor, community):
        raise RoleError(f"roles.refused.{action}", name=community.name or community.external_id)


def add_animator(
    session: Session, admins: Collection[str], actor: Actor, person: Person, community: Community
) -> bool:
    """Name `person` an animator of `community`; False when they already were one."""
    require_animator(session, admins, actor, community, "add_animator")
    assert person.id is not None
    assert community.id is not None
    if person.id in animator_ids(session, community):
        return False
    session.add(
        Animator(person_id=person.id, community_id=community.id, added_by_id=actor.person_id)
    )
    record_audit(session, actor, "animator.add", subject_id=person.id, community_id=community.id)
    return True


def remove_animator(
    session: Session, admins: Collection[str], actor: Actor, person: Person, community: Community
) -> bool:
    """Remove a named animator; False when they were not one. The creator always stays."""
    require_animator(session, admins, actor, community, "remove_animator")
    if person.id == community.creator_id:
        raise RoleError("roles.creator_stays", name=community.name or community.external_id)
    row = session.exec(
        select(Animator).where(
            Animator.person_id == person.id, Animator.community_id == community.id
        )
    ).first()
    if row is None:
        return False
    session.delete(row)
    record_audit(session, actor, "animator.remove", subject_id=person.id, community_id=community.id)
    return True


def mark_platform_admin(session: Session, person_id: int, admin: bool) -> bool:
    """Adapters call this with what the platform says (Slack admins/owners, Teams team owners).

    Returns True when the flag changed; each change is audited.
    """
    person = session.get(Person, person_id)
    if person is None or person.is_admin == admin:
        return False
    person.is_admin = admin
    session.add(person)
    actor = Actor(workspace_id=person.workspace_id, person_id=None, source="platform")
    action = "admin.grant" if admin else "admin.revoke"
    record_audit(session, actor, action, subject_id=person_id)
    return True


Source = Literal["chat", "form", "cli", "yaml", "platform", "scheduler"]


@dataclass(frozen=True)
class Actor:
    """Who is making a change: a person in a workspace, or the operator (`person_id=None`)."""

    workspace_id: int
    person_id: int | None
    source: Source

    @property
    def is_operator(self) -> bool:
        """The CLI and YAML files are run by whoever operates Engage: they hold every role."""
        return self.person_id is None and self.source in ("cli", "yaml", "scheduler")


def record_audit(
    session: Session,
    actor: Actor,
    action: str,
    *,
    subject_id: int | None = None,
    community_id: int | None = None,
    campaign_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> Audit:
    """Add one audit row in the caller's transaction: the change and its trace commit together."""
    row = Audit(
        workspace_id=actor.workspace_id,
        created_at=utcnow(),
        source=actor.source,
        actor_id=actor.person_id,
        action=action,
        subject_id=subject_id,
        community_id=community_id,
        campaign_id=campaign_id,
        details=details or {},
    )
    session.add(row)
    return row
