"""`recommend`: rank the communities a person may be suggested, each with its reasons.

A suggestion's score is the community's pull (its members and recent joiners) times the
person's lift towards it (times a campaign boost): how many people it draws, and how much
more likely this person is than anyone to be drawn to it.

For person p and community c: score = pull[c] * lift * boost, lift = (affinity +
reach[c]) / reach[c] (1 where nobody is in c), and affinity is the walk through p's
communities (attention(p) @ walk), averaged with the walk through the people p is active
beside (their normalised ties @ attention) when p has any. People are ranked a `Block`
at a time, all communities at once (`block`, `scores`, `best`).

The counts behind social reasons are taken for the chosen (person, community) pairs only:

- colleagues active: people the person is active beside (their ties) who posted in the
  community in the last 28 days;
- members you know: members of the community who share a community with the person,
  communities holding more than half the people aside.

`preview` ranks for one person or a whole workspace, as plain data for the CLI.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import scipy.sparse as sp
from sqlmodel import Session

from bot.errors import EngageError
from bot.i18n import Language
from bot.storage.models import Workspace
from nudges.recommend.explain import DEFAULT_MIN_GROUP_SIZE, Evidence, Reason, explain, sentences
from nudges.recommend.model import Matrices, Model, Sparse, prepare, row_of_each
from nudges.recommend.snapshot import Snapshot, read_snapshot

DEFAULT_SOCIAL_PROOF_MIN = 3
BLOCK = 2000
"""People ranked at once: a few dense (people x communities) arrays of this many rows."""
BITSETS_FROM = 4096
"""Members from which a candidate's "members you know" are counted with bitsets."""
JOINED = 1000
"""Pairs whose "members you know" are counted at once below `BITSETS_FROM`."""


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
    if as_of not in snapshot.models:
        snapshot.models[as_of] = prepare(snapshot, as_of)
    return snapshot.models[as_of]


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


@dataclass(frozen=True, eq=False)
class Block:
    """One block of people: their rows, ties, and affinities (people x communities)."""

    rows: np.ndarray
    ties: Sparse
    affinity: np.ndarray


def block(matrices: Matrices, rows: np.ndarray) -> Block:
    """Halving is exact in floating point, so (a + b) / 2 is computed as a / 2 + b / 2."""
    ties = _ties(matrices, rows)
    totals = np.asarray(ties.sum(axis=1)).ravel()
    tied = totals > 0
    half = np.where(tied, 0.5, 1.0)
    affinity = np.ascontiguousarray(sp.diags(half) @ matrices.attention[rows] @ matrices.walk)
    if tied.any():
        through_people = sp.csr_matrix(_divide_rows(ties, totals) @ matrices.attention)
        rows_of_each = row_of_each(through_people)
        flat = affinity.reshape(-1)  # a view: the array is contiguous
        flat[rows_of_each * affinity.shape[1] + through_people.indices] += (
            through_people.data * half[rows_of_each]
        )
    return Block(rows, ties, affinity)


def scores(
    matrices: Matrices,
    found: Block,
    rates: np.ndarray,
    boosts: Sequence[Mapping[int, float] | None],
) -> tuple[np.ndarray, np.ndarray]:
    """Lifts, and pull * lift * boost of each community for each person of the block
    (-inf for the communities that may not be suggested to them). Turns the block's
    affinities into its lifts, in place."""
    lifts = found.affinity
    lifts += matrices.reach_or_one
    lifts /= matrices.reach_or_one
    values = lifts * rates
    closed = matrices.closed[found.rows]
    values.reshape(-1)[row_of_each(closed) * values.shape[1] + closed.indices] = -np.inf
    columns = matrices.columns
    for i, boost in enumerate(boosts):
        for community, factor in (boost or {}).items():
            column = columns.get(community)
            if column is not None and np.isfinite(values[i, column]):
                values[i, column] *= factor
    return lifts, values


