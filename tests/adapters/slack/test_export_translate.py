"""Day-file messages -> neutral events: subtypes, bots, threads, reactions, keys."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from adapters.slack.export import DayEvents, DayTranslator
from adapters.slack.export_schema import MESSAGES, SlackMessage
from adapters.slack.ingest import moment
from bot.events import MemberJoined, MemberLeft, MessagePosted, ReactionAdded
from tests.support.slack_export import BOT, DATAJAM, JAVIER, MAYA, OMAR, message, reactions

ROOT = "1467453600.000002"


def translate(*raw: dict[str, Any]) -> DayEvents:
    messages: list[SlackMessage] = MESSAGES.validate_python(list(raw))
    return DayTranslator("T061A2UFL", DATAJAM, frozenset({BOT, "USLACKBOT"})).translate(messages)


def test_moment_is_exact_and_utc() -> None:
    assert moment("1433558319.000002") == datetime(2015, 6, 6, 2, 38, 39, 2, tzinfo=UTC)
    assert moment("1433558319") == datetime(2015, 6, 6, 2, 38, 39, tzinfo=UTC)
    assert moment(1467331200) == datetime(2016, 7, 1, tzinfo=UTC)


def test_posts_replies_and_their_threads() -> None:
    day = translate(
        message(JAVIER, ROOT, thread_ts=ROOT, reply_count=1),
        message(MAYA, "1467457200.000003", thread_ts=ROOT, parent_user_id=JAVIER),
        message(OMAR, "1467460800.000004", "thread_broadcast", thread_ts=ROOT),
        message(MAYA, "1467461000.000005", "file_share", file={"name": "notes.pdf"}),
        message(JAVIER, "1467461100.000006", "me_message"),
    )
    posts = [e for e in day.events if isinstance(e, MessagePosted)]
    assert [(e.key, e.person, e.thread_key, e.is_reply) for e in posts] == [
        (f"{DATAJAM}:{ROOT}", JAVIER, f"{DATAJAM}:{ROOT}", False),
        (f"{DATAJAM}:1467457200.000003", MAYA, f"{DATAJAM}:{ROOT}", True),
        (f"{DATAJAM}:1467460800.000004", OMAR, f"{DATAJAM}:{ROOT}", True),
        (f"{DATAJAM}:1467461000.000005", MAYA, f"{DATAJAM}:1467461000.000005", False),
        (f"{DATAJAM}:1467461100.000006", JAVIER, f"{DATAJAM}:1467461100.000006", False),
    ]
    assert len(posts) == len(day.events)
    assert all(e.platform == "slack" for e in posts)
    assert day.events[0].occurred_at == datetime(2016, 7, 2, 10, 0, 0, 2, tzinfo=UTC)


def test_joins_and_leaves_become_membership_events() -> None:
    day = translate(
        message(MAYA, "1467331300.000002", "channel_join"),
        message(JAVIER, "1467331400.000003", "channel_join", inviter=MAYA),
        message(JAVIER, "1467464400.000009", "channel_leave"),
        message(BOT, "1467464500.000010", "channel_join"),
    )
    assert [(type(e), e.key, getattr(e, "person", None)) for e in day.events] == [
        (MemberJoined, f"{DATAJAM}:1467331300.000002", MAYA),
        (MemberJoined, f"{DATAJAM}:1467331400.000003", JAVIER),
        (MemberLeft, f"{DATAJAM}:1467464400.000009", JAVIER),
    ]
    assert [signal for _, _, signal in day.presence] == ["joined", "joined", "left"]
    assert day.bot_messages == 1


def test_bot_messages_are_ignored_by_bot_id_subtype_or_user() -> None:
    day = translate(
        message(None, "1467337000.000001", "bot_message", bot_id="B0CM0SCDR"),
        message(MAYA, "1467337000.000002", bot_id="B0CM0SCDR"),
        message(BOT, "1467337000.000003"),
        message("USLACKBOT", "1467337000.000004"),
        message(MAYA, "1467337000.000005", "file_share", bot_id=None),
    )
    assert day.bot_messages == 4
    assert [e.person for e in day.events if isinstance(e, MessagePosted)] == [MAYA]


def test_non_post_subtypes_are_ignored() -> None:
    subtypes = [
        "channel_topic",
        "channel_purpose",
        "channel_name",
        "channel_archive",
        "pinned_item",
        "message_changed",
        "message_deleted",
        "bot_add",
    ]
    day = translate(*(message(MAYA, f"1467337000.00000{i}", s) for i, s in enumerate(subtypes)))
    assert (day.events, day.presence, day.other_messages) == ([], [], len(subtypes))


def test_reactions_name_their_giver_and_receiver() -> None:
    day = translate(
        message(
            MAYA,
            "1467336000.000003",
            thread_ts=ROOT,
            reactions=reactions(("+1", [JAVIER, OMAR]), ("tada", [BOT, MAYA])),
        ),
        message(None, "1467337000.000005", "bot_message", reactions=reactions(("eyes", [JAVIER]))),
        message(MAYA, "1467338000.000006", "channel_join", reactions=reactions(("wave", [OMAR]))),
    )
    given = [
        (e.key, e.person, e.receiver, e.thread_key, e.occurred_at)
        for e in day.events
        if isinstance(e, ReactionAdded)
    ]
    when = moment("1467336000.000003")
    assert given == [
        (
            f"{DATAJAM}:1467336000.000003:reaction:+1:{JAVIER}",
            JAVIER,
            MAYA,
            f"{DATAJAM}:{ROOT}",
            when,
        ),
        (f"{DATAJAM}:1467336000.000003:reaction:+1:{OMAR}", OMAR, MAYA, f"{DATAJAM}:{ROOT}", when),
        (
            f"{DATAJAM}:1467336000.000003:reaction:tada:{MAYA}",
            MAYA,
            MAYA,
            f"{DATAJAM}:{ROOT}",
            when,
        ),
        (
            f"{DATAJAM}:1467337000.000005:reaction:eyes:{JAVIER}",
            JAVIER,
            None,
            f"{DATAJAM}:1467337000.000005",
            moment("1467337000.000005"),
        ),
        (
            f"{DATAJAM}:1467338000.000006:reaction:wave:{OMAR}",
            OMAR,
            MAYA,
            f"{DATAJAM}:1467338000.000006",
            moment("1467338000.000006"),
        ),
    ]


def test_file_comments_are_replies_by_the_commenter() -> None:
    day = translate(
        message(None, "1452876787.000018", "file_comment", comment={"user": OMAR, "comment": "x"})
    )
    assert [(e.person, e.is_reply) for e in day.events if isinstance(e, MessagePosted)] == [
        (OMAR, True)
    ]
    assert len(day.events) == 1
