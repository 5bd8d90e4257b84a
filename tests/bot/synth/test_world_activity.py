from __future__ import annotations

import random
from statistics import fmean

from bot.synth.population import Person
from bot.synth.world import Pool, geometric, poisson


def someone(index: int) -> Person:
    return Person(
        index=index, external_id=f"U{index}", kind="occasional", tz="Europe/Paris", locale="fr",
        department="Sales", display_name="Léa Martin", sociability=1.0, arrival=0,
    )  # fmt: skip


def test_a_pool_never_draws_leavers_nor_people_without_weight() -> None:
    rng = random.Random(1)
    stays, leaves, silent = someone(1), someone(2), someone(3)
    pool = Pool()
    pool.add(stays, 1.0)
    pool.add(leaves, 50.0)
    pool.add(silent, 0.0)
    pool.remove(leaves)
    drawn = [pool.draw(rng) for _ in range(200)]
    assert {person.index if person else None for person in drawn} <= {1, None}
    assert stays in drawn
    assert Pool().draw(rng) is None


def test_counts_have_the_means_they_promise() -> None:
    rng = random.Random(2)
    assert abs(fmean(poisson(rng, 2.5) for _ in range(20_000)) - 2.5) < 0.1
    assert abs(fmean(poisson(rng, 80.0) for _ in range(5_000)) - 80.0) < 1.0
    assert abs(fmean(geometric(rng, 2.2) for _ in range(20_000)) - 2.2) < 0.1
    assert min(geometric(rng, 2.2) for _ in range(1_000)) == 1
    assert poisson(rng, 0.0) == 0