def best(values: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of each row's `limit` best finite values, best first, ties to the
    lower column, rows in order."""
    if limit <= 0 or values.shape[1] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if limit == 1:  # argmax: the first of the highest, so the lowest column on a tie
        cols = np.argmax(values, axis=1)
        rows = np.flatnonzero(values[np.arange(len(values)), cols] > -np.inf)
        return rows, cols[rows]
    limit = min(limit, values.shape[1])
    kth = np.partition(values, values.shape[1] - limit, axis=1)[:, values.shape[1] - limit]
    floor = np.maximum(kth, -np.finfo(np.float64).max)
    rows, cols = np.nonzero(values >= floor[:, None])
    order = np.lexsort((cols, -values[rows, cols], rows))
    rows, cols = rows[order], cols[order]
    starts = np.searchsorted(rows, rows, side="left")
    keep = np.arange(len(rows)) - starts < limit
    return rows[keep], cols[keep]


def _divide_rows(matrix: Sparse, totals: np.ndarray) -> Sparse:
    divided = matrix.copy()
    divided.data /= totals[row_of_each(matrix)]
    return divided


def _ties(matrices: Matrices, rows: np.ndarray) -> Sparse:
    """Weights of the people each person was active beside, themselves aside."""
    found = sp.csr_matrix(matrices.cells[rows] @ matrices.meet).tocoo()
    keep = found.col != rows[found.row]
    return sp.csr_matrix((found.data[keep], (found.row[keep], found.col[keep])), shape=found.shape)


def colleagues_active(
    matrices: Matrices, found: Block, pairs: np.ndarray, columns: np.ndarray
) -> np.ndarray:
    """For pair k: ties of block row pairs[k] who contributed in community columns[k]."""
    if len(pairs) == 0:
        return np.zeros(0, dtype=np.int64)
    ties = found.ties[pairs]
    ties.data[:] = 1.0
    reached = sp.csr_matrix(ties @ matrices.contributors).tocoo()
    here = reached.col == columns[reached.row]
    counts = np.bincount(reached.row[here], weights=reached.data[here], minlength=len(pairs))
    return np.rint(counts).astype(np.int64)


def members_you_know(
    matrices: Matrices,
    rows: np.ndarray,
    columns: np.ndarray,
    bitsets_from: int = BITSETS_FROM,
) -> np.ndarray:
    """For pair k: members of community columns[k] sharing a community with person rows[k].

    Communities of `bitsets_from` members or more are counted a community at a time with
    bitsets (`_known`); the others all at once, by joining each pair's communities to the
    communities of the members of its candidate (`_known_by_join`).
    """
    result = np.zeros(len(rows), dtype=np.int64)
    members = matrices.members
    large = members.indptr[columns + 1] - members.indptr[columns] >= bitsets_from
    chosen = np.flatnonzero(large)
    order = chosen[np.argsort(columns[chosen], kind="stable")]
    bounds = np.flatnonzero(np.diff(columns[order])) + 1
    for group in np.split(order, bounds) if len(order) else ():
        result[group] = _known(matrices, rows[group], int(columns[group[0]]))
    rest = np.flatnonzero(~large)
    if len(rest):
        result[rest] = _known_by_join(matrices, rows[rest], columns[rest], bitsets_from)
    return result


def _known_by_join(
    matrices: Matrices, rows: np.ndarray, columns: np.ndarray, bitsets_from: int
) -> np.ndarray:
    """`members_you_know` for many small candidates at once: each pair's (candidate, own
    community) matched to the (candidate, community of a member) links; the distinct
    (pair, member) matches are counted, the person aside. `JOINED` pairs at a time, so
    that the matches stay a few megabytes."""
    attention = matrices.attention
    width, height = attention.shape[1], attention.shape[0] + 1
    keys, who = member_links(matrices, bitsets_from)
    found = np.zeros(len(rows), dtype=np.int64)
    for start in range(0, len(rows), JOINED):
        part = slice(start, start + JOINED)
        pair_of, at = _ragged(attention.indptr[rows[part]], attention.indptr[rows[part] + 1])
        mine = attention.indices[at]
        keep = ~matrices.crowded[mine]
        pair_of = pair_of[keep]
        wanted = columns[part][pair_of].astype(keys.dtype) * width + mine[keep]
        low = np.searchsorted(keys, wanted, side="left")
        match_of, at = _ragged(low, np.searchsorted(keys, wanted, side="right"))
        pairs, known = pair_of[match_of], who[at]
        other = known != rows[part][pairs]
        distinct = np.unique(pairs[other].astype(np.int64) * height + known[other])
        found[part] = np.bincount(distinct // height, minlength=len(rows[part]))
    return found


def member_links(matrices: Matrices, bitsets_from: int) -> tuple[np.ndarray, np.ndarray]:
    """For each community of fewer than `bitsets_from` members, and each uncrowded
    community m of each of its members q: the key (community, m), sorted, and q. Built
    once per model and limit, for every chunk of people ranked."""
    found = matrices.member_links.get(bitsets_from)
    if found is None:
        attention, members = matrices.attention, matrices.members
        sizes = np.diff(members.indptr)
        small = np.flatnonzero(sizes < bitsets_from)
        community_of, at = _ragged(members.indptr[small], members.indptr[small + 1])
        people = members.indices[at]
        member_of, at = _ragged(attention.indptr[people], attention.indptr[people + 1])
        theirs = attention.indices[at]
        keep = ~matrices.crowded[theirs]
        width = attention.shape[1]
        kind = np.int32 if width * width <= np.iinfo(np.int32).max else np.int64
        keys = small[community_of[member_of[keep]]].astype(kind) * width + theirs[keep]
        order = np.argsort(keys, kind="stable")
        found = matrices.member_links[bitsets_from] = (keys[order], people[member_of[keep]][order])
    return found


def _ragged(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every position from starts[i] up to ends[i], and the i of each."""
    lengths = ends - starts
    owner = np.repeat(np.arange(len(starts)), lengths)
    offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return owner, np.repeat(starts, lengths) + offsets


