"""One `engage serve` per SQLite file; the lock of a killed server is free at once, and
the server that takes it over also takes the scheduler's lease at once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from bot.errors import AlreadyRunningError
from bot.storage.engine import make_engine, single_process_lock
from bot.storage.models import SchedulerLease
from bot.storage.tables import SCHEDULER_LEASE
from nudges.scheduler import SCHEDULER, try_lead

TTL = timedelta(minutes=10)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOLD = """
import sys
from datetime import datetime, timedelta
from sqlmodel import Session
from bot.storage.engine import make_engine, single_process_lock
from nudges.scheduler import try_lead
with single_process_lock(sys.argv[1]) as alone:
    leads = False
    if len(sys.argv) > 2:
        with Session(make_engine(sys.argv[1])) as session:
            now = datetime.fromisoformat(sys.argv[2])
            leads = try_lead(session, "killed", now, timedelta(minutes=10), alone=alone)
            session.commit()
    print("holding", alone, leads, flush=True)
    sys.stdin.read()
"""


def refusal(url: str) -> str:
    """The message of the error that refuses the lock to this process."""
    with pytest.raises(AlreadyRunningError) as refused, single_process_lock(url):
        pass
    return str(refused.value)


def lock_file(tmp_path: Path) -> Path:
    return tmp_path / "engage.db.lock"


def test_second_holder_of_one_sqlite_file_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'engage.db'}"
    with single_process_lock(url) as alone:
        assert alone is True
        assert lock_file(tmp_path).read_text() == str(os.getpid())
        message = refusal(url)
        assert "already using" in message
        assert str(tmp_path / "engage.db") in message
        assert f"pid {os.getpid()}" in message
        assert "already using" in refusal(url)  # the refusal left the first holder holding
    with single_process_lock(url) as alone_again:
        assert alone_again is True  # released when the first holder left


async def hold(url: str, *arguments: str) -> tuple[asyncio.subprocess.Process, bool]:
    """A process holding the lock until killed and, given a moment, leading the scheduler
    from then on; and whether it leads."""
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        HOLD,
        url,
        *arguments,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert holder.stdout is not None
    line = await asyncio.wait_for(holder.stdout.readline(), 30)
    assert line.decode().split()[:2] == ["holding", "True"], line
    return holder, line.decode().split()[2] == "True"


async def kill(holder: asyncio.subprocess.Process) -> None:
    holder.send_signal(signal.SIGKILL)
    assert await holder.wait() == -signal.SIGKILL


async def test_the_lock_of_a_killed_holder_is_taken_over_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'engage.db'}"
    holder, _ = await hold(url)
    try:
        assert f"pid {holder.pid}" in refusal(url)
    finally:
        await kill(holder)
    assert lock_file(tmp_path).read_text() == str(holder.pid)  # what the killed one left
    with single_process_lock(url) as alone:
        assert alone is True
        assert lock_file(tmp_path).read_text() == str(os.getpid())


async def test_a_server_replacing_a_killed_one_takes_its_live_lease_at_once(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'engage.db'}"
    engine = make_engine(url)
    SCHEDULER_LEASE.create(engine)
    holder, leads = await hold(url, T0.isoformat())
    assert leads
    await kill(holder)
    later = T0 + timedelta(seconds=1)
    with Session(engine) as session:
        lease = session.get(SchedulerLease, SCHEDULER)
        assert lease is not None
        assert lease.holder == "killed"
        assert not try_lead(session, "restarted", later, TTL)  # not alone: it must wait
        session.rollback()
    with single_process_lock(url) as alone, Session(engine) as session:
        assert alone is True
        assert try_lead(session, "restarted", later, TTL, alone=alone)
        session.commit()
        lease = session.get(SchedulerLease, SCHEDULER)
        assert lease is not None
        assert (lease.holder, lease.acquired_at) == ("restarted", later)
    engine.dispose()


def test_postgresql_needs_no_file_lock_and_may_be_shared() -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    with single_process_lock(url) as first, single_process_lock(url) as second:
        assert (first, second) == (False, False)
