from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import AlreadyRunningError
from bot.storage.lock import single_process_lock


def test_second_holder_of_one_sqlite_file_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'engage.db'}"
    with (
        single_process_lock(url),
        pytest.raises(AlreadyRunningError, match="already using"),
        single_process_lock(url),
    ):
        pass
    with single_process_lock(url):
        pass  # released when the first holder left


def test_postgresql_needs_no_file_lock() -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    with single_process_lock(url), single_process_lock(url):
        pass
