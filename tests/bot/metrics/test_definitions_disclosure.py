"""Complementary suppression: no hidden count follows from what is shown, whatever the ladder
(but a 0, which describes nobody, may).

The check here is independent of the module's: exact rational elimination over the sums, and
the arithmetic a reader can do with a total and its shown parts."""

from __future__ import annotations

from collections import Counter
from datetime import date
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.metrics.community import CommunityCounts, summarise_counts
from bot.metrics.definitions import RUNGS, Sum, Suppressed, protect
from bot.metrics.ladder import ladder_of_counts, ladders_of_departments

MINIMUM = 5


def _in_row_space(rows: list[list[Fraction]], target: list[Fraction]) -> bool:
    """Whether `target` is a combination of `rows` (Gaussian elimination on fractions)."""
    basis: list[tuple[int, list[Fraction]]] = []
    for row in rows:
        row = row[:]
        for pivot, base in basis:
            if row[pivot]:
                factor = row[pivot] / base[pivot]
                row = [a - factor * b for a, b in zip(row, base, strict=True)]
        lead = next((i for i, value in enumerate(row) if value), None)
        if lead is not None:
            basis.append((lead, row))
    target = target[:]
    for pivot, base in basis:
        if target[pivot]:
            factor = target[pivot] / base[pivot]
            target = [a - factor * b for a, b in zip(target, base, strict=True)]
    return not any(target)


def assert_nothing_deducible(
    cells: dict[object, int],
    sums: list[Sum[object]],
    shown: dict[object, object],
    unpublished: frozenset[object] = frozenset(),
) -> None:
    hidden = [key for key, value in shown.items() if isinstance(value, Suppressed)]
    rows = [
        [Fraction((key in item.parts) - (key == item.total)) for key in hidden] for item in sums
    ]
    for position, key in enumerate(hidden):
        unit = [Fraction(int(i == position)) for i in range(len(hidden))]
        deducible = _in_row_space(rows, unit)
        assert not deducible or cells[key] == 0, f"{key!r} follows from the shown figures"
    for item in sums:
        if isinstance(shown[item.total], Suppressed):
            continue
        rest = [part for part in item.parts if isinstance(shown[part], Suppressed)]
        remainder = cells[item.total] - sum(cells[p] for p in item.parts if p not in rest)
        assert not 0 < remainder < MINIMUM, f"{item!r}: hidden parts add up to {remainder}"
    for key, value in shown.items():
        if key in unpublished:
            assert isinstance(value, Suppressed)
        elif isinstance(value, Suppressed):
            assert value.complementary == (cells[key] >= MINIMUM)
        else:
            assert value == cells[key]
            assert value >= MINIMUM


rung_counts = st.lists(st.integers(0, 14), min_size=len(RUNGS), max_size=len(RUNGS)).map(
    lambda values: Counter(dict(zip(RUNGS, values, strict=True)))
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.dictionaries(st.sampled_from(["a", "b", "c", "d", None]), rung_counts, max_size=5))
def test_no_hidden_cell_of_an_organisation_follows_by_subtraction(
    departments: dict[str | None, Counter[str]],
) -> None:
    organisation, shown_departments = ladders_of_departments(departments, MINIMUM)
    everyone: Counter[str] = sum(departments.values(), Counter())
    named = {name: rungs for name, rungs in departments.items() if name}
    pooled = Counter[str]()
    for name in [name for name, rungs in named.items() if rungs.total() < MINIMUM]:
        pooled += named.pop(name)
    if pooled:
        named["other"] = pooled
    groups: dict[str | None, Counter[str]] = {"": everyone, **dict(sorted(named.items()))}
    unknown = departments.get(None, Counter())
    if named and unknown.total():
        groups[None] = unknown
    ladders = {ladder.group: ladder for ladder in [organisation, *shown_departments]}
    assert [ladder.group for ladder in shown_departments] == sorted(named)
    cells: dict[object, int] = {}
    shown: dict[object, object] = {}
    for name, rungs in groups.items():
        ladder = ladders.get("organisation" if name == "" else name) if name is not None else None
        cells[(name, "people")] = rungs.total()
        shown[(name, "people")] = ladder.people if ladder else Suppressed(MINIMUM)
        for rung in RUNGS:
            cells[(name, rung)] = rungs[rung]
            shown[(name, rung)] = ladder.rungs[rung] if ladder else Suppressed(MINIMUM)
    sums: list[Sum[object]] = [
        Sum((name, "people"), tuple((name, rung) for rung in RUNGS)) for name in groups
    ]
    parts = [name for name in groups if name != ""]
    if parts:
        sums += [
            Sum(("", column), tuple((name, column) for name in parts))
            for column in ("people", *RUNGS)
        ]
    never = frozenset(key for key in cells if isinstance(key, tuple) and key[0] is None)
    assert_nothing_deducible(cells, sums, shown, never)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(rung_counts)
def test_one_group_hides_enough_rungs(rungs: Counter[str]) -> None:
    ladder = ladder_of_counts("team", rungs, MINIMUM)
    cells: dict[object, int] = {"people": rungs.total(), **{r: rungs[r] for r in RUNGS}}
    shown: dict[object, object] = {"people": ladder.people, **ladder.rungs}
    assert_nothing_deducible(cells, [Sum("people", tuple(RUNGS))], shown)


def test_a_single_small_rung_takes_the_smallest_other_with_it() -> None:
    cells = {"people": 30, "observer": 12, "reactor": 2, "contributor": 9, "regular": 7}
    shown = protect(cells, [Sum("people", ("observer", "reactor", "contributor", "regular"))], 5)
    assert shown == {
        "people": 30,
        "observer": 12,
        "reactor": Suppressed(5),
        "contributor": 9,
        "regular": Suppressed(5, complementary=True),
    }


def test_without_hidden_cells_everything_is_shown() -> None:
    cells = {"people": 30, "a": 12, "b": 18}
    assert protect(cells, [Sum("people", ("a", "b"))], 5) == cells


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.integers(0, 14), st.integers(0, 14), st.integers(0, 14))
def test_a_health_card_hides_enough_of_its_breadth(
    contributors: int, reactors: int, silent: int
) -> None:
    members = contributors + reactors + silent
    counts = CommunityCounts(
        members=members,
        contributors=contributors,
        reactors=reactors,
        silent=silent,
        regulars=0,
        active_12w=contributors + reactors,
        weekly_posts=(1,) * 12,
        posts=12,
        previous_posts=12,
        days_active=12,
    )
    stats = summarise_counts(counts, date(2026, 12, 1), MINIMUM)
    cells: dict[object, int] = {
        "members": members,
        "contributors": contributors,
        "reactors": reactors,
        "silent": silent,
    }
    shown: dict[object, object] = {key: getattr(stats, str(key)) for key in cells}
    if members < MINIMUM:
        assert all(isinstance(value, Suppressed) for value in shown.values())
        return
    assert_nothing_deducible(cells, [Sum("members", ("contributors", "reactors", "silent"))], shown)
    assert isinstance(stats.silent_share, Suppressed) == isinstance(stats.silent, Suppressed) or (
        members - silent < MINIMUM
    )
