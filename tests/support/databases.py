"""Isolated databases for tests: a migrated template, copied for each test.

SQLite: the template file is copied. PostgreSQL (`ENGAGE_TEST_DATABASE_URL`): each test
gets `CREATE DATABASE … TEMPLATE …`, dropped afterwards. `empty` gives a database that no
migration has touched yet.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from bot.storage.engine import normalise_url
from bot.storage.migrate import upgrade

TEST_URL_VARIABLE = "ENGAGE_TEST_DATABASE_URL"


def test_server_url() -> str | None:
    return os.environ.get(TEST_URL_VARIABLE) or None


class SqliteTemplates:
    def __init__(self, directory: Path) -> None:
        self.template = directory / "template.db"
        upgrade(f"sqlite:///{self.template}")

    @contextmanager
    def fresh(self, directory: Path) -> Iterator[str]:
        target = directory / "engage-test.db"
        shutil.copyfile(self.template, target)
        yield f"sqlite:///{target}"

    @contextmanager
    def empty(self, directory: Path) -> Iterator[str]:
        yield f"sqlite:///{directory / 'engage-empty.db'}"


class PostgresTemplates:
    def __init__(self, server_url: str) -> None:
        self.server = normalise_url(server_url)
        self.template = f"engage_tpl_{uuid.uuid4().hex[:10]}"
        self._admin(f'CREATE DATABASE "{self.template}"')
        upgrade(self._url_for(self.template))

    def _url_for(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def _admin(self, statement: str) -> None:
        plain = make_url(self._url_for(self.server.database or "postgres")).set(
            drivername="postgresql"
        )
        with psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(statement.encode())

    @contextmanager
    def fresh(self, _directory: Path) -> Iterator[str]:
        name = f"engage_t_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        try:
            yield self._url_for(name)
        finally:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @contextmanager
    def empty(self, _directory: Path) -> Iterator[str]:
        name = f"engage_e_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}"')
        try:
            yield self._url_for(name)
        finally:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
