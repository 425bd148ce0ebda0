"""Test set-up: a real database, the real app served by a real server process, HTTP through httpx.

The suite runs on SQLite by default. With ``PRAYERBOARD_TEST_ENGINE=postgres`` (``make test``
does this when ``PRAYERBOARD_TEST_DATABASE_URL`` is set) it runs on that PostgreSQL database,
whose ``public`` schema it drops and re-creates: point it at a database meant for tests.

The app runs in its own process (``prayerboard run``), as in production, so its connection
pool never meets the test code's event loop. Tests reach the database only to check results
and to clean up between tests.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
ENGINE = os.environ.get("PRAYERBOARD_TEST_ENGINE", "sqlite")
PG_URL = os.environ.get("PRAYERBOARD_TEST_DATABASE_URL", "")
TABLES = (
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
PASSWORD = "a gentle password 42"
SERVER_START_TIMEOUT_S = 30

_DATA_DIR = Path(tempfile.mkdtemp(prefix="prayerboard-test-"))
if ENGINE == "postgres":
    if not PG_URL:
        raise pytest.UsageError("PRAYERBOARD_TEST_ENGINE=postgres needs PRAYERBOARD_TEST_DATABASE_URL")
    DATABASE_URL = PG_URL
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


def query(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run SQL (``?`` placeholders) against the database under test and return rows as dicts."""
    if ENGINE == "postgres":
        import asyncpg

        async def run() -> list[dict[str, Any]]:
            connection = await asyncpg.connect(DATABASE_URL)
            try:
                return [dict(r) for r in await connection.fetch(_pg_sql(sql), *args)]
            finally:
                await connection.close()

        return asyncio.run(run())
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A ``prayerboard run`` process; its log is kept for tests that read it."""

    def __init__(self, workers: int = 1, env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = _DATA_DIR / f"server-{self.port}.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 - held open for the server's lifetime
        self.process = subprocess.Popen(
            [sys.executable, "-m", "prayerboard", "run", "--port", str(self.port), "--workers", str(workers)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)  # polling for start-up, not timing behaviour
        raise RuntimeError(f"server did not start:\n{self.log()}")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


@pytest.fixture(scope="session")
def migrated_database() -> str:
    _reset_schema()
    result = run_cli("migrate")
    assert result.returncode == 0, result.stderr
    return DATABASE_URL


@pytest.fixture(scope="session")
def server(migrated_database: str) -> Iterator[Server]:
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
    before = len(running.log())
    yield
    new_output = running.log()[before:]
    assert "unhandled error" not in new_output, new_output


@pytest.fixture(autouse=True)
def clean_database(request: pytest.FixtureRequest) -> None:
    """Every test starts from an empty board (the schema stays)."""
    if "server" in request.fixturenames or "migrated_database" in request.fixturenames:
        request.getfixturevalue("migrated_database")
        _clean_tables()


# ---------------------------------------------------------------------------------------------
# People


CSRF_COOKIE = "prayerboard_csrf"
SESSION_COOKIE = "prayerboard_session"


class Browser:
    """One person's HTTP client: keeps cookies and sends the CSRF token with every form."""

    def __init__(self, base_url: str) -> None:
        self.client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)
        self.username: str | None = None

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, **kwargs)

    def set_cookie(self, name: str, value: str) -> None:
        """Replace a cookie, as an attacker replaying or planting one would."""
        self.client.cookies.delete(name)
        self.client.cookies.set(name, value, domain="127.0.0.1")

    def csrf_token(self) -> str:
        if CSRF_COOKIE not in self.client.cookies:
            self.client.get("/healthz")
            self.client.get("/login")
        return self.client.cookies[CSRF_COOKIE]

    def post(self, path: str, data: dict[str, Any] | None = None, csrf: bool = True, **kwargs: Any) -> httpx.Response:
        form = dict(data or {})
        if csrf:
            form.setdefault("_csrf_token", self.csrf_token())
        return self.client.post(path, data=form, **kwargs)

    def register(self, username: str, display_name: str | None = None, password: str = PASSWORD) -> httpx.Response:
        response = self.post(
            "/register",
            {
                "username": username,
                "display_name": display_name or username.title(),
                "email": f"{username.lower()}@example.org",
                "password": password,
            },
        )
        if response.status_code == 303:
            self.username = username
        return response

    def login(self, username: str, password: str = PASSWORD, next: str | None = None) -> httpx.Response:
        data = {"username": username, "password": password}
        if next is not None:
            data["next"] = next
        return self.post("/login", data)

    def logout(self) -> httpx.Response:
        return self.post("/logout")

    def create_post(self, **fields: Any) -> str:
        """Post a request (or what ``fields`` say) and return its address: the post's public id."""
        data = {
            "kind": "request",
            "title": "Please pray for my mother",
            "body": "She has surgery on Friday.",
            "category": "Health and healing",
            "visibility": "public",
        }
        data.update(fields)
        response = self.post("/posts", data)
        assert response.status_code == 303, response.text
        return response.headers["location"].rsplit("/", 1)[1]

    def close(self) -> None:
        self.client.close()


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
