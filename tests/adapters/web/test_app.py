from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from adapters.web.app import create_app
from bot.services import Services
from bot.settings import Settings, load_settings
from bot.storage.models import Meta
from tests.support.events import post, raw_row, store_raw


@pytest.fixture
async def client(
    settings: Settings, services: Services
) -> AsyncIterator[TestClient[object, object]]:
    async with TestClient(TestServer(create_app(settings, services=services))) as test_client:
        yield test_client


async def test_healthz_checks_the_database(client: TestClient[object, object]) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {
        "status": "ok",
        "database": "ok",
        "version": "0.1.0",
        "scheduler": "leader",
    }


UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/x"


async def test_healthz_tells_only_this_machine_why_the_database_is_down() -> None:
    settings = load_settings(env_file=None, database_url=UNREACHABLE)
    async with TestClient(TestServer(create_app(settings))) as down:
        response = await down.get("/healthz")
        body = await response.json()
    assert response.status == 503
    assert body["status"] == "unavailable"
    assert body["database"].startswith("database unavailable:")


@pytest.mark.parametrize(
    "proxy",
    [
        {"X-Forwarded-For": "203.0.113.7"},
        {"Forwarded": "for=203.0.113.7;proto=https"},
        {"X-Real-IP": "203.0.113.7"},
    ],
)
async def test_healthz_503_says_only_unavailable_to_the_world(
    proxy: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(env_file=None, database_url=UNREACHABLE)
    caplog.set_level(logging.WARNING, logger="engage.healthz")
    async with TestClient(TestServer(create_app(settings))) as down:
        responses = [await down.get("/healthz", headers=proxy) for _ in range(3)]
        bodies = [await response.text() for response in responses]
    assert [response.status for response in responses] == [503, 503, 503]
    assert [json.loads(body) for body in bodies] == [{"status": "unavailable"}] * 3
    for hidden in ("127.0.0.1", "nobody", "5432", "port", "connection", "psycopg", "database"):
        assert hidden not in bodies[0].lower()
    logged = [r.getMessage() for r in caplog.records if r.name == "engage.healthz"]
    assert len(logged) == 1
    assert logged[0].startswith("healthz: database unavailable:")


async def test_metrics_count_requests_in_prometheus_text(
    client: TestClient[object, object],
) -> None:
    await client.get("/healthz")
    await client.get("/healthz")
    await client.get("/nowhere")
    response = await client.get("/metrics")
    body = await response.text()
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    assert 'engage_http_requests_total{route="/healthz",status="200"} 2.0' in body
    assert 'engage_http_requests_total{route="unmatched",status="404"} 1.0' in body


async def test_metrics_count_the_quarantined_events(
    client: TestClient[object, object], services: Services
) -> None:
    before = await (await client.get("/metrics")).text()
    await store_raw(services, raw_row("community_renamed", ["not", "an", "object"]))
    await services.tracker.record([post("U1", "C1", "2026-03-02")])
    await services.tracker.fold()
    after = await (await client.get("/metrics")).text()
    assert "engage_inbox_quarantined_events 0.0" in before
    assert "engage_inbox_quarantined_events 1.0" in after


async def test_livez_answers_without_the_database() -> None:
    settings = load_settings(env_file=None, database_url=UNREACHABLE)
    async with TestClient(TestServer(create_app(settings))) as down:
        alive = await down.get("/livez")
        ready = await down.get("/readyz")
        assert alive.status == 200
        assert (await alive.json())["status"] == "alive"
        assert ready.status == 503


async def test_readyz_reports_migrations_and_role(client: TestClient[object, object]) -> None:
    for path in ("/readyz", "/healthz?ready"):
        response = await client.get(path)
        assert response.status == 200
        assert await response.json() == {
            "status": "ready",
            "database": "ok",
            "migrations": "current",
            "scheduler": "leader",
            "version": "0.1.0",
        }


async def test_readyz_is_503_while_migrations_are_pending(
    client: TestClient[object, object], services: Services
) -> None:
    await services.database.write(
        lambda session: session.execute(text("UPDATE alembic_version SET version_num = '0004'"))
    )
    response = await client.get("/readyz")
    assert response.status == 503
    assert (await response.json())["migrations"] == "behind"
    assert (await client.get("/healthz")).status == 200


async def test_metrics_expose_leadership_queues_lags_and_syncs(
    client: TestClient[object, object], services: Services
) -> None:
    await services.tracker.record([post("U1", "C1", "2026-03-02")])
    await services.database.write(
        lambda session: session.add(
            Meta(key="roster.synced_at.slack.T024BE7LD", value="2026-01-01T00:00:00+00:00")
        )
    )
    services.deliveries.update({"sent": 3, "cancelled": 1})
    body = await (await client.get("/metrics")).text()
    samples = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in body.splitlines()
        if line.startswith("engage_") and not line.startswith("engage_http")
    }
    assert samples["engage_leader"] == 1.0
    assert samples["engage_outbox_depth"] == 0.0
    assert samples["engage_outbox_oldest_age_seconds"] == 0.0
    assert samples["engage_ingest_lag_seconds"] >= 0.0
    assert samples["engage_fold_lag_seconds"] >= 0.0
    assert samples['engage_deliveries_total{outcome="sent"}'] == 3.0
    assert samples['engage_deliveries_total{outcome="cancelled"}'] == 1.0
    synced = samples['engage_roster_sync_age_seconds{platform="slack",workspace="T024BE7LD"}']
    assert synced > 300 * 86400
