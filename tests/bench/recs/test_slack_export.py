"""The evaluation's export reader: the importer's events in time order, imposed joins marked."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.slack.export_schema import ExportError
from bench.recs.replay import replay
from bench.recs.slack_export import read_export
from bot.events import (
    CommunityArchived,
    CommunityCreated,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    ReactionAdded,
)
from tests.support.slack_export import (
    BOT,
    DATAJAM,
    DATASETS,
    EXPECTED_ROLLUPS,
    JAVIER,
    MAYA,
    OMAR,
    message,
    write_export,
    zip_export,
)


def test_reads_messages_reactions_joins_and_archives(tmp_path: Path) -> None:
    timeline = read_export(write_export(tmp_path / "export"))
    events = timeline.events
    assert events == sorted(events, key=lambda event: (event.occurred_at, event.key))
    joins = {(e.person, e.community): e.key for e in events if isinstance(e, MemberJoined)}
    assert joins[(JAVIER, DATAJAM)] in timeline.imposed
    assert joins[(MAYA, DATAJAM)] not in timeline.imposed
    assert [(e.person, e.community) for e in events if isinstance(e, MemberLeft)] == [
        (JAVIER, DATAJAM)
    ]
    assert [e.community for e in events if isinstance(e, CommunityArchived)] == [DATASETS]
    posters = {e.person for e in events if isinstance(e, MessagePosted)}
    assert BOT not in posters
    assert OMAR in posters
    reactions = [(e.person, e.receiver) for e in events if isinstance(e, ReactionAdded)]
    assert (JAVIER, MAYA) in reactions
    assert all(BOT not in pair for pair in reactions)


def test_reads_a_zipped_export(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "export")
    zipped = zip_export(folder, tmp_path / "export.zip", folder="workspace/")
    assert read_export(zipped).events == read_export(folder).events


def test_counts_each_message_reply_and_reaction_as_the_import_does(tmp_path: Path) -> None:
    """Bot posts, Slackbot, topic changes, edits and pins are no one's activity; broadcasts
    and thread replies are replies; a reaction to a bot's post has no receiver."""
    timeline = read_export(write_export(tmp_path / "export"))
    (cutoff,) = replay(timeline, [datetime(2016, 7, 4, tzinfo=UTC)], timedelta(days=90))
    external = {number: name for name, number in cutoff.ids.items()}
    replayed = {
        (row.day.isoformat(), external[row.community], external[row.person]): (
            row.posts, row.replies, row.reactions_given, row.reactions_received
        )
        for row in cutoff.snapshot.activity
    }  # fmt: skip
    imported = {key: counts[:4] for key, counts in EXPECTED_ROLLUPS.items() if any(counts[:4])}
    assert {key: counts for key, counts in replayed.items() if any(counts)} == imported


def test_reads_private_groups_as_private_communities(tmp_path: Path) -> None:
    root = write_export(tmp_path / "export")
    group = {"id": "G0PRIVATE", "name": "secret", "created": 1467331200, "members": []}
    (root / "groups.json").write_text(json.dumps([group]))
    (root / "secret").mkdir()
    (root / "secret" / "2016-07-01.json").write_text(
        json.dumps([message(MAYA, "1467336000.000009")])
    )
    events = read_export(root).events
    created = {e.community: e.is_private for e in events if isinstance(e, CommunityCreated)}
    assert created == {DATAJAM: False, DATASETS: False, "G0PRIVATE": True}
    assert any(isinstance(e, MessagePosted) and e.community == "G0PRIVATE" for e in events)


def test_a_malformed_day_file_is_named(tmp_path: Path) -> None:
    root = write_export(tmp_path / "export", {"datajam/2016-07-01.json": [{"user": MAYA}]})
    with pytest.raises(ExportError, match=re.escape("datajam/2016-07-01.json")):
        read_export(root)
