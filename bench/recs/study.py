"""Signals tried beside the engine's score, measured as `bench.recs_eval` measures it.

    python -m bench.recs.study --slack-export PATH

For each person and candidate at each monthly cutoff: the member count, recent joins,
also-joined cosine, the engine's lift and score, channel age, recent posters,
co-occurrence (the share of the person's ties, people active beside them in a channel on
the same day, who are members of the candidate or joined it in the last 90 days), live
members (active in the last 12 weeks), the share of the newcomers (arrived in the last
60 days) in it, and the share of the person's join peers (who joined one of the
person's communities within 14 days of them) in it, and whether the person left it.
Each alone, each added to the engine's log score, and learned weights: a model fitted,
for each cutoff, on the monthly cutoffs whose whole horizon ended before it (nothing
after a cutoff shapes its ranking; with no such history, the engine's order is kept).
Rows that say they know the future use how many of the others join the candidate in the
horizon: the most a community-level signal could give. Pooled figures at quarterly and
monthly cutoffs, over the engine's candidates and over open ones (dormant and left
communities too), with the ceilings. See docs/RECOMMENDER.md.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import numpy as np
import scipy.sparse as sp
import typer
from rich.console import Console
from rich.table import Table

from bench.recs.evaluation import HORIZON, METRICS, POOLS, Candidates, Scores, rolling_cutoffs
from bench.recs.replay import IN, Cutoff, replay
from bench.recs.slack_export import read_export
from nudges.recommend.rank import block, model_for, scores

FEATURES = (
    "members",
    "joins, 28 days",
    "joins, 12 weeks",
    "also-joined cosine",
    "lift",
    "co-occurrence: members",
    "co-occurrence: joined in 90 days",
    "channel age",
    "posters, 28 days",
    "engine",
    "live members",
    "newcomers in it",
    "join peers in it",
    "left it",
    "others joining in the horizon",
)
"""The last is the future (how many of the other people present join the community in
the 90 days after the cutoff): only for the rows that say they know the future."""
ENGINE = FEATURES.index("engine")
FUTURE = FEATURES.index("others joining in the horizon")
CO_RECENT = FEATURES.index("co-occurrence: joined in 90 days")
RECENT_JOINERS = timedelta(days=90)
NEWCOMERS = timedelta(days=60)
PEERS = timedelta(days=14)


@dataclass(frozen=True)
class Case:
    """One person at one cutoff: their candidates, one row of features each."""

    cutoff: datetime
    person: int
    pool: np.ndarray
    features: np.ndarray
    members: np.ndarray
    wanted: frozenset[int]
    also_dormant: int
    """Of their joins, how many into candidates or dormant communities."""

    def ranked(self, values: np.ndarray) -> list[int]:
        """Best first; ties to more members, then to the lower id (as the baselines)."""
        order: list[int] = self.pool[np.lexsort((self.pool, -self.members, -values))].tolist()
        return order


def cases_at(cutoff: Cutoff, pool_of: Candidates = "engine") -> list[Case]:
    """One case per person with joins in the horizon. `pool_of`: the engine's candidates,
    or "open" ones (the issue's exclusions only: public, not archived, not one the person
    is in or dismissed; dormant and left ones in), scored pull x lift all the same."""
    snapshot = cutoff.snapshot
    as_of = snapshot.as_of
    model = model_for(snapshot, as_of)
    index, matrices = model.index, model.matrices
    people = sorted(cutoff.present)
    ones = np.ones(len(matrices.communities))
    joining = Counter(c for joined in cutoff.targets.values() for c in joined)
    found = block(matrices, matrices.rows_of(people))
    ties = sp.csr_matrix(found.ties)
    totals = np.asarray(ties.sum(axis=1)).ravel()
    spread = sp.diags(np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0))
    member = sp.csc_matrix(matrices.members)
    member.data[:] = 1.0
    joined = [
        (matrices.rows[m.person], matrices.columns[m.community])
        for m in snapshot.memberships
        if m.state in IN
        and m.joined_at is not None
        and as_of - RECENT_JOINERS <= m.joined_at < as_of
        and m.person in matrices.rows
        and m.community in matrices.columns
    ]
    recent = sp.csr_matrix(
        (np.ones(len(joined)), ([r for r, _ in joined], [c for _, c in joined])),
        shape=member.shape,
    )
    recent.data[:] = 1.0
    co_members = (spread @ ties @ member).toarray()
    co_recent = (spread @ ties @ recent).toarray()
    live = set(index.actions)
    joins = {
        (m.person, m.community): m.joined_at
        for m in snapshot.memberships
        if m.state in IN and m.joined_at is not None and m.joined_at < as_of
    }
    arrived: dict[int, datetime] = {}
    joiners: dict[int, list[tuple[int, datetime]]] = {}
    for (person, community), moment in joins.items():
        arrived[person] = min(arrived.get(person, moment), moment)
        joiners.setdefault(community, []).append((person, moment))
    newcomers = {p for p, moment in arrived.items() if as_of - moment <= NEWCOMERS}
    found_cases: list[Case] = []
    for i, person in enumerate(people):
        pool = POOLS[pool_of](index, person)
        wanted = cutoff.targets.get(person)
        if not pool or not wanted:
            continue
        mine = [index.members[m] for m in index.communities_of.get(person, ()) if index.members[m]]
        lifts = scores(matrices, block(matrices, matrices.rows_of([person])), ones, [None])[0][0]
        peers: dict[int, int] = {}
        for community in index.communities_of.get(person, ()):
            mine_at = joins.get((person, community))
            if mine_at is None:
                continue
            for peer, moment in joiners.get(community, []):
                if peer != person and abs(moment - mine_at) <= PEERS:
                    peers[peer] = peers.get(peer, 0) + 1
        peer_total = sum(peers.values())
        others = len(newcomers - {person})
        rows = []
        for c in pool:
            them = index.members.get(c, set())
            column = matrices.columns[c]
            created = index.communities[c].created_at
            rows.append(
                [
                    math.log1p(len(them)),
                    math.log1p(index.recent_joins.get(c, 0)),
                    math.log1p(index.window_joins.get(c, 0)),
                    sum(len(them & m) / math.sqrt(len(them) * len(m)) for m in mine)
                    if them
                    else 0.0,
                    math.log(lifts[column]),
                    co_members[i, column],
                    co_recent[i, column],
                    math.log1p((as_of - created).days if created else 365.0),
                    math.log1p(len(index.recent_contributors.get(c, ()))),
                    math.log(model.pull[c] * lifts[column]),
                    math.log1p(len(them & live)),
                    len(them & newcomers) / others if others else 0.0,
                    sum(n for p, n in peers.items() if p in them) / peer_total
                    if peer_total
                    else 0.0,
                    float(c in index.left.get(person, ())),
                    math.log1p(joining[c] - (c in wanted)),
                ]
            )
        dormant = {
            c
            for c, info in index.communities.items()
            if index.rhythm[c].dormant and not info.is_private and not info.is_archived
        }
        dormant -= index.communities_of.get(person, set()) | index.left.get(person, set())
        found_cases.append(
            Case(
                as_of,
                person,
                np.array(pool, dtype=np.int64),
                np.array(rows, dtype=np.float64),
                np.array([len(index.members.get(c, ())) for c in pool], dtype=np.int64),
                frozenset(wanted),
                len(wanted & (set(pool) | dormant)),
            )
        )
    return found_cases


Fitted = Callable[[Case], np.ndarray]
Learner = Callable[[Sequence[Case]], Fitted]


def logistic(columns: Sequence[int], l2: float = 1.0) -> Learner:
    """Pointwise logistic regression (Newton steps) on standardised columns."""

    def learn(training: Sequence[Case]) -> Fitted:
        x = np.vstack([case.features[:, columns] for case in training])
        y = np.concatenate([np.isin(case.pool, list(case.wanted)) for case in training])
        mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
        z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
        w = np.zeros(z.shape[1])
        penalty = np.diag([l2] * (z.shape[1] - 1) + [0.0])
        for _ in range(50):
            p = 1.0 / (1.0 + np.exp(-z @ w))
            gradient = z.T @ (p - y) + penalty @ w
            hessian = (z * (p * (1 - p))[:, None]).T @ z + penalty
            w -= np.linalg.solve(hessian, gradient)
        return lambda case: ((case.features[:, columns] - mean) / scale) @ w[:-1]

    return learn


def conditional_logit(columns: Sequence[int], l2: float = 0.01) -> Learner:
    """A softmax over each person's candidates (one pick among them), gradient descent."""

    def learn(training: Sequence[Case]) -> Fitted:
        useful = [c for c in training if np.isin(c.pool, list(c.wanted)).any()]
        x = np.vstack([case.features[:, columns] for case in training])
        mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
        groups = [((c.features[:, columns] - mean) / scale, c.pool, c.wanted) for c in useful]
        w = np.zeros(len(columns))
        for _ in range(300):
            gradient = l2 * w
            for z, pool, wanted in groups:
                s = z @ w
                p = np.exp(s - s.max())
                p /= p.sum()
                y = np.isin(pool, list(wanted)).astype(np.float64)
                gradient += z.T @ (p - y / y.sum())
            w -= 0.5 * gradient / max(1, len(groups))
        return lambda case: ((case.features[:, columns] - mean) / scale) @ w

    return learn


