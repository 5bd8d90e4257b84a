"""Requests refused at a platform endpoint, counted by platform and reason in `/metrics`.

Reasons: `signature` (bad or stale Slack signature, or no valid Bot Framework token),
`undecodable` (not the JSON or form body the platform sends), `malformed` (authentic, but
a field has the wrong type or an event cannot be read) and `no_sender` (an event that
would create a person without an id). Each refusal logs one WARNING line (INFO for
signatures, which anyone can send) that never carries the body.
"""

from __future__ import annotations

import logging

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter

log = logging.getLogger("engage.requests")
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
        log.log(level, "%s request rejected: %s", platform, reason)
        self._counter.labels(platform, reason).inc()


REJECTIONS = web.AppKey("rejections", Rejections)


def rejections_of(app: web.Application) -> Rejections:
    """The server's counter (`create_app` registers it in `/metrics`), or a private one."""
    if REJECTIONS not in app:
        app[REJECTIONS] = Rejections(CollectorRegistry())
    return app[REJECTIONS]
