"""The export's final membership and archive state wins over what the day files imply."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.slack.export import ChannelHistory, DayEvents, closing_events
from adapters.slack.export_schema import SlackChannel
from adapters.slack.ingest import moment
from bot.events import CommunityArchived, Event, MemberJoined, MemberLeft
from tests.support.slack_export import BOT, DATAJAM, JAVIER, LENA, MAYA, OMAR

CREATED = datetime(2016, 7, 1, tzinfo=UTC)
HORIZON = datetime(2026, 1, 1, tzinfo=UTC)


def channel(members: list[str], archived: bool = False) -> SlackChannel:
    return SlackChannel(
        id=DATAJAM, name="datajam", created=1467331200, members=members, is_archived=archived
    )


def history(*signals: tuple[str, str, str]) -> ChannelHistory:
    day = DayEvents()
    for ts, person, signal in signals:
        day.presence.append((moment(ts), person, signal))  # type: ignore[arg-type]
        day.moments.append(moment(ts))
    day.moments.append(moment("4102444800.000001"))  # future-dated: ignored
    seen = ChannelHistory(HORIZON)
    seen.add(day)
    return seen


def summary(events: list[Event]) -> list[tuple[str, str, str, datetime]]:
    return [(type(e).__name__, e.key, getattr(e, "person", ""), e.occurred_at) for e in events]


def test_listed_members_without_a_join_message_joined_at_creation() -> None:
    seen = history(("1467331300.000002", MAYA, "joined"), ("1467336000.000003", OMAR, "posted"))
    events = closing_events("T1", channel([MAYA, OMAR, LENA, BOT]), seen, frozenset({BOT}))
    assert summary(events) == [
        ("MemberJoined", f"{DATAJAM}:member:{LENA}", LENA, CREATED),
        ("MemberJoined", f"{DATAJAM}:member:{OMAR}", OMAR, CREATED),
    ]


def test_people_gone_from_the_list_left_just_after_the_last_message() -> None:
    seen = history(
        ("1467331300.000002", MAYA, "joined"),
        ("1467336000.000003", JAVIER, "posted"),
        ("1467337000.000004", OMAR, "joined"),
        ("1467338000.000005", OMAR, "left"),
    )
    events = closing_events("T1", channel([MAYA]), seen, frozenset())
    just_after = moment("1467338000.000005") + timedelta(microseconds=1)
    assert summary(events) == [("MemberLeft", f"{DATAJAM}:left:{JAVIER}", JAVIER, just_after)]
    assert isinstance(events[0], MemberLeft)


def test_listed_member_whose_last_message_was_a_leave_rejoined() -> None:
    seen = history(("1467331300.000002", MAYA, "joined"), ("1467338000.000005", MAYA, "left"))
    events = closing_events("T1", channel([MAYA]), seen, frozenset())
    just_after = moment("1467338000.000005") + timedelta(microseconds=1)
    assert summary(events) == [("MemberJoined", f"{DATAJAM}:member:{MAYA}", MAYA, just_after)]
    assert isinstance(events[0], MemberJoined)


def test_archived_channel_is_archived_after_its_last_message() -> None:
    seen = history(("1467331300.000002", MAYA, "joined"))
    events = closing_events("T1", channel([], archived=True), seen, frozenset())
    just_after = moment("1467331300.000002") + timedelta(microseconds=1)
    assert [(type(e), e.key, e.occurred_at) for e in events] == [
        (MemberLeft, f"{DATAJAM}:left:{MAYA}", just_after),
        (CommunityArchived, f"{DATAJAM}:archived", just_after),
    ]


def test_channel_without_messages_closes_at_creation() -> None:
    events = closing_events("T1", channel([], archived=True), ChannelHistory(HORIZON), frozenset())
    assert [e.occurred_at for e in events] == [CREATED + timedelta(microseconds=1)]