def column(k: int) -> Fitted:
    return lambda case: case.features[:, k]


def blend(k: int, weight: float) -> Fitted:
    """The engine's log score plus `weight` times feature `k`."""
    return lambda case: case.features[:, ENGINE] + weight * case.features[:, k]


def measure(cases: Sequence[Case], cutoffs: Sequence[datetime], values: Fitted) -> Scores:
    scores = Scores()
    for case in cases:
        if case.cutoff in cutoffs:
            scores.add(case.ranked(values(case)), set(case.wanted))
    return scores


def learned(cases: Sequence[Case], cutoffs: Sequence[datetime], learner: Learner) -> Scores:
    """Each cutoff ranked by a model fitted on the cutoffs whose horizon ended before it."""
    scores = Scores()
    for cutoff in cutoffs:
        training = [c for c in cases if c.cutoff + HORIZON <= cutoff]
        fitted = learner(training) if training else None
        for case in (c for c in cases if c.cutoff == cutoff):
            values = fitted(case) if fitted else case.features[:, ENGINE]
            scores.add(case.ranked(values), set(case.wanted))
    return scores


def main(
    slack_export: Annotated[Path, typer.Option(help="A Slack export directory or .zip.")],
) -> None:
    """Pooled recall@1/3/5 and MRR of each signal, blend and learned ranking, over the
    engine's candidates and over open ones."""
    timeline = read_export(slack_export)
    months = rolling_cutoffs(timeline, "month")
    console = Console()
    for pool_of in ("engine", "open"):
        cases = [
            c for cutoff in replay(timeline, months, HORIZON) for c in cases_at(cutoff, pool_of)
        ]
        for every in ("quarter", "month"):
            cutoffs = rolling_cutoffs(timeline, every)
            chosen = [c for c in cases if c.cutoff in cutoffs]
            table = Table(
                title=f"{slack_export} — {pool_of} candidates, every {every}, pooled "
                f"({len(chosen)} cases)"
            )
            table.add_column("ranking")
            for metric in METRICS:
                table.add_column(metric, justify="right")
            for name, found in _rows(cases, cutoffs, pool_of):
                table.add_row(name, *(f"{found.mean(m):.3f}" for m in METRICS))
            console.print(table)


