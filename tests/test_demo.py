"""``prayerboard demo`` fills a fresh SQLite database with consistent content.

Self-contained on purpose: it runs the command line in a subprocess against its own data
directory and reads the result with ``sqlite3``, without the shared fixtures.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

DEMO_MEMBERS = 10
DEMO_POSTS = 50
COMMAND_TIMEOUT_S = 120


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "prayerboard", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _one(connection: sqlite3.Connection, sql: str) -> int:
    return connection.execute(sql).fetchone()[0]


def test_demo_writes_posts_with_exact_counts(tmp_path):
    # A private data directory and no database URL: the default SQLite file, never the
    # developer's own database.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRAYERBOARD_")}
    env["PRAYERBOARD_DATA_DIR"] = str(tmp_path / "data")
    _run(env, "migrate")
    result = _run(env, "demo", "--members", str(DEMO_MEMBERS), "--posts", str(DEMO_POSTS))
    assert "demo-password-123" in result.stdout

    connection = sqlite3.connect(tmp_path / "data" / "prayerboard.sqlite3")
    try:
        assert _one(connection, "SELECT count(*) FROM post") == DEMO_POSTS
        assert _one(connection, "SELECT count(*) FROM member") == DEMO_MEMBERS
        assert _one(connection, "SELECT count(*) FROM prayer") > 0
        # The denormalised counts match the rows they count, post by post.
        assert (
            _one(
                connection,
                "SELECT count(*) FROM post p WHERE praying_count != (SELECT count(*) FROM prayer r WHERE r.post = p.id)",
            )
            == 0
        )
        assert (
            _one(
                connection,
                "SELECT count(*) FROM post p WHERE reply_count != (SELECT count(*) FROM reply r WHERE r.post = p.id)",
            )
            == 0
        )
        assert _one(connection, "SELECT sum(praying_count) FROM post") == _one(
            connection, "SELECT count(*) FROM prayer"
        )
        assert _one(connection, "SELECT sum(reply_count) FROM post") == _one(connection, "SELECT count(*) FROM reply")
        # The board lists newest first by id, so ids must follow creation times.
        times = [row[0] for row in connection.execute("SELECT created_at FROM post ORDER BY id")]
        assert times == sorted(times)
        assert _one(connection, "SELECT count(*) FROM post WHERE last_activity_at < created_at") == 0
    finally:
        connection.close()