def _known(matrices: Matrices, rows: np.ndarray, column: int) -> np.ndarray:
    members = matrices.members.indices[
        matrices.members.indptr[column] : matrices.members.indptr[column + 1]
    ]
    if not len(members):
        return np.zeros(len(rows), dtype=np.int64)
    mine = matrices.attention[rows]
    wanted = np.zeros(matrices.attention.shape[1], dtype=bool)
    wanted[mine.indices] = True
    wanted &= ~matrices.crowded
    slot = np.cumsum(wanted) - 1
    theirs = matrices.attention[members]
    position = row_of_each(theirs)
    shared = wanted[theirs.indices]
    bits = np.zeros((int(wanted.sum()), (len(members) + 63) // 64), dtype=np.uint64)
    np.bitwise_or.at(
        bits,
        (slot[theirs.indices[shared]], position[shared] >> 6),
        np.left_shift(np.uint64(1), (position[shared] & 63).astype(np.uint64)),
    )
    keep = wanted[mine.indices]
    owners = row_of_each(mine)[keep]
    chosen = slot[mine.indices[keep]]
    rank = np.arange(len(owners)) - np.searchsorted(owners, owners)
    union = np.zeros((len(rows), bits.shape[1]), dtype=np.uint64)
    for nth in range(int(rank.max(initial=-1)) + 1):  # each person's nth community at once
        taken = rank == nth
        union[owners[taken]] |= bits[chosen[taken]]
    known: np.ndarray = np.bitwise_count(union).sum(axis=1, dtype=np.int64)
    at = np.searchsorted(members, rows)
    inside = (at < len(members)) & (members[np.minimum(at, len(members) - 1)] == rows)
    for i in np.flatnonzero(inside):  # the person is not someone they know
        word, bit = at[i] >> 6, np.uint64(at[i] & 63)
        known[i] -= int((union[i, word] >> bit) & np.uint64(1))
    return known


@dataclass(frozen=True)
class PreviewItem:
    community: str
    name: str
    score: float
    reasons: list[dict[str, Any]]
    sentence: dict[str, str]


@dataclass(frozen=True)
class PersonPreview:
    person: str
    suggestions: list[PreviewItem]


@dataclass(frozen=True)
class Preview:
    workspace: str
    as_of: datetime
    people: list[PersonPreview]

    def as_data(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace,
            "as_of": self.as_of.isoformat(),
            "people": [
                {
                    "person": entry.person,
                    "suggestions": [
                        {"rank": rank, **vars(item)}
                        for rank, item in enumerate(entry.suggestions, 1)
                    ],
                }
                for entry in self.people
            ],
        }


def preview(
    session: Session,
    workspace: Workspace,
    person: str | None,
    as_of: datetime,
    limit: int,
    social_proof_min: int,
    min_group_size: int,
) -> Preview:
    """Rank for `person` (an external id), or for every human in the workspace when None."""
    assert workspace.id is not None
    loaded = read_snapshot(session, workspace.id, as_of)
    by_external = {external: pid for pid, external in loaded.people.items()}
    if person is not None and person not in by_external:
        raise EngageError(f"unknown person {person!r} in workspace {workspace.external_id}")
    chosen = [person] if person is not None else sorted(by_external)
    people = []
    for external in chosen:
        found = recommend(
            loaded.snapshot,
            by_external[external],
            as_of,
            limit,
            social_proof_min=social_proof_min,
            min_group_size=min_group_size,
        )
        items = [
            PreviewItem(
                community=loaded.communities[s.community][0],
                name=loaded.communities[s.community][1],
                score=s.score,
                reasons=s.reasons_data(),
                sentence={language: text for language, text in s.sentence.items()},
            )
            for s in found
        ]
        people.append(PersonPreview(external, items))
    return Preview(workspace.external_id, as_of, people)
