"""The evaluation's own export reader: neutral events in time order, imposed joins marked."""

from __future__ import annotations

from pathlib import Path

from bench.recs.slack_export import read_export
from bot.events import CommunityArchived, MemberJoined, MemberLeft, MessagePosted, ReactionAdded
from tests.support.slack_export import (
    BOT,
    DATAJAM,
    DATASETS,
    JAVIER,
    MAYA,
    OMAR,
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
