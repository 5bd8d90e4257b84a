"""The rankers the recommender is measured against, over the same candidates.

Ties are broken by member count, then by community id, so no baseline loses from an
arbitrary order.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, time, timedelta

from nudges.recommend.model import Model
from nudges.recommend.rank import score

Ranker = Callable[[Model, int, Sequence[int]], list[int]]


def by_score(model: Model, pool: Sequence[int], scores: Mapping[int, float]) -> list[int]:
    members = model.index.members
    return sorted(pool, key=lambda c: (-scores.get(c, 0.0), -len(members.get(c, ())), c))


def recommender(model: Model, person: int, pool: Sequence[int]) -> list[int]:
    """Engage's ranking, exactly as `recommend` orders it."""
    return [scored.community for scored in score(model, person, pool)]


def popularity(model: Model, person: int, pool: Sequence[int]) -> list[int]:
    """Most members first."""
    return by_score(model, pool, {})


def active_last_week(model: Model, person: int, pool: Sequence[int]) -> list[int]:
    """Most messages in the last 7 days first (Mattermost's "most active channels")."""
    index = model.index
    since = (index.as_of - timedelta(days=7)).date()
    scores = {
        c: float(sum(n for day, n in index.messages_by_day.get(c, {}).items() if day >= since))
        for c in pool
    }
    return by_score(model, pool, scores)


def karmabot(model: Model, person: int, pool: Sequence[int]) -> list[int]:
    """members × e^(−hours since last post), compared in log space so it never underflows."""
    index = model.index
    scores: dict[int, float] = {}
    for c in pool:
        last = index.rhythm[c].last_message
        if last is None:
            scores[c] = -math.inf
            continue
        moment = datetime.combine(last, time(12), index.as_of.tzinfo)
        hours = max(0.0, (index.as_of - moment).total_seconds() / 3600)
        scores[c] = math.log(max(len(index.members.get(c, ())), 1)) - hours
    return by_score(model, pool, scores)


def co_membership(model: Model, person: int, pool: Sequence[int]) -> list[int]:
    """ "People in your channels are also in": summed cosine between member sets."""
    members = model.index.members
    mine = [members[m] for m in model.index.communities_of.get(person, ()) if members.get(m)]
    scores: dict[int, float] = {}
    for c in pool:
        them = members.get(c, set())
        if them:
            scores[c] = sum(len(them & m) / math.sqrt(len(them) * len(m)) for m in mine)
    return by_score(model, pool, scores)


def members_and_co_membership(model: Model, person: int, pool: Sequence[int]) -> list[int]:
    """The best simple combination found: log(1 + members) + ½ × co-membership cosine
    (better than either alone, or than rank fusion of them with recent activity)."""
    members = model.index.members
    mine = [members[m] for m in model.index.communities_of.get(person, ()) if members.get(m)]
    scores: dict[int, float] = {}
    for c in pool:
        them = members.get(c, set())
        cosine = sum(len(them & m) / math.sqrt(len(them) * len(m)) for m in mine) if them else 0
        scores[c] = math.log1p(len(them)) + cosine / 2
    return by_score(model, pool, scores)


def seeded_random(seed: int) -> Ranker:
    def shuffle(model: Model, person: int, pool: Sequence[int]) -> list[int]:
        ranked = list(pool)
        random.Random(f"{seed}-{model.index.as_of.isoformat()}-{person}").shuffle(ranked)
        return ranked

    return shuffle


BASELINES: dict[str, Ranker] = {
    "popularity (members)": popularity,
    "most active, last 7 days": active_last_week,
    "karmabot: members × e^(−hours)": karmabot,
    "co-membership cosine": co_membership,
    "members + ½ co-membership": members_and_co_membership,
}
