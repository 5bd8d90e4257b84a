"""A large workspace for the planning benchmark, written straight into the tables.

People belong to a department; each community has a home department. People join a
handful of communities, mostly their department's and the popular ones (heavy-tailed
sizes); a share of members post or react on some days of the last 12 weeks. Everyone has
said `start`, so every person is a planning candidate: the worst case for one pass.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlmodel import SQLModel

from bot.storage.engine import make_engine
from bot.storage.migrate import upgrade
from bot.storage.models import (
    Community,
    DailyActivity,
    Membership,
    Person,
    Preference,
    Workspace,
)

DEPARTMENTS = 100
MEAN_COMMUNITIES = 8
ACTIVE_SHARE = 0.3
ACTIVE_DAYS = 6
DAYS = 84


@dataclass(frozen=True)
class Size:
    people: int
    communities: int
    end: date
    seed: int = 7


def generate(path: str, size: Size) -> dict[str, int]:
    url = f"sqlite:///{path}"
    upgrade(url)
    rng = random.Random(size.seed)
    created = datetime(2025, 1, 1, tzinfo=UTC)
    engine = make_engine(url)
    people = range(1, size.people + 1)
    with engine.begin() as db:
        _insert(db, Workspace, [{"id": 1, "platform": "slack", "external_id": "TBENCH"}])
        _insert(
            db,
            Person,
            (
                {
                    "id": p,
                    "workspace_id": 1,
                    "external_id": f"U{p:07d}",
                    "locale": "fr-FR" if p % 3 == 0 else "en-US",
                    "tz": "Europe/Paris",
                    "department": f"D{p % DEPARTMENTS}",
                }
                for p in people
            ),
        )
        _insert(
            db,
            Community,
            (
                {
                    "id": c,
                    "workspace_id": 1,
                    "external_id": f"C{c:06d}",
                    "name": f"community-{c}",
                    "is_private": rng.random() < 0.1,
                    "is_archived": rng.random() < 0.03,
                    "created_at": created,
                }
                for c in range(1, size.communities + 1)
            ),
        )
        _insert(db, Preference, ({"person_id": p, "consent": "in"} for p in people))
        memberships = list(_memberships(rng, size))
        _insert(
            db,
            Membership,
            (
                {"person_id": p, "community_id": c, "since": created, "joined_at": created}
                for p, c in memberships
            ),
        )
        rows = _insert(db, DailyActivity, _activity(rng, memberships, size.end))
    engine.dispose()
    return {"memberships": len(memberships), "activity_rows": rows}


def _insert(db: Connection, model: type[SQLModel], rows: Iterable[dict[str, Any]]) -> int:
    table: Table = model.__table__  # type: ignore[attr-defined]
    total = 0
    iterator = iter(rows)
    while chunk := list(islice(iterator, 20_000)):
        db.execute(insert(table), chunk)
        total += len(chunk)
    return total


def _memberships(rng: random.Random, size: Size) -> Iterator[tuple[int, int]]:
    by_department: dict[int, list[int]] = {}
    for c in range(1, size.communities + 1):
        by_department.setdefault(c % DEPARTMENTS, []).append(c)
    popular = list(range(1, size.communities + 1))
    weights = [1 / rank**1.1 for rank in popular]
    for p in range(1, size.people + 1):
        home = by_department.get(p % DEPARTMENTS, popular)
        count = min(1 + int(rng.expovariate(1 / MEAN_COMMUNITIES)), 40)
        chosen = set(rng.sample(home, min(len(home), count // 2 + 1)))
        chosen.update(rng.choices(popular, weights, k=count - len(chosen)))
        yield from ((p, c) for c in sorted(chosen))


def _activity(
    rng: random.Random, memberships: list[tuple[int, int]], end: date
) -> Iterator[dict[str, Any]]:
    for person, community in memberships:
        if rng.random() >= ACTIVE_SHARE:
            continue
        for offset in sorted({rng.randrange(1, DAYS + 1) for _ in range(ACTIVE_DAYS)}):
            posts = rng.random() < 0.5
            yield {
                "day": end - timedelta(days=offset),
                "community_id": community,
                "person_id": person,
                "posts": int(posts),
                "replies": int(not posts and rng.random() < 0.5),
                "reactions_given": 1,
            }
