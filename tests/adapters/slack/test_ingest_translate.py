"""Payload -> neutral event translation, on the project's recorded-shape fixtures."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from adapters.slack.ingest import translate
from bot.events import (
    CommunityArchived,
    CommunityCreated,
    CommunityDeleted,
    CommunityRenamed,
    CommunityUnarchived,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    PersonSeen,
    ReactionAdded,
    ReactionRemoved,
)
from tests.adapters.slack.conftest import fixture

ROOT_TS = "1774360931.000200"


def only(name: str) -> object:
    events = translate(fixture(f"events/{name}"))
    assert len(events) == 1
    return events[0]


def test_a_channel_message_is_a_post_keyed_like_the_export_importer() -> None:
    event = only("message")
    assert isinstance(event, MessagePosted)
    assert (event.workspace, event.key, event.person, event.community) == (
        "T024BE7LD",
        f"C1:{ROOT_TS}",
        "U1",
        "C1",
    )
    assert (event.is_reply, event.thread_key) == (False, f"C1:{ROOT_TS}")
    assert event.occurred_at == datetime(2026, 3, 24, 14, 2, 11, 200, tzinfo=UTC)


@pytest.mark.parametrize("name", ["message_reply", "message_thread_broadcast"])
def test_thread_replies_and_broadcasts_are_replies(name: str) -> None:
    event = only(name)
    assert isinstance(event, MessagePosted)
    assert (event.is_reply, event.thread_key) == (True, f"C1:{ROOT_TS}")


def test_a_file_share_is_a_post() -> None:
    event = only("message_file_share")
    assert isinstance(event, MessagePosted)
    assert (event.person, event.is_reply) == ("U3", False)


@pytest.mark.parametrize(
    "name", ["message_changed", "message_deleted", "message_bot", "message_app", "app_uninstalled"]
)
def test_edits_deletions_bots_and_uninstalls_are_no_activity(name: str) -> None:
    assert translate(fixture(f"events/{name}")) == []


def test_messages_in_direct_conversations_are_not_community_activity() -> None:
    body = copy.deepcopy(fixture("events/message"))
    body["event"] |= {"channel": "D07ENGAGEU1", "channel_type": "im"}
    assert translate(body) == []


def test_join_and_leave_arrive_as_message_and_as_event_with_the_same_key() -> None:
    joined = [only("message_channel_join"), only("member_joined_channel")]
    left = [only("message_channel_leave"), only("member_left_channel")]
    assert all(isinstance(event, MemberJoined) for event in joined)
    assert all(isinstance(event, MemberLeft) for event in left)
    assert {event.key for event in joined} == {"C1:joined:U16:1774363000"}  # type: ignore[attr-defined]
    assert {event.key for event in left} == {"C1:left:U8:1774366000"}  # type: ignore[attr-defined]


def test_reactions_name_giver_receiver_and_message() -> None:
    added, removed = only("reaction_added"), only("reaction_removed")
    assert isinstance(added, ReactionAdded)
    assert isinstance(removed, ReactionRemoved)
    assert (added.person, added.receiver, added.community) == ("U5", "U1", "C1")
    assert added.thread_key == f"C1:{ROOT_TS}"
    assert added.key != removed.key


def test_channel_lifecycle() -> None:
    created = only("channel_created")
    assert isinstance(created, CommunityCreated)
    assert (created.key, created.name, created.creator) == (
        "C07ALLOTMENT:created",
        "allotment",
        "U15",
    )
    renamed = only("channel_rename")
    assert isinstance(renamed, CommunityRenamed)
    assert renamed.name == "allotment-plots"
    kinds = [
        type(only(name)) for name in ("channel_archive", "channel_unarchive", "channel_deleted")
    ]
    assert kinds == [CommunityArchived, CommunityUnarchived, CommunityDeleted]


@pytest.mark.parametrize(
    ("name", "person", "locale"), [("team_join", "U17", "fr-FR"), ("user_change", "U3", "fr-FR")]
)
def test_profiles_carry_locale_and_time_zone(name: str, person: str, locale: str) -> None:
    seen = only(name)
    assert isinstance(seen, PersonSeen)
    assert (seen.person, seen.locale, seen.tz, seen.is_bot) == (
        person,
        locale,
        "Europe/Paris",
        False,
    )
    assert seen.key.startswith(f"{person}:profile:")


def test_opening_app_home_makes_the_person_known() -> None:
    seen = only("app_home_opened")
    assert isinstance(seen, PersonSeen)
    assert (seen.person, seen.locale) == ("U1", None)


def test_other_requests_have_no_events() -> None:
    assert translate(fixture("url_verification")) == []
    assert translate(fixture("interactive/block_actions")) == []
