"""Test set-up: a real database, the real app served by a real server process, HTTP through httpx.

The suite runs on SQLite by default. With ``PRAYERBOARD_TEST_ENGINE=postgres`` (``make test``
does this when ``PRAYERBOARD_TEST_DATABASE_URL`` is set) it runs on that PostgreSQL database,
whose ``public`` schema it drops and re-creates: point it at a database meant for tests.

The app runs in its own process (``prayerboard run``), as in production, so its connection
pool never meets the test code's event loop. Tests reach the database only to check results
and to clean up between tests.

Under pytest-xdist (``make test`` runs ``-n``) each worker has its own server and its own
database: SQLite in the worker's temporary data dir, and on PostgreSQL a database named after
the one given and the worker (``<db>_gw0``, ``<db>_gw1``), created when missing. The server
process and the browser are ``tests/harness.py``'s, shared with ``bench/run.py``.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from mailbox import Mailbox, mail_server, mailbox  # noqa: F401 - tests/mailbox.py: fixtures any test may use
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

import harness
from harness import CSRF_COOKIE, PASSWORD, SESSION_COOKIE, Browser, free_port

__all__ = ["CSRF_COOKIE", "PASSWORD", "SESSION_COOKIE", "Browser", "Server", "query", "row_id", "run_cli", "scalar"]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
ENGINE = os.environ.get("PRAYERBOARD_TEST_ENGINE", "sqlite")
PG_URL = os.environ.get("PRAYERBOARD_TEST_DATABASE_URL", "")
TABLES = (
    "follow",
    "outbox",
    "author_restriction",
    "invitation",
    "retired_username",
    "flag",
    "moderation_log",
    "revision",
    "notification",
    "member_note",
    "watched_word",
    "prayer",
    "reply",
    "post_update",
    "post",
    "member",
    "key_value",
    "counter",
    "site_setting",
)
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... under pytest-xdist

_DATA_DIR = Path(tempfile.mkdtemp(prefix="prayerboard-test-"))
if ENGINE == "postgres":
    if not PG_URL:
        raise pytest.UsageError("PRAYERBOARD_TEST_ENGINE=postgres needs PRAYERBOARD_TEST_DATABASE_URL")
    DATABASE_URL = PG_URL
    if WORKER:
        # One database per worker, next to the one given: the workers never see each other's rows.
        parts = urlsplit(PG_URL)
        DATABASE_URL = urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{WORKER}"))
else:
    DATABASE_URL = f"sqlite:///{_DATA_DIR / 'test.sqlite3'}"

# Set before any prayerboard module is imported, so that the test process binds the same database.
os.environ["PRAYERBOARD_DATA_DIR"] = str(_DATA_DIR)
os.environ["PRAYERBOARD_DATABASE_URL"] = DATABASE_URL
os.environ.pop("PRAYERBOARD_REDIS_URL", None)
# The shared test server lets first posts through and keeps rate limits out of the way; the
# moderation tests start servers of their own with the real defaults.
TEST_SERVER_OVERRIDES = {
    "PRAYERBOARD_APPROVE_FIRST_POSTS": "0",
    "PRAYERBOARD_POSTS_PER_HOUR": "10000",
    "PRAYERBOARD_REPLIES_PER_HOUR": "10000",
    "PRAYERBOARD_REPORTS_PER_HOUR": "10000",
    "PRAYERBOARD_REGISTRATIONS_PER_HOUR": "10000",
    # Mail goes to the test run's SMTP server (tests/mailbox.py) promptly, and a failed attempt
    # is tried again at the next look instead of minutes later.
    "PRAYERBOARD_MAIL_POLL_SECONDS": "0.2",
    "PRAYERBOARD_MAIL_RETRY_SECONDS": "0",
    "PRAYERBOARD_MAIL_MAX_ATTEMPTS": "1000",
}
os.environ.update(TEST_SERVER_OVERRIDES)


def pytest_report_header(config: pytest.Config) -> str:
    return f"prayerboard database under test: {ENGINE} ({DATABASE_URL})"


# ---------------------------------------------------------------------------------------------
# Database access for checks and clean-up (plain drivers, so the test code shares nothing with
# the app's engine).


def _pg_sql(sql: str) -> str:
    count = 0

    def number(_: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"${count}"

    return re.sub(r"\?", number, sql)


class _Postgres:
    """One connection for this test process's checks, on an event loop of its own.

    Opening a connection per check cost more than most checks; the loop is never running
    between calls, so any test may call ``query`` (none calls it from inside a running loop).
    """

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.connection: Any = None

    def fetch(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        import asyncpg

        if self.loop is None:
            self.loop = asyncio.new_event_loop()
            atexit.register(self.close)
        if self.connection is None or self.connection.is_closed():
            self.connection = self.loop.run_until_complete(asyncpg.connect(DATABASE_URL))
        try:
            rows = self.loop.run_until_complete(self.connection.fetch(_pg_sql(sql), *args))
        except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, ConnectionError):
            # The connection went away (a fault test restarts things): one fresh try.
            self.connection = self.loop.run_until_complete(asyncpg.connect(DATABASE_URL))
            rows = self.loop.run_until_complete(self.connection.fetch(_pg_sql(sql), *args))
        return [dict(r) for r in rows]

    def close(self) -> None:
        if self.loop is None:
            return
        if self.connection is not None and not self.connection.is_closed():
            self.loop.run_until_complete(self.connection.close())
        self.loop.close()
        self.loop = None


_postgres = _Postgres()


def _create_worker_database() -> None:
    """Create this worker's PostgreSQL database when it does not exist yet."""
    import asyncpg

    name = urlsplit(DATABASE_URL).path.lstrip("/")
    # The server's maintenance database: the one given need not exist for its workers' to be made.
    maintenance = urlunsplit(urlsplit(PG_URL)._replace(path="/postgres"))

    async def run() -> None:
        connection = await asyncpg.connect(maintenance)
        try:
            if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(run())


