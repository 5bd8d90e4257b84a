"""The team roster's e-mails, as keyed hashes only: Alice on Teams is Alice on Slack, and
`stop` said on Teams stops her Slack account too."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.crypto import EmailHasher
from bot.events import PersonSeen
from bot.settings import Settings, load_settings
from bot.storage.models import Person, Preference
from tests.adapters.teams.activities import ALICE, BOB, activity
from tests.adapters.teams.conftest import TeamsServer
from tests.adapters.teams.fake_connector import FakeConnector
from tests.support.dump import dump_text

KEY = "a roster test key, long enough"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return load_settings(env_file=None, database_url=database_url, port=0, secret_key=KEY)


def account(session: Session, external_id: str) -> Person:
    return session.exec(select(Person).where(Person.external_id == external_id)).one()


async def test_roster_emails_link_people_across_platforms(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    slack_alice = PersonSeen(
        platform="slack",
        workspace="T024BE7LD",
        key="U1:profile:1",
        occurred_at=datetime(2026, 3, 1, tzinfo=UTC),
        person="U1",
        email_hash=EmailHasher(KEY)("Alice@Contoso.example"),
    )
    await teams.services.tracker.record([slack_alice])
    await teams.post(activity("bot_added_to_team", connector.url))
    await teams.post(activity("bot_added_to_team", connector.url))  # again: nothing new
    await teams.services.tracker.fold()
    await teams.post(activity("personal_message", connector.url, text="start", id="start-1"))
    await teams.post(activity("personal_message", connector.url, text="stop", id="stop-1"))

    def check(session: Session) -> tuple[Person, Person, Person, str, str | None]:
        preference = session.get(Preference, account(session, "U1").id)
        consent = preference.consent if preference else None
        return (
            account(session, "U1"),
            account(session, ALICE),
            account(session, BOB),
            dump_text(session),
            consent,
        )

    slack, alice, bob, dump, consent = await teams.services.database.read(check)
    assert alice.email_hash == slack.email_hash
    assert alice.human_id == slack.human_id == min(alice.id or 0, slack.id or 0)
    assert bob.email_hash == EmailHasher(KEY)("bob@contoso.example")
    assert bob.human_id is None
    assert consent == "out"
    assert "contoso.example" not in dump
