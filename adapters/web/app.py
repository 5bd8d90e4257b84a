"""`create_app(settings)`: the aiohttp application every platform mounts its routes on."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

import bot
from adapters.slack import mount_slack
from adapters.teams.endpoint import mount_teams
from adapters.web.rejections import REJECTIONS, Rejections
from bot.errors import DatabaseError
from bot.gateways import install_gateways
from bot.services import Services
from bot.settings import Platform, Settings
from nudges.scheduler.service import SchedulerService

SERVICES = web.AppKey("services", Services)
REGISTRY = web.AppKey("registry", CollectorRegistry)
SCHEDULER = web.AppKey("scheduler", SchedulerService)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_app(settings: Settings, *, services: Services | None = None) -> web.Application:
    """Build the server; nothing connects until the application starts."""
    app = web.Application(middlewares=[_request_metrics(app_registry := CollectorRegistry())])
    app[REGISTRY] = app_registry
    app[REJECTIONS] = Rejections(app_registry)
    app[SERVICES] = services or Services.build(settings)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.cleanup_ctx.append(_services_lifecycle)
    if Platform.SLACK in settings.platforms:
        mount_slack(app, app[SERVICES])
    if Platform.TEAMS in settings.platforms:
        mount_teams(app, app[SERVICES])
    app[SCHEDULER] = SchedulerService(app[SERVICES])
    app.cleanup_ctx.append(_scheduler_lifecycle)
    return app


async def _services_lifecycle(app: web.Application) -> AsyncIterator[None]:
    await app[SERVICES].start()
    yield
    await app[SERVICES].stop()


async def _scheduler_lifecycle(app: web.Application) -> AsyncIterator[None]:
    """Last to start, first to stop: gateways, then the jobs that use them."""
    install_gateways(app[SERVICES])
    await app[SCHEDULER].start()
    yield
    await app[SCHEDULER].stop()


async def healthz(request: web.Request) -> web.Response:
    try:
        await request.app[SERVICES].database.check()
    except DatabaseError as exc:
        return web.json_response({"status": "error", "database": str(exc)}, status=503)
    return web.json_response(
        {
            "status": "ok",
            "database": "ok",
            "version": bot.__version__,
            "scheduler": request.app[SCHEDULER].role,
        }
    )


async def metrics(request: web.Request) -> web.Response:
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
