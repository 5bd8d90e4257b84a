"""`bench.recs.reproduce` on the hand-made export: every ranking of the replay, found again
by `engage suggest --as-of` after a live recording."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.bench.recs.club import write_club

ROOT = Path(__file__).resolve().parents[3]
COMMAND = (sys.executable, "-m", "bench.recs.reproduce")


def test_suggest_as_of_ranks_as_the_replay_at_every_cutoff(tmp_path: Path) -> None:
    export = write_club(tmp_path / "club", archive_flag=False, comeback=True)
    done = subprocess.run(
        [*COMMAND, "--slack-export", str(export), "--every", "month", "--horizon-days", "10"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"LANG": "C.UTF-8", "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("│ 2025-")]
    assert [row.split()[1] for row in rows] == ["2025-02-01", "2025-03-01", "2025-04-01"]
    assert all(row.rstrip().endswith("— │") for row in rows)
