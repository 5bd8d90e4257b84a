"""Reading Teams activity JSON: who, where, which thread, and the words typed to the bot."""

from __future__ import annotations

from adapters.teams.ingest import (
    channel_id,
    command_text,
    occurred_at,
    person_key,
    root_message_id,
    submitted_action,
)
from tests.adapters.teams.activities import ALICE, BOT_ID, GARDEN, activity

SERVICE = "https://smba.trafficmanager.net/emea/"


def test_the_bot_mention_is_removed_and_a_channel_mention_becomes_its_id() -> None:
    sent = activity(
        "channel_mention",
        SERVICE,
        text="<at>Engage</at> stats <at>garden</at>&nbsp;",
        entities=[
            {"type": "mention", "text": "<at>Engage</at>", "mentioned": {"id": BOT_ID}},
            {"type": "mention", "text": "<at>garden</at>", "mentioned": {"id": GARDEN}},
        ],
    )
    assert command_text(sent) == f"stats {GARDEN}"


def test_formatting_is_dropped_from_typed_commands() -> None:
    sent = activity("personal_message", SERVICE, text="<p>pause&nbsp;<b>2w</b></p>")
    assert command_text(sent) == "pause 2w"


def test_threads_come_from_the_conversation_id_or_reply_to_id() -> None:
    assert root_message_id(activity("channel_reply", SERVICE)) == "1774603201512"
    assert root_message_id(activity("reaction_added", SERVICE)) == "1774603201512"
    assert channel_id(activity("channel_reply", SERVICE)) == GARDEN


def test_a_channel_without_channel_data_is_read_from_the_conversation() -> None:
    sent = activity("channel_message", SERVICE)
    del sent["channelData"]["channel"]
    assert channel_id(sent) == GARDEN


def test_people_are_known_by_their_entra_object_id() -> None:
    sent = activity("channel_reply", SERVICE)
    assert person_key(sent["from"]) == ALICE
    assert person_key({"id": "29:only-an-id"}) == "29:only-an-id"


def test_clicks_carry_their_data_for_submit_and_execute() -> None:
    assert submitted_action(activity("submit_action", SERVICE)) == {
        "action": "engage.command",
        "value": "settings",
    }
    assert submitted_action(activity("card_action_invoke", SERVICE)) == {
        "action": "engage.command",
        "value": "stop",
    }
    assert submitted_action(activity("personal_message", SERVICE)) is None


def test_timestamps_are_utc() -> None:
    moment = occurred_at(activity("channel_message", SERVICE))
    assert moment.isoformat() == "2026-03-27T09:20:01.512000+00:00"
