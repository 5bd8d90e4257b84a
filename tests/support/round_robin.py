"""A small round-robin HTTP proxy on 127.0.0.1, like the load balancer in front of several
`engage serve` replicas: each request goes to the next backend; one that refuses the
connection (a killed replica) is skipped, as a balancer's health checks would."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

HOP_BY_HOP = frozenset(
    {"connection", "content-length", "host", "keep-alive", "transfer-encoding", "upgrade"}
)


@dataclass
class RoundRobinProxy:
    backends: list[int]
    """Ports of the replicas on 127.0.0.1; the list may change while the proxy runs."""
    answered_by: list[int] = field(default_factory=list)
    """The backend port that answered each request, in order."""
    _turn: count[int] = field(default_factory=count)
    _server: TestServer | None = None
    _client: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.port}"

    async def __aenter__(self) -> RoundRobinProxy:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._client = aiohttp.ClientSession(auto_decompress=False)
        self._server = TestServer(app, host="127.0.0.1", port=0)
        await self._server.start_server()
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._server is not None:
            await self._server.close()
        if self._client is not None:
            await self._client.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._client is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["X-Forwarded-For"] = request.remote or "127.0.0.1"
        for _ in range(len(self.backends)):
            port = self.backends[next(self._turn) % len(self.backends)]
            url = f"http://127.0.0.1:{port}{request.path_qs}"
            try:
                async with self._client.request(
                    request.method, url, data=body, headers=headers
                ) as answer:
                    self.answered_by.append(port)
                    kept = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP}
                    answered = await answer.read()
                    return web.Response(status=answer.status, body=answered, headers=kept)
            except aiohttp.ClientConnectorError:
                continue
        return web.Response(status=502, text="no replica answered")
