"""`recommend`: rank the communities a person may be suggested, each with its reasons.

A suggestion's score is the community's expected join rate times the person's lift
towards it (times a campaign boost): how many people are likely to join it soon, and how
much more likely this person is than anyone to be one of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from bot.i18n import Language
from nudges.recommend.candidates import candidates
from nudges.recommend.explain import DEFAULT_MIN_GROUP_SIZE, explain
from nudges.recommend.model import Model, prepare
from nudges.recommend.reasons import Reason, sentences
from nudges.recommend.signals import affinity, lift, ties
from nudges.recommend.snapshot import Snapshot

DEFAULT_SOCIAL_PROOF_MIN = 3
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
    pool = candidates(model.index, person)
    neighbours = ties(model, person)
    suggestions: list[Suggestion] = []
    for scored in score(model, person, pool, boosts, neighbours)[: max(limit, 0)]:
        boost = (boosts or {}).get(scored.community, 1.0)
        reasons = explain(
            model,
            person,
            scored.community,
            scored.lift,
            boost,
            neighbours,
            social_proof_min,
            min_group_size,
        )
        suggestions.append(Suggestion(scored.community, scored.score, reasons, sentences(reasons)))
    return suggestions


def score(
    model: Model,
    person: int,
    pool: Sequence[int],
    boosts: Mapping[int, float] | None = None,
    neighbours: Mapping[int, float] | None = None,
) -> list[Scored]:
    """Every community of `pool`, best first; ties go to the lower id, so runs repeat."""
    if neighbours is None:
        neighbours = ties(model, person)
    walked = affinity(model, person, neighbours)
    scored = []
    for community in pool:
        lifted = lift(model, walked, community)
        boost = (boosts or {}).get(community, 1.0)
        scored.append(Scored(community, model.join_rate[community] * lifted * boost, lifted))
    scored.sort(key=lambda item: (-item.score, item.community))
    return scored