def _rows(
    cases: Sequence[Case], cutoffs: Sequence[datetime], pool_of: Candidates
) -> list[tuple[str, Scores]]:
    rows = [(name, measure(cases, cutoffs, column(k))) for k, name in enumerate(FEATURES[:FUTURE])]
    for k in (FEATURES.index("co-occurrence: members"), CO_RECENT):
        for weight in (0.25, 0.5, 1.0, 2.0):
            label = f"engine + {weight} × {FEATURES[k]}"
            rows.append((label, measure(cases, cutoffs, blend(k, weight))))
    for name, weight in (
        ("joins, 12 weeks", 0.25),
        ("live members", 0.5),
        ("newcomers in it", 0.5),
        ("join peers in it", 0.5),
    ):
        label = f"engine + {weight} × {name}"
        rows.append((label, measure(cases, cutoffs, blend(FEATURES.index(name), weight))))
    without_engine = list(range(ENGINE))
    small = [FEATURES.index(name) for name in ("members", "lift", "joins, 12 weeks", "left it")]
    for name, learner in (
        ("learned: logistic, 9 features", logistic(without_engine)),
        ("learned: logistic, engine + co-occurrence", logistic([ENGINE, CO_RECENT])),
        ("learned: logistic, members, lift, joins, left it", logistic(small)),
        ("learned: per-person softmax, 9 features", conditional_logit(without_engine)),
        ("learned: per-person softmax, members + co-occ.", conditional_logit([0, CO_RECENT])),
    ):
        rows.append((name, learned(cases, cutoffs, learner)))
    rows.append(("knows the future: others joining it", measure(cases, cutoffs, column(FUTURE))))
    rows.append(
        ("knows the future: engine + others joining", measure(cases, cutoffs, blend(FUTURE, 1.0)))
    )
    rows.append(("ceiling: the joins first", measure(cases, cutoffs, joins_first)))
    if pool_of == "engine":
        dormant = Scores()
        for case in (c for c in cases if c.cutoff in cutoffs):
            reachable = case.also_dormant
            for k in dormant.recalls:
                dormant.recalls[k].append(min(k, reachable) / len(case.wanted))
            dormant.reciprocal_ranks.append(1.0 if reachable else 0.0)
        rows.append(("ceiling with dormant candidates", dormant))
    return rows


def joins_first(case: Case) -> np.ndarray:
    """A ranking that knows the future: the person's joins first."""
    return np.isin(case.pool, list(case.wanted)).astype(np.float64)


if __name__ == "__main__":
    typer.run(main)
