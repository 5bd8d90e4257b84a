"""How the code is laid out, and what that costs at startup: the figures of issue #14.

- modules outside the tests (count, median and largest in lines);
- `dialect.name`, `sqlalchemy.dialects` and `__table__` outside `bot/storage`; `type: ignore`s;
- files crossed: the distinct production files whose functions run while one test drives a
  path end to end (a signed Slack message to its inbox row, `/engage stats`, a planning pass
  to its outbox rows, a Follow click); the test's own assertions are counted too, so read
  the figures as an upper bound and compare them across commits;
- `engage --help`, `engage version` and `engage stats` wall time, best of 3, on a small
  SQLite database made with `engage synth`.

Run from a checkout with its virtual environment: `python -m bench.layout [--skip-paths]`.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("adapters", "bot", "nudges", "engage")
PATHS = {
    "Slack message to its row": "test_each_event_kind_is_recorded_before_the_answer and message",
    "/engage stats": "test_stats_answers_privately_with_the_community_health",
    "planned suggestion to its outbox row": "test_one_suggestion_for_each_person_who_started",
    "Follow click": "test_follow_makes_a_follower_and_replaces_the_card",
}
TRACER = """
import sys, threading, pytest
from pathlib import Path
ROOT = Path.cwd().resolve()
PACKAGES = {packages!r}
seen: set[str] = set()
def profile(frame, event, arg):
    if event == "call" and frame.f_code.co_name != "<module>":
        name = frame.f_code.co_filename
        if name not in seen:
            seen.add(name)
    return None
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    seen.clear()
    sys.setprofile(profile); threading.setprofile(profile)
    yield
    sys.setprofile(None); threading.setprofile(None)
    files = set()
    for name in seen:
        try:
            relative = Path(name).resolve().relative_to(ROOT)
        except ValueError:
            continue
        if relative.parts[0] in PACKAGES:
            files.add(str(relative))
    print(f"\\nFILES {{len(files)}} {{item.nodeid}}")
    for name in sorted(files):
        print(f"FILE {{name}}")
"""


def modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        if (ROOT / package).is_dir()
        for path in (ROOT / package).rglob("*.py")
    )


def grep(pattern: str, files: list[Path], *, outside_storage: bool = True) -> int:
    compiled = re.compile(pattern)
    total = 0
    for path in files:
        if outside_storage and path.relative_to(ROOT).parts[:2] == ("bot", "storage"):
            continue
        total += sum(1 for line in path.read_text().splitlines() if compiled.search(line))
    return total


def best_of(command: list[str], runs: int = 3, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return min(times)


def paths(*, show: bool = False) -> dict[str, int]:
    found: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as scratch:
        plugin = Path(scratch) / "layout_tracer.py"
        plugin.write_text(TRACER.format(packages=PACKAGES))
        env = {**os.environ, "PYTHONPATH": f"{scratch}{os.pathsep}{ROOT}"}
        env.pop("ENGAGE_TEST_DATABASE_URL", None)
        for label, keyword in PATHS.items():
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-q",
                    "-s",
                    "-p",
                    "layout_tracer",
                    "-k",
                    keyword,
                    "--basetemp",
                    f"{scratch}/pt",
                    "tests",
                ],
                capture_output=True,
                text=True,
                cwd=ROOT,
                env=env,
                check=False,
            )
            counts = [int(m) for m in re.findall(r"^FILES (\d+) ", result.stdout, re.M)]
            if show:
                block = result.stdout.split("FILES ", 1)[-1].split("\n\n")[0]
                print(label, "\n  ".join(re.findall(r"^FILE (\S+)", block, re.M)))
            found[label] = max(counts) if counts else -1
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-paths", action="store_true")
    parser.add_argument("--only-paths", action="store_true")
    parser.add_argument("--show-files", action="store_true", help="list the files of each path")
    args = parser.parse_args()
    if args.only_paths:
        for label, count in paths(show=args.show_files).items():
            print(f"files crossed: {label:38} {count}")
        return
    files = modules()
    sizes = [len(path.read_text().splitlines()) for path in files]
    largest = max(zip(sizes, files, strict=True))
    print(f"modules outside tests      {len(files)}")
    where = largest[1].relative_to(ROOT)
    median = statistics.median(sizes)
    print(f"median / largest (lines)   {median:.0f} / {largest[0]} ({where})")
    dialects, dialect_imports = grep(r"dialect\.name", files), grep(r"sqlalchemy\.dialects", files)
    print(f"dialect.name outside storage   {dialects}")
    print(f"sqlalchemy.dialects outside    {dialect_imports}")
    print(f"__table__ outside storage      {grep(r'__table__', files)}")
    print(f"type: ignore (all production)  {grep(r'type: ignore', files, outside_storage=False)}")
    engage = str(Path(sys.executable).with_name("engage"))
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "ENGAGE_DATABASE_URL": f"sqlite:///{scratch}/small.db"}
        env = {k: v for k, v in env.items() if not k.startswith(("SLACK_", "TEAMS_", "MICROSOFT_"))}
        subprocess.run(
            [engage, "db", "upgrade"], check=True, capture_output=True, env=env, cwd=ROOT
        )
        subprocess.run(
            [engage, "synth", "--people", "200", "--days", "60"],
            check=False,
            capture_output=True,
            env=env,
            cwd=ROOT,
        )
        print(f"engage --help (best of 3)      {best_of([engage, '--help'], env=env):.2f} s")
        print(f"engage version (best of 3)     {best_of([engage, 'version'], env=env):.2f} s")
        print(f"engage stats (best of 3)       {best_of([engage, 'stats'], env=env):.2f} s")
    if not args.skip_paths:
        for label, count in paths().items():
            print(f"files crossed: {label:38} {count}")


if __name__ == "__main__":
    main()
