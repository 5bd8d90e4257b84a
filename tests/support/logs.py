"""Logs in tests: what `configure_logging` writes to stderr, and waiting for a message."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging, secret_values
from bot.settings import Settings


@pytest.fixture
def debug_log(capsys: pytest.CaptureFixture[str]) -> Iterator[DebugLog]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield DebugLog(capsys)
    root.handlers[:] = handlers
    root.setLevel(level)


class DebugLog:
    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def start(self, settings: Settings) -> None:
        configure_logging("DEBUG", secret_values(settings))

    def text(self) -> str:
        return self.capsys.readouterr().err


class LogWatch(logging.Handler):
    """Records one logger's messages and lets a test wait for one, never for a fixed time."""

    def __init__(self, logger: str) -> None:
        super().__init__(logging.DEBUG)
        self.logger = logging.getLogger(logger)
        self.messages: list[str] = []
        self._arrived = asyncio.Event()

    def __enter__(self) -> LogWatch:
        self.logger.addHandler(self)
        self._level = self.logger.level
        self.logger.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *_: object) -> None:
        self.logger.removeHandler(self)
        self.logger.setLevel(self._level)

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        self._arrived.set()

    def seen(self, fragment: str) -> bool:
        return any(fragment in message for message in self.messages)

    async def wait_for(self, fragment: str, within: float = 10.0) -> str:
        async def scan() -> str:
            while not self.seen(fragment):
                self._arrived.clear()
                await self._arrived.wait()
            return next(message for message in self.messages if fragment in message)

        return await asyncio.wait_for(scan(), within)
