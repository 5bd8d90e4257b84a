"""Audit rows survive a person's erasure without their id, and retention ages them out."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from bot.animators.roles import Actor, record_audit
from bot.privacy.rights import apply_retention, erase_person
from bot.services import Services
from tests.support.campaigns import NOW, audit_rows, ready_workspace


async def test_erasing_a_person_keeps_the_trace_without_them(services: Services) -> None:
    ids = await ready_workspace(services)
    actor = Actor(ids.workspace, ids.people["U15"], "chat")

    def write(session: Session) -> None:
        record_audit(session, actor, "animator.add", subject_id=ids.people["U1"],
                     community_id=ids.communities["C1"])  # fmt: skip

    await services.database.write(write)
    await services.database.write(lambda s: erase_person(s, ids.people["U1"]))
    (row,) = await audit_rows(services)
    assert (row.action, row.actor_id, row.subject_id) == ("animator.add", ids.people["U15"], None)


async def test_retention_deletes_old_audit_rows(services: Services) -> None:
    ids = await ready_workspace(services)

    def write(session: Session) -> None:
        old = record_audit(session, Actor(ids.workspace, None, "cli"), "campaign.create")
        old.created_at = NOW - timedelta(days=401)
        record_audit(session, Actor(ids.workspace, None, "cli"), "campaign.activate")

    await services.database.write(write)
    report = await services.database.write(
        lambda s: apply_retention(s, services.settings, NOW + timedelta(days=1))
    )
    assert report.audit == 1
    assert [row.action for row in await audit_rows(services)] == ["campaign.activate"]
