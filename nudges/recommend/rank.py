"""`recommend`: rank the communities a person may be suggested, each with its reasons.

A suggestion's score is the community's pull (its members and recent joiners) times the
person's lift towards it (times a campaign boost): how many people it draws, and how much
more likely this person is than anyone to be drawn to it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np

from bot.i18n import Language
from nudges.recommend.explain import DEFAULT_MIN_GROUP_SIZE, Evidence, explain
from nudges.recommend.model import Model, prepare
from nudges.recommend.reasons import Reason, sentences
from nudges.recommend.snapshot import Snapshot
from nudges.recommend.social import colleagues_active, members_you_know
from nudges.recommend.vector import best, block, scores

DEFAULT_SOCIAL_PROOF_MIN = 3
BLOCK = 2000
"""People ranked at once: a few dense (people x communities) arrays of this many rows."""
_models: WeakKeyDictionary[Snapshot, dict[datetime, Model]] = WeakKeyDictionary()


@dataclass(frozen=True)
class Scored:
    community: int
    score: float
    lift: float


@dataclass(frozen=True)
class Suggestion:
    community: int
    score: float
    reasons: tuple[Reason, ...]
    sentence: Mapping[Language, str]

    def reasons_data(self) -> list[dict[str, Any]]:
        return [reason.as_dict() for reason in self.reasons]


def model_for(snapshot: Snapshot, as_of: datetime) -> Model:
    """The prepared model, built once per snapshot and date however many people are ranked."""
    by_date = _models.setdefault(snapshot, {})
    if as_of not in by_date:
        by_date[as_of] = prepare(snapshot, as_of)
    return by_date[as_of]


def recommend(
    snapshot: Snapshot,
    person: int,
    as_of: datetime,
    limit: int,
    boosts: Mapping[int, float] | None = None,
    *,
    social_proof_min: int = DEFAULT_SOCIAL_PROOF_MIN,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> list[Suggestion]:
    """The best `limit` communities for `person` at `as_of`, best first, with reasons."""
    model = model_for(snapshot, as_of)
    return recommend_many(
        model,
        [person],
        limit,
        [boosts],
        social_proof_min=social_proof_min,
        min_group_size=min_group_size,
    )[0]


def recommend_many(
    model: Model,
    people: Sequence[int],
    limit: int,
    boosts: Sequence[Mapping[int, float] | None],
    excluded: Sequence[Collection[int]] | None = None,
    *,
    social_proof_min: int = DEFAULT_SOCIAL_PROOF_MIN,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> list[list[Suggestion]]:
    """`recommend` for each person, `excluded[i]` left out: ranked `BLOCK` people at a
    time, then the chosen few explained together (each distinct case once)."""
    matrices = model.matrices
    rows = matrices.rows_of(people)
    parts: list[tuple[np.ndarray, ...]] = []
    for start in range(0, len(people), BLOCK):
        part = slice(start, start + BLOCK)
        ranked = block(matrices, rows[part])
        lifts, values = scores(matrices, ranked, model.rates, boosts[part])
        for i, communities in enumerate(excluded[part] if excluded is not None else ()):
            values[i, [matrices.columns[c] for c in communities if c in matrices.columns]] = -np.inf
        pairs, columns = best(values, limit)
        active = colleagues_active(matrices, ranked, pairs, columns)
        parts.append(
            (pairs + start, columns, values[pairs, columns], lifts[pairs, columns], active)
        )
    if not parts:
        return []
    pairs, columns, values, lifts, active = (
        np.concatenate(found) for found in zip(*parts, strict=True)
    )
    known = members_you_know(matrices, rows[pairs], columns)
    found: list[list[Suggestion]] = [[] for _ in people]
    explained: dict[Evidence, tuple[tuple[Reason, ...], Mapping[Language, str]]] = {}
    facts = zip(
        pairs.tolist(),
        matrices.communities[columns].tolist(),
        values.tolist(),
        lifts.tolist(),
        active.tolist(),
        known.tolist(),
        strict=True,
    )
    for i, community, value, lifted, colleagues, members in facts:
        boost = (boosts[i] or {}).get(community, 1.0)
        evidence = Evidence.of(
            community, lifted, boost, colleagues, members, social_proof_min, model.pull[community]
        )
        if evidence not in explained:
            reasons = explain(model, evidence, social_proof_min, min_group_size)
            explained[evidence] = (reasons, sentences(reasons))
        reasons, sentence = explained[evidence]
        found[i].append(Suggestion(community, value, reasons, sentence))
    return found


def score(
    model: Model,
    person: int,
    pool: Sequence[int],
    boosts: Mapping[int, float] | None = None,
) -> list[Scored]:
    """Every community of `pool`, best first; ties go to the lower id, so runs repeat."""
    matrices = model.matrices
    ranked = block(matrices, matrices.rows_of([person]))
    columns = [matrices.columns[community] for community in pool]
    lifts = scores(matrices, ranked, model.rates, [boosts])[0][0, columns].tolist()
    found = []
    for community, lifted in zip(pool, lifts, strict=True):
        boost = (boosts or {}).get(community, 1.0)
        found.append(Scored(community, model.pull[community] * lifted * boost, lifted))
    found.sort(key=lambda item: (-item.score, item.community))
    return found
