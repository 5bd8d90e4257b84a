"""One `engage serve` per SQLite file: an exclusive lock on a file beside the database.

The kernel releases the lock when its process dies, even by SIGKILL, so holding it proves
that no other server uses the database, whatever a killed one left behind."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.errors import AlreadyRunningError
from bot.storage.engine import sqlite_path


@contextmanager
def single_process_lock(database_url: str) -> Iterator[bool]:
    """Hold the lock for the duration of the block, which is given whether this process is
    then alone on the database: True on SQLite; PostgreSQL needs no lock and may be shared."""
    path = sqlite_path(database_url)
    if path is None:
        yield False
        return
    lock_path = Path(path).resolve().with_name(Path(path).name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode(errors="replace").strip() or "?"
            raise AlreadyRunningError(
                f"another engage serve (pid {holder}) is already using {path}; "
                "SQLite allows one process: stop it or use PostgreSQL to run several"
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, str(os.getpid()).encode(), 0)
        yield True
    finally:
        os.close(descriptor)
