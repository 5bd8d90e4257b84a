"""`create_app(settings)`: the aiohttp application every platform mounts its routes on."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

import bot
from bot.errors import DatabaseError
from bot.services import Services
from bot.settings import Settings

SERVICES = web.AppKey("services", Services)
REGISTRY = web.AppKey("registry", CollectorRegistry)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_app(settings: Settings, *, services: Services | None = None) -> web.Application:
    """Build the server; nothing connects until the application starts."""
    app = web.Application(middlewares=[_request_metrics(app_registry := CollectorRegistry())])
    app[REGISTRY] = app_registry
    app[SERVICES] = services or Services.build(settings)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.cleanup_ctx.append(_services_lifecycle)
    return app


async def _services_lifecycle(app: web.Application) -> AsyncIterator[None]:
    await app[SERVICES].start()
    yield
    await app[SERVICES].stop()


async def healthz(request: web.Request) -> web.Response:
    try:
        await request.app[SERVICES].database.check()
    except DatabaseError as exc:
        return web.json_response({"status": "error", "database": str(exc)}, status=503)
    return web.json_response({"status": "ok", "database": "ok", "version": bot.__version__})


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
            latency.labels(name).observe(time.perf_counter() - started)
            requests.labels(name, str(status)).inc()

    return middleware
