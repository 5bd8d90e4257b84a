"""`/engage showcase on` and `/engage follow <@U1>` over signed requests: the follower's
digest shows where U1 posted publicly — counts and links, never the message's text."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services import Services
from nudges.digest import digest
from nudges.outbox import card_from_data
from tests.adapters.slack.conftest import Slack, fixture
from tests.adapters.slack.test_commands import texts
from tests.adapters.slack.test_ingest_canary import CANARY
from tests.support.clock import FakeClock
from tests.support.dump import dump_text
from tests.support.suggestions import outbox_rows
from tests.support.workspace import handcrafted_events

NEXT_TUESDAY = datetime(2026, 3, 31, 12, tzinfo=UTC)


async def answer(slack: Slack, text: str, user: str) -> list[str]:
    before = len(slack.fake.hooks)
    hook = f"hook-{before}"
    assert (await slack.command(text, user=user, hook=hook)).status == 200
    await slack.fake.wait_for("hook", count=before + 1)
    [(_, body)] = [(name, body) for name, body in slack.fake.hooks if name == hook]
    return texts(body)


async def test_follow_a_person_from_slack_without_any_text_kept(
    slack: Slack, services: Services
) -> None:
    await services.tracker.record(handcrafted_events())
    assert (await slack.event(fixture("events/message"))).status == 200
    await services.tracker.fold()
    services.clock = FakeClock(NEXT_TUESDAY)
    refused = await answer(slack, "follow <@U1|person.u1>", "U2")
    assert refused[0] == "Person U1 has not chosen to be followable, so nobody can follow them."
    on = await answer(slack, "showcase on", "U1")
    assert on[0] == "Done: people can now follow you."
    followed = await answer(slack, "follow <@U1>", "U2")
    assert followed[0].startswith("You now follow Person U1:")
    status = await answer(slack, "showcase", "U1")
    assert "People who follow you: fewer than 5." in status
    assert await digest(services) == "queued 1 digest(s)"
    [row] = await services.database.read(lambda s: outbox_rows(s, "digest"))
    text = card_from_data(row.payload["card"]).text()
    assert "Person U1: #garden: " in text
    assert "Their threads: " in text
    stored = await services.database.read(dump_text)
    assert CANARY not in text
    assert CANARY not in stored
