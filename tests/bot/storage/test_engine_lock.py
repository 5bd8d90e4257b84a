"""One `engage serve` per SQLite file; the lock of a killed server is free at once."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest

from bot.errors import AlreadyRunningError
from bot.storage.engine import single_process_lock

HOLD = """
import sys
from bot.storage.engine import single_process_lock
with single_process_lock(sys.argv[1]) as alone:
    print("holding", alone, flush=True)
    sys.stdin.read()
"""


def test_second_holder_of_one_sqlite_file_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'engage.db'}"
    with single_process_lock(url) as alone:
        assert alone is True
        with pytest.raises(AlreadyRunningError, match="already using"), single_process_lock(url):
            pytest.fail("a second holder got the lock")
    with single_process_lock(url) as alone_again:
        assert alone_again is True  # released when the first holder left


async def test_the_lock_of_a_killed_holder_is_taken_over_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'engage.db'}"
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        HOLD,
        url,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert holder.stdout is not None
    try:
        line = await asyncio.wait_for(holder.stdout.readline(), 30)
        assert line.decode().split() == ["holding", "True"]
        with (
            pytest.raises(AlreadyRunningError, match=f"pid {holder.pid}"),
            single_process_lock(url),
        ):
            pytest.fail("the lock was taken while its holder lives")
    finally:
        holder.send_signal(signal.SIGKILL)
        await holder.wait()
    with single_process_lock(url) as alone:
        assert alone is True


def test_postgresql_needs_no_file_lock_and_may_be_shared() -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    with single_process_lock(url) as first, single_process_lock(url) as second:
        assert (first, second) == (False, False)
