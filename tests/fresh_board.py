"""A board installed fresh: its own empty database, migrated, and a server of its own on it.

The shared test server's database is emptied between tests, which removes the mark a fresh
install's migration leaves ("the first member becomes admin"); these tests need that mark, so
they install a board of their own, as a new deployment would.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from conftest import DATABASE_URL, ENGINE, PG_URL, Server, run_cli
from harness import Browser


def _pg(sql: str) -> None:
    import asyncpg

    maintenance = urlunsplit(urlsplit(PG_URL)._replace(path="/postgres"))

    async def run() -> None:
        connection = await asyncpg.connect(maintenance)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(run())


@contextmanager
def fresh_board(env: dict[str, str] | None = None) -> Iterator[tuple[Server, dict[str, str], Any]]:
    """Install a new board (migrate an empty database) and serve it; yields the server, its
    environment (for ``run_cli`` and SQL) and a factory of browsers."""
    data_dir = Path(tempfile.mkdtemp(prefix="prayerboard-fresh-"))
    if ENGINE == "postgres":
        name = f"{urlsplit(DATABASE_URL).path.lstrip('/')}_fresh"
        _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg(f'CREATE DATABASE "{name}"')
        database_url = urlunsplit(urlsplit(DATABASE_URL)._replace(path=f"/{name}"))
    else:
        database_url = f"sqlite:///{data_dir / 'fresh.sqlite3'}"
    board_env = {"PRAYERBOARD_DATA_DIR": str(data_dir), "PRAYERBOARD_DATABASE_URL": database_url, **(env or {})}
    migrated = run_cli("migrate", env=board_env)
    assert migrated.returncode == 0, migrated.stderr
    server = Server(env=board_env)
    browsers: list[Browser] = []

    def new_browser() -> Browser:
        browser = Browser(server.url)
        browsers.append(browser)
        return browser

    try:
        yield server, board_env, new_browser
    finally:
        for browser in browsers:
            browser.close()
        output = server.log()
        server.stop()
        assert "unhandled error" not in output, output


def fresh_query(board_env: dict[str, str], sql: str, *args: Any) -> list[dict[str, Any]]:
    """SQL (``?`` placeholders) on the fresh board's database."""
    url = board_env["PRAYERBOARD_DATABASE_URL"]
    if url.startswith("sqlite:///"):
        import sqlite3

        connection = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=10)
        connection.row_factory = sqlite3.Row
        try:
            with connection:
                return [dict(r) for r in connection.execute(sql, args).fetchall()]
        finally:
            connection.close()
    import asyncpg

    count = 0

    def numbered(text: str) -> str:
        nonlocal count
        out = ""
        for char in text:
            if char == "?":
                count += 1
                out += f"${count}"
            else:
                out += char
        return out

    async def run() -> list[dict[str, Any]]:
        connection = await asyncpg.connect(url)
        try:
            return [dict(r) for r in await connection.fetch(numbered(sql), *args)]
        finally:
            await connection.close()

    return asyncio.run(run())
