"""`showcase on` and `follow <at>Bob</at>` in Teams: the mention reaches the core as a person."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from bot.storage.models import PersonFollow
from nudges.digest import digest
from nudges.outbox import card_from_data
from tests.adapters.teams.activities import ALICE_ID, BOB, BOB_ID, BOT_ID, PERSONAL, activity
from tests.adapters.teams.conftest import TeamsServer
from tests.adapters.teams.fake_connector import FakeConnector
from tests.adapters.teams.test_commands import cards, texts
from tests.support.clock import FakeClock
from tests.support.dump import dump_text
from tests.support.suggestions import outbox_rows

BOB_CHAT = "a:1BoBpErSoNaLcHaT0000000000000000000000000"
_ids = count(1774602950000)
CANARY = "canary-7f3b"


def from_bob(connector: FakeConnector, text: str) -> dict[str, Any]:
    message = activity("personal_message", connector.url, text=text, locale="en-US")
    message["id"] = str(next(_ids))
    message["from"] = {"id": BOB_ID, "name": "Bob Durand", "aadObjectId": BOB}
    message["conversation"] = {**message["conversation"], "id": BOB_CHAT}
    return message


def mentioning_bob(connector: FakeConnector, text: str) -> dict[str, Any]:
    mention = {"type": "mention", "text": "<at>Bob Durand</at>"}
    mention["mentioned"] = {"id": BOB_ID, "name": "Bob Durand"}  # type: ignore[assignment]
    bot = {"type": "mention", "text": "<at>Engage</at>", "mentioned": {"id": BOT_ID}}
    message = activity("personal_message", connector.url, text=text, locale="en-US")
    message["id"] = str(next(_ids))
    message["entities"] = [*message["entities"], bot, mention]
    return message


def count_follows(session: Session) -> int:
    query = select(func.count()).select_from(PersonFollow)
    return int(session.connection().execute(query).scalar_one())


async def test_follow_a_mentioned_person_who_opted_in(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    await teams.post(mentioning_bob(connector, "follow <at>Bob Durand</at>"))
    [unknown] = cards(connector.sent_to(PERSONAL))
    assert texts(unknown)[0].startswith("I can't find the person “Bob Durand”.")
    await teams.post(from_bob(connector, "showcase"))
    [status] = cards(connector.sent_to(BOB_CHAT))
    assert texts(status)[0] == "You are not followable: nobody can follow you."
    await teams.services.tracker.fold()  # Bob's name, as his message showed it
    await teams.post(mentioning_bob(connector, "follow <at>Bob Durand</at>"))
    refused = cards(connector.sent_to(PERSONAL))[-1]
    assert texts(refused)[0] == (
        "Bob Durand has not chosen to be followable, so nobody can follow them."
    )
    await teams.post(from_bob(connector, "showcase on"))
    on = cards(connector.sent_to(BOB_CHAT))[-1]
    assert texts(on)[0] == "Done: people can now follow you."
    await teams.post(mentioning_bob(connector, "<at>Engage</at> follow <at>Bob Durand</at>"))
    done = cards(connector.sent_to(PERSONAL))[-1]
    assert texts(done)[0].startswith("You now follow Bob Durand:")
    assert await teams.services.database.read(count_follows) == 1
    await teams.post(from_bob(connector, "showcase"))
    status = texts(cards(connector.sent_to(BOB_CHAT))[-1])
    assert "People who follow you: fewer than 5." in status
    assert not any(ALICE_ID in text or "Alice" in text for text in status)


async def test_the_digest_shows_where_a_followed_person_posted_never_the_text(
    teams: TeamsServer, connector: FakeConnector
) -> None:
    services = teams.services
    await teams.post(from_bob(connector, "showcase on"))
    posted = activity("channel_message", connector.url)
    posted["text"] = f"{posted['text']} {CANARY}"
    await teams.post(posted)
    await services.tracker.fold()
    await teams.post(mentioning_bob(connector, "follow <at>Bob Durand</at>"))
    services.clock = FakeClock(datetime(2026, 3, 31, 12, tzinfo=UTC))
    assert await digest(services) == "queued 1 digest(s)"
    [row] = await services.database.read(lambda s: outbox_rows(s, "digest"))
    text = card_from_data(row.payload["card"]).text()
    assert "Bob Durand: #" in text
    assert ": 1 posts" in text
    stored = await services.database.read(dump_text)
    assert CANARY not in stored
    assert CANARY not in text
