"""Shared fixtures: an isolated, migrated database per test and settings pointing at it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.services import Services
from bot.settings import Settings, load_settings
from tests.support.databases import PostgresTemplates, SqliteTemplates, test_server_url

SETTING_PREFIXES = ("ENGAGE_", "SLACK_", "MICROSOFTAPP", "MICROSOFT_APP")
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
"""The operator's language follows them: tests that want French set them."""


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's settings nor touch engage.db in the work tree."""
    for name in list(os.environ):
        if name.upper().startswith(SETTING_PREFIXES) and name != "ENGAGE_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def database_templates(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SqliteTemplates | PostgresTemplates]:
    server = test_server_url()
    if server is None:
        yield SqliteTemplates(tmp_path_factory.mktemp("template"))
        return
    templates = PostgresTemplates(server)
    yield templates
    templates.close()


@pytest.fixture
def database_url(
    database_templates: SqliteTemplates | PostgresTemplates, tmp_path: Path
) -> Iterator[str]:
    with database_templates.fresh(tmp_path) as url:
        yield url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return load_settings(env_file=None, database_url=database_url, port=0)


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    built = Services.build(settings)
    yield built
    await built.stop()
