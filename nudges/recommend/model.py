"""The recommender's model of a workspace: what ranking needs about every person and
community, computed once per snapshot and date (`prepare`).

1. `Index`: one pass over the snapshot: who is where, who did what, and each community's
   `Rhythm` (active weeks of the last twelve, momentum).
2. `Matrices`: the index as sparse matrices, so that many people are ranked at once.
   Rows are people (plus one empty row, `nobody`, for people the snapshot does not know),
   columns are communities in id order, so a stable order over columns is the order by id.

   - `edges`: 1 + log(1 + actions) for each membership; `attention` is it row-normalised.
   - `walk`: P(community c | community m), a step through m's members to where they spend
     their attention; dense (communities x communities).
   - `reach`: each community's share of all edges, where walks settle for anyone: the
     baseline a person's affinity is compared with.
   - `cells`: person x community-day, for days with 2..MAX_CROWD people active (repeats
     counted); `meet` is its transpose with each cell weighed 1 / (crowd - 1): ties are
     `cells @ meet`, the diagonal aside.
   - `closed`: communities a person is in, has left, or has dismissed.
   - `contributors`: who posted in a community in the last 28 days.
   - `members`: `edges` by column (CSC): each community's member rows, in order.
3. `pull`: how strongly a community draws people: the square root of its members, plus one,
   plus those who joined in the last 28 days (counted twice: a community recruiting now
   is likelier to recruit again); the root, because the fiftieth member draws less than
   the fifth, and it leaves the person's lift the larger say. Replayed on a real
   organisation's history, members predicted the next joins better than any measure of
   activity (messages, active weeks, momentum); see docs/RECOMMENDER.md.

`candidates` says, for one person, which communities may be suggested at all (the
matrices' `open` and `closed`, one person at a time, for tools and tests).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeAlias

import numpy as np
import scipy.sparse as sp

from bot.metrics.definitions import WEEKS, WINDOW_DAYS, observed_weeks, smoothed_growth
from bot.metrics.definitions import rhythm as rhythm_word
from nudges.recommend.snapshot import CommunityInfo, Snapshot, counted_days


@dataclass(frozen=True, eq=False)
class Model:
    index: Index
    matrices: Matrices
    """The walk, reach, ties and candidates as matrices."""
    pull: Mapping[int, float]
    rates: np.ndarray
    """`pull` in the matrices' column order; -inf for communities nobody may be
    suggested (private, archived, dormant), so that their scores are -inf too."""


def prepare(snapshot: Snapshot, as_of: datetime) -> Model:
    index = build_index(snapshot, as_of)
    matrices = build_matrices(index)
    pulls = pull(index)
    rates = np.array([pulls[int(c)] for c in matrices.communities], dtype=np.float64)
    rates[~matrices.open] = -np.inf
    return Model(index, matrices, pulls, rates)


def pull(index: Index) -> dict[int, float]:
    members, joined = index.members, index.recent_joins
    return {c: math.sqrt(len(members.get(c, ())) + 1 + joined.get(c, 0)) for c in index.communities}


IN_STATES = ("member", "follower")


@dataclass
class Index:
    """Memberships at `as_of` and activity over the twelve ISO weeks before it."""

    as_of: datetime
    communities: dict[int, CommunityInfo]
    members: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    communities_of: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    left: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    dismissed: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    actions: defaultdict[int, defaultdict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    recent_contributors: defaultdict[int, set[int]] = field(
        default_factory=lambda: defaultdict(set)
    )
    cell_people: defaultdict[tuple[int, date], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )
    """Who was active in a community on a day (a community-day "cell"), once per row."""
    messages_by_day: defaultdict[int, defaultdict[date, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    recent_joins: defaultdict[int, int] = field(default_factory=lambda: defaultdict(int))
    window_joins: defaultdict[int, int] = field(default_factory=lambda: defaultdict(int))
    rhythm: dict[int, Rhythm] = field(default_factory=dict)


def build_index(snapshot: Snapshot, as_of: datetime) -> Index:
    existing = {
        community: info
        for community, info in snapshot.communities.items()
        if info.created_at is None or info.created_at < as_of
    }
    index = Index(as_of=as_of, communities=existing)
    members, communities_of = index.members, index.communities_of
    for membership in snapshot.memberships:
        community, joined = membership.community, membership.joined_at
        if community not in existing or (joined is not None and joined >= as_of):
            continue
        state = membership.state
        if state in IN_STATES:
            members[community].add(membership.person)
            communities_of[membership.person].add(community)
        elif state == "left":
            index.left[membership.person].add(community)
    for dismissal in snapshot.dismissals:
        if dismissal.active(as_of):
            index.dismissed[dismissal.person].add(dismissal.community)
    first, last = counted_days(as_of)
    recent_from = last - timedelta(days=WINDOW_DAYS - 1)
    actions, cell_people = index.actions, index.cell_people
    window_joins, recent_joins = index.window_joins, index.recent_joins
    messages_by_day, contributors = index.messages_by_day, index.recent_contributors
    # messages: posts and replies; actions: messages and reactions given (a million rows)
    for day, community, person, posts, replies, given, _, joins in snapshot.activity:
        if not first <= day <= last or community not in existing:
            continue
        messages = posts + replies
        if messages + given:
            actions[person][community] += messages + given
            cell_people[(community, day)].append(person)
        if joins:
            window_joins[community] += joins
            if day >= recent_from:
                recent_joins[community] += joins
        if messages:
            messages_by_day[community][day] += messages
            if day >= recent_from:
                contributors[community].add(person)
    for community, info in index.communities.items():
        index.rhythm[community] = rhythm_of(info, index.messages_by_day.get(community, {}), last)
    return index


@dataclass(frozen=True, slots=True)
class Rhythm:
    active_weeks: int
    observed_weeks: int
    recent_messages: int
    previous_messages: int
    last_message: date | None

    @property
    def label(self) -> str:
        return rhythm_word(self.active_weeks, self.observed_weeks)

    @property
    def dormant(self) -> bool:
        return self.label == "dormant"

    @property
    def momentum(self) -> float:
        """Messages in the last 28 days over the 28 before (smoothed so 0 → 0 is 1)."""
        return smoothed_growth(self.recent_messages, self.previous_messages)


def rhythm_of(info: CommunityInfo, messages: Mapping[date, int], last: date) -> Rhythm:
    monday = last - timedelta(days=last.weekday())
    weeks = {
        (monday - (day - timedelta(days=day.weekday()))).days // 7
        for day, count in messages.items()
        if count > 0
    }
    active = sum(1 for week in weeks if 0 <= week < WEEKS)
    observed = observed_weeks(info.created_at, last)
    recent_from = last - timedelta(days=WINDOW_DAYS - 1)
    previous_from = recent_from - timedelta(days=WINDOW_DAYS)
    recent = sum(n for day, n in messages.items() if recent_from <= day <= last)
    previous = sum(n for day, n in messages.items() if previous_from <= day < recent_from)
    return Rhythm(active, observed, recent, previous, max(messages, default=None))


MAX_CROWD = 100  # on busier community-days, being active together says nothing about ties
Sparse: TypeAlias = Any
"""A `scipy.sparse.csr_matrix` (or CSC): scipy ships no type hints."""


@dataclass(frozen=True, eq=False)
class Matrices:
    rows: dict[int, int]
    communities: np.ndarray
    columns: dict[int, int]
    attention: Sparse
    walk: np.ndarray
    reach: np.ndarray
    reach_or_one: np.ndarray
    """`reach`, and 1 where it is 0: (0 + 1) / 1 is the lift of a community nobody is in."""
    cells: Sparse
    meet: Sparse
    closed: Sparse
    contributors: Sparse
    members: Sparse
    open: np.ndarray
    """Public, not archived, not dormant: may be suggested to someone."""
    crowded: np.ndarray
    member_links: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    """By size limit: (community, community of a member) keys, sorted, and the member of
    each, for communities under that many members (`rank.members_you_know`)."""

    @property
    def nobody(self) -> int:
        return len(self.rows)

    def rows_of(self, people: Iterable[int]) -> np.ndarray:
        nobody = self.nobody
        return np.fromiter((self.rows.get(p, nobody) for p in people), dtype=np.int64)


def build_matrices(index: Index) -> Matrices:
    people = sorted(
        set(index.communities_of) | set(index.actions) | set(index.left)
        | set(index.dismissed) | set().union(*index.recent_contributors.values())
    )  # fmt: skip
    rows = {p: r for r, p in enumerate(people)}
    shape_rows = len(people) + 1
    ids = np.array(sorted(index.communities), dtype=np.int64)
    cols = {int(c): i for i, c in enumerate(ids)}
    shape = (shape_rows, len(ids))
    edges = _edges(index, rows, cols, shape)
    size = np.asarray(edges.sum(axis=0)).ravel()
    total = size.sum()
    reach = size / total if total else np.zeros(len(ids))
    attention = _normalise(edges)
    walk = np.ascontiguousarray((edges.T @ attention).toarray())  # sparse @ walk ravels it
    np.fill_diagonal(walk, 0.0)
    walk *= _inverse(size)[:, None]
    cells, meet = _cells(index, rows, shape_rows)
    closed = _pairs(
        ((rows[p], cols[c]) for kind in (index.communities_of, index.left, index.dismissed)
         for p, cs in kind.items() for c in cs if c in cols),
        shape,
    )  # fmt: skip
    contributors = _pairs(
        ((rows[p], cols[c]) for c, ps in index.recent_contributors.items() for p in ps), shape
    )
    member_count = len(index.communities_of)
    open_ = np.array(
        [
            not (info.is_private or info.is_archived or index.rhythm[c].dormant)
            for c, info in sorted(index.communities.items())
        ],
        dtype=bool,
    ).reshape(len(ids))
    members = sp.csc_matrix(edges)
    members.sort_indices()
    crowded = np.array(
        [2 * len(index.members.get(int(c), ())) > member_count for c in ids], dtype=bool
    ).reshape(len(ids))
    return Matrices(
        rows,
        ids,
        cols,
        attention,
        walk,
        reach,
        np.where(reach > 0, reach, 1.0),
        cells,
        meet,
        closed,
        contributors,
        sp.csc_matrix(edges),
        open_,
        crowded,
    )


def _edges(
    index: Index, rows: dict[int, int], cols: dict[int, int], shape: tuple[int, int]
) -> Sparse:
    r: list[int] = []
    c: list[int] = []
    w: list[int] = []
    nothing: Mapping[int, int] = {}
    for person, communities in index.communities_of.items():
        counts = index.actions.get(person, nothing)
        r += [rows[person]] * len(communities)
        c += [cols[community] for community in communities]
        w += [counts.get(community, 0) for community in communities]
    weights = 1.0 + np.log1p(np.array(w, dtype=np.float64))
    return sp.csr_matrix((weights, (r, c)), shape=shape)


def _normalise(matrix: Sparse) -> Sparse:
    """Each row divided by its sum (rows summing to 0 stay empty)."""
    normalised = sp.csr_matrix(matrix, copy=True)
    totals = np.asarray(matrix.sum(axis=1)).ravel()
    normalised.data /= totals[row_of_each(matrix)]
    return normalised


def row_of_each(matrix: Sparse) -> np.ndarray:
    """The row of each stored value of a CSR matrix."""
    return np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))


def _inverse(values: np.ndarray) -> np.ndarray:
    """1 / values, and 0 where a value is 0."""
    found = np.zeros_like(values, dtype=np.float64)
    np.divide(1.0, values, out=found, where=values > 0)
    return found


def _cells(index: Index, rows: dict[int, int], shape_rows: int) -> tuple[Sparse, Sparse]:
    r: list[int] = []
    k: list[int] = []
    weight: list[float] = []
    for crowd in index.cell_people.values():
        if 1 < len(crowd) <= MAX_CROWD:
            cell = len(weight)
            weight.append(1.0 / (len(crowd) - 1))
            r += [rows[p] for p in crowd]
            k += [cell] * len(crowd)
    ones = np.ones(len(r))
    cells = sp.csr_matrix((ones, (r, k)), shape=(shape_rows, len(weight)))
    meet = sp.csr_matrix(sp.diags(np.array(weight)) @ cells.T)
    return cells, meet


def _pairs(found: Iterable[tuple[int, int]], shape: tuple[int, int]) -> Sparse:
    pairs = np.array(list(found), dtype=np.int64).reshape(-1, 2)
    matrix = sp.csr_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=shape)
    matrix.data[:] = 1.0  # repeats count once
    return matrix


def candidates(index: Index, person: int) -> list[int]:
    """Public, not archived, not dormant, and not one the person is in, left or dismissed."""
    excluded = index.communities_of.get(person, set()) | index.left.get(person, set())
    excluded |= index.dismissed.get(person, set())
    return sorted(
        community
        for community, info in index.communities.items()
        if not info.is_private
        and not info.is_archived
        and community not in excluded
        and not index.rhythm[community].dormant
    )
