"""What the tracker benchmarks share: scratch databases, synthetic events, figures."""

from __future__ import annotations

import resource
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from itertools import islice
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

from bot.events import Event
from bot.storage.engine import normalise_url
from bot.storage.migrate import upgrade
from bot.synth import SynthSpec, build_world

END = date(2026, 1, 5)
"""A fixed end keeps every run of a benchmark on the same events."""


@contextmanager
def scratch_sqlite() -> Iterator[str]:
    """A migrated SQLite file in a temporary directory, deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="engage-bench-") as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        upgrade(url)
        yield url


@contextmanager
def scratch_postgres(server_url: str) -> Iterator[str]:
    """A migrated database of its own on the given server, dropped afterwards."""
    server = normalise_url(server_url)
    name = f"engage_bench_{uuid.uuid4().hex[:10]}"
    admin = make_url(server.render_as_string(hide_password=False)).set(drivername="postgresql")
    admin_dsn = admin.set(database=server.database or "postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"'.encode())
    try:
        url = server.set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


def plain_dsn(url: str) -> str:
    """The libpq form of a SQLAlchemy PostgreSQL URL (for raw psycopg anchors)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def synthetic_events(count: int, *, people: int = 2000, communities: int = 200) -> list[Event]:
    """About `count` realistic events, generated up front so that only writing is timed."""
    spec = SynthSpec(
        people=people, communities=communities, days=120, end=END, seed=7, events=count * 6 // 5
    )
    return list(islice(build_world(spec).events(), count))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *_exc: object) -> None:
        self.seconds = time.perf_counter() - self.started


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    table = Table(title=title)
    for index, header in enumerate(headers):
        table.add_column(header, justify="left" if index == 0 else "right")
    for row in rows:
        table.add_row(*row)
    Console(width=max(Console().width, 140)).print(table)  # a full row per line in a log
