"""The ranking's definition, one person at a time in plain Python: what the matrices of
`nudges.recommend` must compute (walks through communities and through ties)."""

from __future__ import annotations

import math
from collections import defaultdict

from nudges.recommend.model import MAX_CROWD, Index, Model


def edge(index: Index, person: int, community: int) -> float:
    return 1.0 + math.log1p(index.actions.get(person, {}).get(community, 0))


def attention(index: Index, person: int) -> dict[int, float]:
    weights = {c: edge(index, person, c) for c in index.communities_of.get(person, ())}
    total = sum(weights.values())
    return {c: weight / total for c, weight in weights.items()}


def walk(index: Index) -> dict[int, dict[int, float]]:
    size = {c: sum(edge(index, q, c) for q in members) for c, members in index.members.items()}
    found: defaultdict[int, defaultdict[int, float]] = defaultdict(lambda: defaultdict(float))
    for person in index.communities_of:
        onward = attention(index, person)
        for m in onward:
            for c, p_c in onward.items():
                if c != m:
                    found[m][c] += edge(index, person, m) / size[m] * p_c
    return found


def ties(index: Index, person: int) -> dict[int, float]:
    found: defaultdict[int, float] = defaultdict(float)
    for crowd in index.cell_people.values():
        if person in crowd and 1 < len(crowd) <= MAX_CROWD:
            for _ in range(crowd.count(person)):
                for other in crowd:
                    if other != person:
                        found[other] += 1.0 / (len(crowd) - 1)
    return found


def scores(model: Model, person: int) -> dict[int, float]:
    """pull x lift of every community, however closed to the person."""
    index = model.index
    steps = walk(index)
    through: defaultdict[int, float] = defaultdict(float)
    for m, p_m in attention(index, person).items():
        for c, p_c in steps.get(m, {}).items():
            through[c] += p_m * p_c
    affinity = dict(through)
    neighbours = ties(index, person)
    if neighbours:
        total = sum(neighbours.values())
        people: defaultdict[int, float] = defaultdict(float)
        for other, weight in neighbours.items():
            for c, p_c in attention(index, other).items():
                people[c] += weight / total * p_c
        affinity = {c: (through.get(c, 0.0) + people.get(c, 0.0)) / 2 for c in index.communities}
    size = {c: sum(edge(index, q, c) for q in members) for c, members in index.members.items()}
    everyone = sum(size.values())
    found = {}
    for c in index.communities:
        reach = size.get(c, 0.0) / everyone if everyone else 0.0
        lift = (affinity.get(c, 0.0) + reach) / reach if reach > 0 else 1.0
        found[c] = model.pull[c] * lift
    return found
