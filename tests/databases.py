"""One fresh database per test, on SQLite and — when CIRCLEBOT_TEST_POSTGRES_URL is set — on PostgreSQL too.

A test asks for `db_urls` and calls it with a name (`db_urls("bot.db")`); the same name gives the
same database within the test. The fixture is parametrised by backend, so every test that uses
it (directly or through `settings`, `runner`, `open_community`…) runs once per backend, as
`test_x[sqlite]` and `test_x[postgres]`.

On PostgreSQL each database is created for the test and dropped after it: a copy of a template
that was migrated once per run (`CREATE DATABASE … TEMPLATE`), or an empty one when the test
needs an unmigrated database. `postgres_urls` is the same on PostgreSQL only, for tests about
what only PostgreSQL has (row locks, several processes); without a server those are skipped and
the run's summary says so in one line.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from storage.db import Database

POSTGRES_ENV = "CIRCLEBOT_TEST_POSTGRES_URL"
POSTGRES_URL = os.environ.get(POSTGRES_ENV, "").strip()
BACKENDS = ("sqlite", "postgres") if POSTGRES_URL else ("sqlite",)

DbUrls = Callable[..., str]


class PostgresServer:
    """Creates and drops the tests' databases on one server (names unique to this run)."""

    def __init__(self, url: str) -> None:
        self._url = make_url(url)
        if self._url.get_backend_name() != "postgresql":
            raise pytest.UsageError(f"{POSTGRES_ENV} must be a postgresql+asyncpg:// URL, not {url!r}")
        self._prefix = f"cbt_{uuid.uuid4().hex[:8]}"
        self._numbers = itertools.count()
        self._template: str | None = None
        self._lock = threading.Lock()
        # Admin statements run on a loop of their own, so fixtures can call them from anywhere.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-admin")

    def url_for(self, database: str) -> str:
        """The server's URL with another database name."""
        return self._url.set(database=database).render_as_string(hide_password=False)

    def _admin(self, *statements: str) -> None:
        dsn = self._url.set(drivername="postgresql").render_as_string(hide_password=False)

        async def run() -> None:
            conn = await asyncpg.connect(dsn, timeout=10)
            try:
                for statement in statements:
                    await conn.execute(statement)
            finally:
                await conn.close()

        self._pool.submit(asyncio.run, run()).result()

    def check(self) -> None:
        """Fail the run now, with the reason, when the server cannot be reached."""
        try:
            self._admin("SELECT 1")
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            raise pytest.UsageError(f"{POSTGRES_ENV} is set but PostgreSQL is unreachable: {exc}") from exc

    def _migrated_template(self) -> str:
        with self._lock:
            if self._template is None:
                name = f"{self._prefix}_template"
                self._admin(f'CREATE DATABASE "{name}"')

                async def migrate() -> None:
                    db = await Database.open(self.url_for(name))
                    await db.close()

                self._pool.submit(asyncio.run, migrate()).result()
                self._template = name
            return self._template

    def create(self, *, migrated: bool) -> str:
        """Create a database (a copy of the migrated template, or empty) and return its URL."""
        name = f"{self._prefix}_{next(self._numbers)}"
        template = self._migrated_template() if migrated else "template0"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop(self, names: list[str]) -> None:
        """Drop databases, closing whatever connections a test left open to them."""
        self._admin(*(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in names))

    def close(self) -> None:
        if self._template is not None:
            self.drop([self._template])
        self._pool.shutdown()


_server: PostgresServer | None = None


def postgres_server() -> PostgresServer | None:
    """The run's PostgreSQL server, or None when the PostgreSQL half does not run."""
    return _server


def pytest_configure(config: pytest.Config) -> None:
    global _server
    if POSTGRES_URL and _server is None:
        _server = PostgresServer(POSTGRES_URL)
        _server.check()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _server
    if _server is not None:
        _server.close()
        _server = None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not POSTGRES_URL:
        terminalreporter.write_line(
            f"PostgreSQL half did not run: set {POSTGRES_ENV} (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)"
        )


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The storage backend this run of the test uses: 'sqlite' or 'postgres'."""
    return request.param


def _urls(backend: str, tmp_path: Path) -> Iterator[DbUrls]:
    made: dict[tuple[str, bool], str] = {}
    created: list[str] = []

    def url(name: str = "bot.db", *, migrated: bool = True) -> str:
        """The URL of this test's database called name (migrated=False: an empty one on PostgreSQL)."""
        key = (name, migrated)
        if key not in made:
            if backend == "sqlite":
                made[key] = f"sqlite+aiosqlite:///{tmp_path / name}"
            else:
                assert _server is not None
                database = _server.create(migrated=migrated)
                created.append(database)
                made[key] = _server.url_for(database)
        return made[key]

    yield url
    if created and _server is not None:
        _server.drop(created)


@contextmanager
def example_database(backend: str, sqlite_template: Path, folder: Path) -> Iterator[str]:
    """A fresh migrated database for one example of a property test: a copy of the template file, or a
    PostgreSQL database cloned from the run's template (dropped afterwards)."""
    if backend == "sqlite":
        path = folder / f"example-{uuid.uuid4().hex}.db"
        shutil.copy(sqlite_template, path)
        try:
            yield f"sqlite+aiosqlite:///{path}"
        finally:
            path.unlink(missing_ok=True)
        return
    assert _server is not None
    name = _server.create(migrated=True)
    try:
        yield _server.url_for(name)
    finally:
        _server.drop([name])


@pytest.fixture
def db_urls(backend: str, tmp_path: Path) -> Iterator[DbUrls]:
    """Name → URL of a fresh database of this test, on this run's backend."""
    yield from _urls(backend, tmp_path)


@pytest.fixture
def postgres_urls(tmp_path: Path) -> Iterator[DbUrls]:
    """Like db_urls, on PostgreSQL only; the test is skipped when the PostgreSQL half does not run."""
    if _server is None:
        pytest.skip(f"PostgreSQL only: {POSTGRES_ENV} is not set")
    yield from _urls("postgres", tmp_path)
