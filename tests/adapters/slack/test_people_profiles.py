"""Profiles beyond locale and time zone: the e-mail as a keyed hash, and the department
from the custom profile field ENGAGE_SLACK_DEPARTMENT_FIELD names, through signed events
and the fake Slack Web API."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import Session, select

from adapters.slack.app import BOLT, SLACK
from adapters.web.app import create_app
from bot.crypto import EmailHasher
from bot.services import Services
from bot.settings import Settings, load_settings
from bot.storage.models import Person
from tests.adapters.slack.conftest import SIGNING_SECRET, Slack, fixture, inbox
from tests.support.dump import dump_text
from tests.support.fake_slack import BOT_TOKEN, FakeSlack, slack_user

KEY = "a profile test key, long enough"
TEAM = "T024BE7LD"
CANARY = "maya.canary-4d1e@acme.example"


def settings_for(database_url: str, fake: FakeSlack, department_field: str) -> Settings:
    return load_settings(
        env_file=None,
        database_url=database_url,
        port=0,
        platforms="slack",
        slack_signing_secret=SIGNING_SECRET,
        slack_bot_token=BOT_TOKEN,
        slack_api_url=fake.api_url,
        secret_key=KEY,
        slack_department_field=department_field,
    )


@pytest.fixture
def settings(database_url: str, fake_slack: FakeSlack) -> Settings:
    return settings_for(database_url, fake_slack, "Department")


@pytest.fixture
async def slack(
    settings: Settings, services: Services, fake_slack: FakeSlack
) -> AsyncIterator[Slack]:
    app = create_app(settings, services=services)
    async with TestClient(TestServer(app, host="127.0.0.1", port=0)) as client:
        yield Slack(client, fake_slack, SIGNING_SECRET)


def maya(fake: FakeSlack) -> None:
    user = slack_user("U1")
    user["profile"]["email"] = CANARY
    fake.users["U1"] = user
    fake.field_labels = [
        {"id": "Xf01TITLE", "label": "Team", "type": "text"},
        {"id": "Xf02DEPT", "label": "Department", "type": "text"},
    ]
    fake.custom_fields["U1"] = {
        "Xf01TITLE": {"value": "Garden crew", "alt": ""},
        "Xf02DEPT": {"value": "Sales ", "alt": ""},
    }


async def looked_up(slack: Slack, user: str) -> None:
    app = slack.client.server.app
    await asyncio.wait_for(app[SLACK].people.profile(app[BOLT].client, TEAM, user), 10)


def person(session: Session, user: str) -> Person:
    return session.exec(select(Person).where(Person.external_id == user)).one()


async def test_department_and_email_hash_from_the_profile(slack: Slack, services: Services) -> None:
    maya(slack.fake)
    answer = await slack.event(fixture("events/message"))
    await looked_up(slack, "U1")
    await slack.event(fixture("events/reaction_added"))  # U1 again: cached, no new call
    await looked_up(slack, "U5")
    await services.tracker.fold()

    def check(session: Session) -> tuple[Person, str]:
        return person(session, "U1"), dump_text(session)

    found, dump = await services.database.read(check)
    assert answer.status == 200
    assert (found.department, found.email_hash) == ("Sales", EmailHasher(KEY)(CANARY))
    assert [call.params["user"] for call in slack.fake.calls_to("users.profile.get")] == [
        "U1",
        "U5",
    ]
    assert len(slack.fake.calls_to("team.profile.get")) == 1  # labels once per workspace
    assert CANARY not in dump
    assert "canary" not in dump


async def test_user_change_without_custom_fields_asks_for_them(
    slack: Slack, services: Services
) -> None:
    slack.fake.custom_fields["U3"] = {"Xf02DEPT": {"value": "Legal", "alt": ""}}
    slack.fake.field_labels = [{"id": "Xf02DEPT", "label": "Department"}]
    slack.fake.users["U3"] = fixture("events/user_change")["event"]["user"]
    answer = await slack.event(copy.deepcopy(fixture("events/user_change")))
    await slack.fake.wait_for("users.profile.get")
    await looked_up(slack, "U3")
    await services.tracker.fold()
    found = await services.database.read(lambda session: person(session, "U3"))
    assert answer.status == 200
    assert found.department == "Legal"
    assert found.email_hash == EmailHasher(KEY)("camille@acme.example")
    rows = [row for row in await inbox(services) if row.kind == "person_seen"]
    assert all("camille@" not in repr(row.attrs) for row in rows)


async def test_no_department_field_no_extra_call(database_url: str, fake_slack: FakeSlack) -> None:
    maya(fake_slack)
    services = Services.build(settings_for(database_url, fake_slack, ""))
    app = create_app(services.settings, services=services)
    async with TestClient(TestServer(app, host="127.0.0.1", port=0)) as client:
        slack = Slack(client, fake_slack, SIGNING_SECRET)
        await slack.event(fixture("events/message"))
        await looked_up(slack, "U1")
        await services.tracker.fold()
        found = await services.database.read(lambda session: person(session, "U1"))
    assert found.department is None
    assert found.email_hash == EmailHasher(KEY)(CANARY)
    assert fake_slack.calls_to("users.profile.get") == []
    assert fake_slack.calls_to("team.profile.get") == []
