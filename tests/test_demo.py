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


# ---------------------------------------------------------------------------------------------
# A published password opens nothing on a real board (docs/security.md, "Demo boards"). These
# run on the engine under test, against the shared server.

DEMO_PASSWORD = "demo-password-123"
SIGN_IN_REFUSED = "That username and password do not match."


def _demo(*args: str) -> subprocess.CompletedProcess[str]:
    from conftest import run_cli

    return run_cli("demo", "--members", "4", "--posts", "12", *args)


def _demo_usernames() -> list[str]:
    from conftest import query

    return [row["username"] for row in query("SELECT username FROM member WHERE email LIKE '%@example.org'")]


def test_demo_refuses_a_board_with_real_members_and_writes_nothing(member):
    from conftest import scalar

    refused = _demo()
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert "--alongside-real-members" in refused.stderr and "1 member" in refused.stderr
    assert scalar("SELECT count(*) FROM member") == 1
    assert scalar("SELECT count(*) FROM post") == 0
    assert scalar("SELECT count(*) FROM site_setting WHERE key = 'demo'") == 0


def test_demo_alongside_real_members_never_writes_as_them(member):
    from conftest import scalar

    added = _demo("--alongside-real-members")
    assert added.returncode == 0, added.stderr
    assert DEMO_PASSWORD not in added.stdout
    assert "cannot sign in here" in added.stdout
    assert scalar("SELECT count(*) FROM post") == 12
    real = scalar("SELECT id FROM member WHERE username = 'member'")
    for table, column in (("post", "author"), ("reply", "author"), ("prayer", "member")):
        assert scalar(f"SELECT count(*) FROM {table} WHERE {column} = ?", real) == 0, table
    # Posts added later are written by the demo's members too, never by the real one.
    assert _demo("--alongside-real-members").returncode == 0
    assert scalar("SELECT count(*) FROM post WHERE author = ?", real) == 0


def test_demo_accounts_sign_in_only_while_the_board_is_a_demo(new_browser):
    made = _demo()
    assert made.returncode == 0, made.stderr
    assert DEMO_PASSWORD in made.stdout
    first, second, third = _demo_usernames()[:3]
    assert new_browser().login(first, DEMO_PASSWORD).status_code == 303
    # Every check of the password knows it on a demo board, not only signing in.
    leaving = new_browser()
    assert leaving.login(second, DEMO_PASSWORD).status_code == 303
    assert leaving.post("/settings/delete", {"content": "anonymise", "password": DEMO_PASSWORD}).status_code == 303

    # Someone real joins; demo content added from now on makes the board no demo.
    real = new_browser()
    assert real.register("realperson").status_code == 303
    assert _demo("--alongside-real-members").returncode == 0
    for username in (first, third):
        refused = new_browser().login(username, DEMO_PASSWORD)
        assert refused.status_code == 422
        assert SIGN_IN_REFUSED in refused.text
    assert new_browser().login("realperson").status_code == 303
