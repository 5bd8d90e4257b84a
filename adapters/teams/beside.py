"""Answers that run after Teams got its acknowledgement, a few at a time.

Nothing on the acknowledgement path waits on the Bot Connector: a message, a mention or an
install is recorded and acknowledged first, and its answer (replies, a private chat, the
roster of a new team) runs here, beside the requests. Only invokes, whose answer is the
response itself, run before it. A failure is logged, never raised; at shutdown the work
still running gets `ENGAGE_API_TIMEOUT_SECONDS` to finish, then is cancelled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("engage.teams")


class Beside:
    def __init__(self, concurrency: int = 8) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    def start(self, work: Callable[[], Awaitable[object]], name: str) -> None:
        task = asyncio.create_task(self._run(work, name), name=name)
        self._tasks.add(task)
        self._idle.clear()
        task.add_done_callback(self._finished)

    async def settled(self) -> None:
        """Return once nothing is running (what starts meanwhile is waited for too)."""
        await self._idle.wait()

    async def close(self, grace: float) -> None:
        try:
            await asyncio.wait_for(self.settled(), grace)
        except TimeoutError:
            log.warning("%d Teams answer(s) cancelled at shutdown", len(self._tasks))
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, work: Callable[[], Awaitable[object]], name: str) -> None:
        async with self._slots:
            try:
                await work()
            except Exception:
                log.exception("Teams answer failed: %s", name)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not self._tasks:
            self._idle.set()
