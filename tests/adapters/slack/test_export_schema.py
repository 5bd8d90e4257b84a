"""Parsing keeps metadata only and reports problems without quoting the data."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, TypeAdapter

from adapters.slack.export_schema import CHANNELS, MESSAGES, USERS, ExportError, parse
from tests.support import slack_export as sample
from tests.support.slack_export import CANARY, DAYS


def test_messages_keep_no_text() -> None:
    raw = DAYS["datajam/2016-07-01.json"]
    messages = parse(MESSAGES, "datajam/2016-07-01.json", json.dumps(raw).encode())
    assert len(messages) == len(raw)
    assert CANARY not in repr(messages)


def test_channels_accept_string_or_number_creation_times() -> None:
    channels = parse(CHANNELS, "channels.json", json.dumps(sample.CHANNELS).encode())
    assert [c.created for c in channels] == [1467331200, 1467331200]
    assert CANARY not in repr(channels)
    numeric = [{**sample.CHANNELS[0], "created": 1467331200}]
    assert parse(CHANNELS, "channels.json", json.dumps(numeric).encode())[0].created == 1467331200


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ([{"ts": CANARY, "text": CANARY}], "item 0.ts: String should match pattern"),
        ([{"ts": "1.2"}, {"ts": "1.3", "user": [CANARY]}], "item 1.user: Input should be"),
        ([{"ts": "1.2", "reactions": [{"users": [CANARY]}]}], "item 0.reactions.0.name: Field"),
        ([{"user": CANARY}, {"user": CANARY}], "Field required (and 1 more problems)"),
    ],
)
def test_errors_name_the_file_and_place_but_never_the_value(
    raw: list[dict[str, object]], expected: str
) -> None:
    with pytest.raises(ExportError) as failure:
        parse(MESSAGES, "sci/2016-07-31.json", json.dumps(raw).encode())
    message = str(failure.value)
    assert message.startswith("sci/2016-07-31.json is malformed: ")
    assert expected in message
    assert "canary" not in message


@pytest.mark.parametrize(
    ("adapter", "raw", "expected"),
    [
        (USERS, [{"id": "U" * 33}], "item 0.id: String should have at most 32 characters"),
        (USERS, [{"id": ""}], "item 0.id: String should have at least 1 character"),
        (USERS, [{"id": "U1", "tz": "x" * 65}], "item 0.tz: String should have at most 64"),
        (USERS, [{"id": "U1", "locale": "x" * 17}], "item 0.locale: String should have at most"),
        (USERS, [{"id": "U1", "updated": 2**40}], "item 0.updated: Input should be less than"),
        (CHANNELS, [{"id": "C1", "name": "c", "created": -1}], "item 0.created: Input should be"),
        (CHANNELS, [{"id": "C1", "name": "c", "created": 1, "members": ["U" * 33]}], "members.0"),
        (MESSAGES, [{"ts": "999999999999.000001"}], "item 0.ts: String should match pattern"),
        (MESSAGES, [{"ts": "1.2", "user": "U" * 5000}], "item 0.user: String should have at most"),
        (MESSAGES, [{"ts": "1.2", "reactions": [{"name": "x" * 101}]}], "reactions.0.name"),
    ],
    ids=[
        "long user id",
        "empty user id",
        "long time zone",
        "long locale",
        "update after 9999",
        "created before 1970",
        "long member id",
        "ts after 9999",
        "long author",
        "long reaction",
    ],
)
def test_values_that_would_not_store_as_they_are_are_malformed(
    adapter: TypeAdapter[list[BaseModel]], raw: list[dict[str, object]], expected: str
) -> None:
    with pytest.raises(ExportError) as failure:
        parse(adapter, "file.json", json.dumps(raw).encode())
    assert expected in str(failure.value)
