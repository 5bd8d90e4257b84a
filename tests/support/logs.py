"""Capture what `configure_logging` really writes to stderr, then put logging back."""

from __future__ import annotations

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
