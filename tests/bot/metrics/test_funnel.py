"""The suggestion funnel counts what each delivered suggestion reached, by a date."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from bot.metrics import Suppressed
from bot.metrics.funnel import FunnelCounts, FunnelFigures, funnel
from bot.services import Services
from tests.support.funnel import seed


async def test_funnel_counts_stages_by_date_and_community(services: Services) -> None:
    workspace, garden, pets = await services.database.write(seed)
    as_of = date(2026, 3, 20)

    def read(session: Session) -> tuple[FunnelCounts, FunnelCounts, FunnelCounts, FunnelCounts]:
        return (
            funnel(session, workspace, as_of),
            funnel(session, workspace, as_of, garden),
            funnel(session, workspace, as_of, pets),
            funnel(session, workspace, date(2026, 3, 2)),
        )

    everything, in_garden, in_pets, before = await services.database.read(read)
    assert in_garden == FunnelCounts(10, 6, 3, 2, 2, 0)
    assert in_pets == FunnelCounts(1, 0, 0, 0, 0, 1)
    assert everything == FunnelCounts(11, 6, 3, 2, 2, 1)
    assert before == FunnelCounts(0, 0, 0, 0, 0, 0)


async def test_a_join_straight_from_the_card_counts_as_followed(services: Services) -> None:
    """As in a campaign's results: one person of #garden joined on April 2 without following."""
    workspace, _garden, _pets = await services.database.write(seed)
    counts = await services.database.read(
        lambda session: funnel(session, workspace, date(2026, 4, 5))
    )
    assert counts == FunnelCounts(11, 7, 4, 2, 2, 1)


def test_figures_below_the_minimum_are_suppressed() -> None:
    shown = FunnelFigures.of(FunnelCounts(10, 6, 3, 2, 2, 0), 5)
    assert shown.suggested == 10
    assert shown.followed == 6
    assert shown.joined == Suppressed(5)
