"""`create_app(settings)`: the aiohttp application every platform mounts its routes on.

Health (`/healthz`, `/livez`, `/readyz`) and `/metrics`: request counts and latencies,
the operator's figures (`adapters.web.operations`) and `Rejections`, the requests refused
at a platform endpoint, counted by platform and reason. Reasons: `signature` (bad or stale
Slack signature, or no valid Bot Framework token), `undecodable` (not the JSON or form body
the platform sends), `malformed` (authentic, but a field has the wrong type or an event
cannot be read) and `no_sender` (an event that would create a person without an id). Each
refusal logs one WARNING line (INFO for signatures, which anyone can send) that never
carries the body.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import suppress

from aiohttp import web
from aiohttp.typedefs import Middleware
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy.exc import SQLAlchemyError

import bot
from adapters.web.operations import OperationsMetrics
from bot.cli.jobs import Job
from bot.errors import DatabaseError
from bot.gateways import GatewayFactory, install_gateways
from bot.services import Services
from bot.settings import Platform, Settings
from bot.storage.migrate import SchemaState, schema_state
from bot.tracker.inbox import quarantined_count
from nudges.scheduler.service import SchedulerService

SERVICES = web.AppKey("services", Services)
REGISTRY = web.AppKey("registry", CollectorRegistry)
SCHEDULER = web.AppKey("scheduler", SchedulerService)
QUARANTINED = web.AppKey("quarantined", Gauge)
OPERATIONS = web.AppKey("operations", OperationsMetrics)
GATEWAYS = web.AppKey("gateways", dict[str, GatewayFactory])
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")
log = logging.getLogger("engage.healthz")


class Outage:
    """The database outage /healthz last saw: logged when it starts or its cause changes,
    not on every probe."""

    def __init__(self) -> None:
        self.cause: str | None = None

    def failed(self, cause: str) -> None:
        if cause != self.cause:
            log.warning("healthz: %s", cause)
        self.cause = cause

    def recovered(self) -> None:
        if self.cause is not None:
            log.warning("healthz: database available again")
        self.cause = None


OUTAGE = web.AppKey("outage", Outage)


def create_app(
    settings: Settings,
    *,
    services: Services | None = None,
    alone: bool = False,
    jobs: Mapping[str, Job] | None = None,
    gateways: Mapping[str, GatewayFactory] | None = None,
) -> web.Application:
    """Build the server; nothing connects until the application starts. `alone`: no other
    server can be using the database (SQLite's lock proves it), so this one leads at once.
    `jobs` are the scheduler's (default: every job); `gateways` build the gateway of each
    enabled platform the server did not mount (the composition root passes both)."""
    app = web.Application(middlewares=[_request_metrics(app_registry := CollectorRegistry())])
    app[REGISTRY] = app_registry
    app[QUARANTINED] = Gauge(
        "engage_inbox_quarantined_events",
        "Inbox events that could not be folded, kept aside (engage stats --health)",
        registry=app_registry,
    )
    app[REJECTIONS] = Rejections(app_registry)
    app[SERVICES] = services or Services.build(settings)
    app[OUTAGE] = Outage()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/livez", livez)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.cleanup_ctx.append(_services_lifecycle)
    if Platform.SLACK in settings.platforms:
        from adapters.slack.app import mount_slack

        mount_slack(app, app[SERVICES])
    if Platform.TEAMS in settings.platforms:
        from adapters.teams.app import mount_teams

        mount_teams(app, app[SERVICES])
    app[SCHEDULER] = SchedulerService(app[SERVICES], jobs, alone=alone)
    app[GATEWAYS] = dict(gateways or {})
    app[OPERATIONS] = OperationsMetrics(app[SERVICES], app[SCHEDULER].role_now)
    app_registry.register(app[OPERATIONS])
    app.cleanup_ctx.append(_scheduler_lifecycle)
    return app


async def _services_lifecycle(app: web.Application) -> AsyncIterator[None]:
    await app[SERVICES].start()
    yield
    await app[SERVICES].stop()


async def _scheduler_lifecycle(app: web.Application) -> AsyncIterator[None]:
    """Last to start, first to stop: gateways, then the jobs that use them."""
    factories = app[GATEWAYS]
    install_gateways(app[SERVICES], factories)
    await app[SCHEDULER].start()
    yield
    await app[SCHEDULER].stop()


async def healthz(request: web.Request) -> web.Response:
    """Anyone learns whether this process can serve (its database answers); why not (the
    driver's error names the database's host and port) goes to the log, and to requests
    from this machine only. `/healthz?ready` is `/readyz`."""
    if "ready" in request.query:
        return await readyz(request)
    if unavailable := await _database_unavailable(request):
        return unavailable
    return web.json_response(
        {
            "status": "ok",
            "database": "ok",
            "version": bot.__version__,
            "scheduler": request.app[SCHEDULER].role_now(),
        }
    )


async def livez(_request: web.Request) -> web.Response:
    """Alive: the event loop answers. Nothing else is checked (restart only a hung process)."""
    return web.json_response({"status": "alive", "version": bot.__version__})


async def readyz(request: web.Request) -> web.Response:
    """Ready for traffic: the database answers, its schema is this code's or a newer
    additive one, and the scheduler runs (as `leader` or `standby`)."""
    if unavailable := await _database_unavailable(request):
        return unavailable
    try:
        migrations = await request.app[SERVICES].database.read(schema_state)
    except SQLAlchemyError:
        migrations = SchemaState.BEHIND
    role = request.app[SCHEDULER].role_now()
    ready = migrations is not SchemaState.BEHIND and role != "stopped"
    body = {
        "status": "ready" if ready else "not ready",
        "database": "ok",
        "migrations": str(migrations),
        "scheduler": role,
        "version": bot.__version__,
    }
    return web.json_response(body, status=200 if ready else 503)


async def _database_unavailable(request: web.Request) -> web.Response | None:
    try:
        await request.app[SERVICES].database.check()
    except DatabaseError as exc:
        request.app[OUTAGE].failed(str(exc))
        body = {"status": "unavailable"}
        if _from_this_machine(request):
            body["database"] = str(exc)
        return web.json_response(body, status=503)
    request.app[OUTAGE].recovered()
    return None


def _from_this_machine(request: web.Request) -> bool:
    """A loopback peer that no proxy speaks for (a local proxy forwards the world's requests)."""
    if any(header in request.headers for header in PROXY_HEADERS):
        return False
    try:
        peer = ipaddress.ip_address(request.remote or "")
    except ValueError:
        return False
    if isinstance(peer, ipaddress.IPv6Address) and peer.ipv4_mapped is not None:
        peer = peer.ipv4_mapped
    return peer.is_loopback


async def metrics(request: web.Request) -> web.Response:
    with suppress(SQLAlchemyError):  # the other figures are still worth answering
        count = await request.app[SERVICES].database.read(quarantined_count)
        request.app[QUARANTINED].set(count)
    await request.app[OPERATIONS].refresh()
    body = generate_latest(request.app[REGISTRY])
    response = web.Response(body=body)
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return response


def _request_metrics(registry: CollectorRegistry) -> Middleware:
    requests = Counter(
        "engage_http_requests", "HTTP requests answered", ["route", "status"], registry=registry
    )
    latency = Histogram(
        "engage_http_request_seconds",
        "Time to answer an HTTP request",
        ["route"],
        registry=registry,
    )
    # Each label set's child is looked up once, not on every request.
    timers: dict[str, Histogram] = {}
    counters: dict[tuple[str, int], Counter] = {}

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        route = request.match_info.route.resource
        name = route.canonical if route is not None else "unmatched"
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            timer = timers.get(name)
            if timer is None:
                timer = timers.setdefault(name, latency.labels(name))
            timer.observe(time.perf_counter() - started)
            counter = counters.get((name, status))
            if counter is None:
                counter = counters.setdefault((name, status), requests.labels(name, str(status)))
            counter.inc()

    return middleware


rejection_log = logging.getLogger("engage.requests")
REASONS = ("signature", "undecodable", "malformed", "no_sender")


class Rejections:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self._counter = Counter(
            "engage_requests_rejected",
            "Platform requests refused as unauthentic or unusable",
            ["platform", "reason"],
            registry=registry,
        )

    def count(self, platform: str, reason: str) -> None:
        assert reason in REASONS, reason
        level = logging.INFO if reason == "signature" else logging.WARNING
        rejection_log.log(level, "%s request rejected: %s", platform, reason)
        self._counter.labels(platform, reason).inc()


REJECTIONS = web.AppKey("rejections", Rejections)


def rejections_of(app: web.Application) -> Rejections:
    """The server's counter (`create_app` registers it in `/metrics`), or a private one."""
    if REJECTIONS not in app:
        app[REJECTIONS] = Rejections(CollectorRegistry())
    return app[REJECTIONS]