def query(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run SQL (``?`` placeholders) against the database under test and return rows as dicts."""
    if ENGINE == "postgres":
        return _postgres.fetch(sql, *args)
    connection = sqlite3.connect(_DATA_DIR / "test.sqlite3", timeout=10)
    connection.row_factory = sqlite3.Row
    try:
        with connection:
            return [dict(r) for r in connection.execute(sql, args).fetchall()]
    finally:
        connection.close()


def scalar(sql: str, *args: Any) -> Any:
    rows = query(sql, *args)
    return next(iter(rows[0].values())) if rows else None


def row_id(public_id: str, table: str = "post") -> int:
    """The row id behind a post's (or reply's) address: what flags, revisions and the log store."""
    found = scalar(f"SELECT id FROM {table} WHERE public_id = ?", public_id)
    assert found is not None, (table, public_id)
    return found


def _reset_schema() -> None:
    if ENGINE == "postgres":
        if WORKER:
            _create_worker_database()
        query("DROP SCHEMA public CASCADE")
        query("CREATE SCHEMA public")


def _clean_tables() -> None:
    if ENGINE == "postgres":
        query(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        return
    connection = sqlite3.connect(_DATA_DIR / "test.sqlite3", timeout=10)
    try:
        with connection:
            for table in TABLES:
                connection.execute(f"DELETE FROM {table}")
    finally:
        connection.close()


def run_cli(
    *args: str, input: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the ``prayerboard`` command line against the database under test."""
    return subprocess.run(
        [sys.executable, "-m", "prayerboard", *args],
        input=input,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


_free_port = free_port  # the name some tests import


class Server(harness.Server):
    """A ``prayerboard run`` process on the database under test, with ``env`` over this process's
    environment; its log is kept in the data dir for tests that read it."""

    def __init__(self, workers: int = 1, env: dict[str, str] | None = None) -> None:
        port = free_port()
        super().__init__(
            env={**os.environ, **(env or {})},
            log_path=_DATA_DIR / f"server-{port}.log",
            workers=workers,
            port=port,
        )


@pytest.fixture(scope="session")
def migrated_database() -> str:
    _reset_schema()
    result = run_cli("migrate")
    assert result.returncode == 0, result.stderr
    return DATABASE_URL


@pytest.fixture(scope="session")
def server(migrated_database: str, mail_server: Mailbox) -> Iterator[Server]:  # noqa: F811 - the fixture
    running = Server()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def no_unexpected_server_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail any test during which the server logged an unhandled error (it answered 500)."""
    if "server" not in request.fixturenames:
        yield
        return
    running: Server = request.getfixturevalue("server")
    mark = running.log_size()
    yield
    new_output = running.log_since(mark)
    assert "unhandled error" not in new_output, new_output


@pytest.fixture(autouse=True)
def clean_database(request: pytest.FixtureRequest) -> None:
    """Every test starts from an empty board (the schema stays)."""
    if "server" in request.fixturenames or "migrated_database" in request.fixturenames:
        request.getfixturevalue("migrated_database")
        _clean_tables()


# ---------------------------------------------------------------------------------------------
# People


@pytest.fixture
def new_browser(server: Server) -> Iterator[Any]:
    """A factory of fresh browsers (each with its own cookies)."""
    opened: list[Browser] = []

    def make() -> Browser:
        browser = Browser(server.url)
        opened.append(browser)
        return browser

    yield make
    for browser in opened:
        browser.close()


@pytest.fixture
def visitor(new_browser: Any) -> Browser:
    return new_browser()


@pytest.fixture
def author(new_browser: Any) -> Browser:
    browser = new_browser()
    assert browser.register("author", "Ruth Author").status_code == 303
    return browser


@pytest.fixture
def member(new_browser: Any) -> Browser:
    browser = new_browser()
    assert browser.register("member", "Naomi Member").status_code == 303
    return browser
