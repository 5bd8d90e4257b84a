"""CPU time of other processes, read from Linux's /proc: steadier than rates on a busy machine."""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of one process (all its threads) so far."""
    return _cpu(PROC / str(pid) / "stat")


def postgres_cpu_seconds() -> float:
    """User + system CPU of every PostgreSQL server process now running (0 without /proc)."""
    total = 0.0
    for entry in PROC.glob("[0-9]*/stat") if PROC.exists() else ():
        try:
            if "(postgres)" in entry.read_text():
                total += _cpu(entry)
        except OSError:  # the process ended meanwhile
            continue
    return total


def _cpu(stat: Path) -> float:
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
