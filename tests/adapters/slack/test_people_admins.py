"""Slack workspace admins and owners, as users.info says, become Engage admins (audited)."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.services import Services
from bot.storage.models import Audit, Person
from tests.adapters.slack.conftest import Slack
from tests.support.fake_slack import slack_user


def admins_and_audit(session: Session) -> tuple[dict[str, bool], list[str]]:
    people = {person.external_id: person.is_admin for person in session.exec(select(Person))}
    return people, [row.action for row in session.exec(select(Audit))]


async def test_a_slack_owner_is_an_admin_and_a_member_is_not(
    slack: Slack, services: Services
) -> None:
    slack.fake.users["U1"] = slack_user("U1") | {"is_owner": True, "is_admin": True}
    slack.fake.users["U2"] = slack_user("U2") | {"is_admin": False}
    await slack.command("help", user="U1", hook="one")
    await slack.command("help", user="U2", hook="two")
    await slack.fake.wait_for("hook", count=2)
    people, audit = await services.database.read(admins_and_audit)
    assert people == {"U1": True, "U2": False}
    assert audit == ["admin.grant"]
