"""The operator's view of one replica on /metrics: leadership, the outbox's queue, the
inbox's backlog, roster syncs and deliveries, named for alert rules (see the README)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from functools import partial

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from bot.logs import Figures, read_figures
from bot.services import Services

log = logging.getLogger("engage.metrics")


class OperationsMetrics(Collector):
    """Database-wide figures are read by `refresh` (one indexed transaction per scrape);
    process figures (leadership, fold lag, deliveries) come from this process itself."""

    def __init__(self, services: Services, role: Callable[[], str]) -> None:
        self.services = services
        self.role = role
        self.figures: Figures | None = None

    async def refresh(self) -> None:
        """Figures for the next `collect`; none when the database does not answer."""
        read = partial(read_figures, now=self.services.clock())
        try:
            self.figures = await self.services.database.read(read)
        except SQLAlchemyError as exc:
            log.warning("metrics: database figures unavailable (%s)", type(exc).__name__)
            self.figures = None

    def collect(self) -> Iterator[Metric]:
        leading = self.role() == "leader"
        yield GaugeMetricFamily(
            "engage_leader",
            "1 on the replica whose scheduler leads (plans, folds, digests), else 0",
            value=1 if leading else 0,
        )
        if leading:  # only the leader folds
            yield GaugeMetricFamily(
                "engage_fold_lag_seconds",
                "Seconds since the leader's fold last left no inbox event pending",
                value=self.services.tracker.since_caught_up(),
            )
        deliveries = CounterMetricFamily(
            "engage_deliveries",
            "Outbox messages this replica finished handling, by the state it recorded",
            labels=["outcome"],
        )
        for outcome, count in sorted(self.services.deliveries.items()):
            deliveries.add_metric([outcome], count)
        yield deliveries
        if self.figures is not None:
            yield from _database_figures(self.figures)


def _database_figures(figures: Figures) -> Iterator[Metric]:
    yield GaugeMetricFamily(
        "engage_outbox_depth",
        "Outbox messages queued (pending or being sent), due or not",
        value=figures.outbox_depth,
    )
    yield GaugeMetricFamily(
        "engage_outbox_oldest_age_seconds",
        "Seconds the longest-waiting due outbox message has waited; 0 when none is due",
        value=figures.outbox_oldest_age,
    )
    yield GaugeMetricFamily(
        "engage_ingest_lag_seconds",
        "Seconds since the oldest inbox event not yet folded arrived; 0 when none",
        value=figures.ingest_lag,
    )
    synced = GaugeMetricFamily(
        "engage_roster_sync_age_seconds",
        "Seconds since a workspace's roster was last synced",
        labels=["platform", "workspace"],
    )
    for (platform, workspace), age in sorted(figures.roster_sync_ages.items()):
        synced.add_metric([platform, workspace], age)
    yield synced
