"""A TCP listener on 127.0.0.1 that accepts every connection and never answers.

Stands in for a platform API that hangs: whatever calls it can only give up on its own
timeout. `wait_for_connections` lets a test know a call has reached it.
"""

from __future__ import annotations

import asyncio


class BlackHole:
    def __init__(self) -> None:
        self.accepted = 0
        self._writers: list[asyncio.StreamWriter] = []
        self._changed = asyncio.Condition()
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> BlackHole:
        self._server = await asyncio.start_server(self._swallow, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/"

    async def wait_for_connections(self, count: int = 1, within: float = 10.0) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: self.accepted >= count), within)

    async def _swallow(self, _reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        async with self._changed:
            self.accepted += 1
            self._changed.notify_all()
