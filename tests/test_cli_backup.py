"""``prayerboard backup``: a consistent copy of a SQLite board while it runs, and a clear refusal
otherwise (docs/security.md, "Backups").

Self-contained on purpose: each test has its own SQLite data directory and servers, whatever
engine the rest of the suite runs on, because the command copies a SQLite file.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from mailbox import wait_until
from pathlib import Path

from harness import Browser, Server, server_environment

COMMAND_TIMEOUT_S = 120
DATABASE_FILE = "prayerboard.sqlite3"
POSTS_BEFORE_BACKUP = 5


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "prayerboard", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
    )


def _board(data_dir: Path) -> dict[str, str]:
    """The environment of a board on SQLite in ``data_dir``, migrated."""
    env = server_environment(data_dir, None)
    migrated = _cli(env, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    return env


class Writer(threading.Thread):
    """A member who keeps posting until told to stop; the titles of the posts the board accepted."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.browser = Browser(url)
        assert self.browser.register("writer", "Lydia Writer").status_code == 303
        self.posted: list[tuple[str, str]] = []  # (address, title), in order
        self.stopping = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                title = f"Please pray for our street, week {len(self.posted) + 1}"
                self.posted.append((self.browser.create_post(title=title), title))
        except BaseException as exc:  # reported by the test, which runs on another thread
            self.failure = exc

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=COMMAND_TIMEOUT_S)
        self.browser.close()
        assert self.failure is None, self.failure


def test_backup_while_the_board_writes_is_a_whole_board_that_serves_again(tmp_path):
    env = _board(tmp_path / "live")
    live = Server(env, tmp_path / "live.log")
    writer = None
    try:
        writer = Writer(live.url)
        writer.start()
        wait_until(lambda: len(writer.posted) >= POSTS_BEFORE_BACKUP, what="the first posts")
        before = list(writer.posted)
        copy = tmp_path / "copy.sqlite3"
        made = _cli(env, "backup", str(copy))
        assert made.returncode == 0, made.stderr
        after = len(writer.posted)
        # The board went on taking posts while and after it was copied.
        wait_until(lambda: len(writer.posted) > after, what="a post after the backup")
        writer.stop()
        assert f"to {copy}" in made.stdout
        assert str(tmp_path / "live" / "secret_key") in made.stdout
    finally:
        if writer is not None and writer.is_alive():
            writer.stopping.set()
        live.stop()

    assert stat.S_IMODE(copy.stat().st_mode) == 0o600  # it holds everything the board holds
    connection = sqlite3.connect(copy)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        titles = {row[0] for row in connection.execute("SELECT title FROM post")}
    finally:
        connection.close()
    assert {title for _, title in before} <= titles
    assert len(titles) <= len(writer.posted)
    assert not list(tmp_path.glob(".prayerboard-backup-*")), "the temporary file was left behind"

    # Restored as another board's database, it migrates and serves those posts.
    (tmp_path / "restored").mkdir()
    shutil.copy(copy, tmp_path / "restored" / DATABASE_FILE)
    restored_env = _board(tmp_path / "restored")
    restored = Server(restored_env, tmp_path / "restored.log")
    reader = Browser(restored.url)
    try:
        assert reader.login("writer").status_code == 303
        for address, title in before:
            page = reader.get(f"/posts/{address}")
            assert page.status_code == 200 and title in page.text, address
        newest_kept = max(titles, key=lambda t: int(t.rsplit(" ", 1)[1]))
        assert newest_kept in reader.get("/").text
    finally:
        reader.close()
        restored.stop()


def test_backup_never_overwrites_unless_forced(tmp_path):
    env = _board(tmp_path / "data")
    target = tmp_path / "kept.sqlite3"
    target.write_text("last week's backup")

    refused = _cli(env, "backup", str(target))
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        f"prayerboard backup: {target} already exists; pass --force to replace it"
    ]
    assert target.read_text() == "last week's backup"

    forced = _cli(env, "backup", str(target), "--force")
    assert forced.returncode == 0, forced.stderr
    connection = sqlite3.connect(target)
    try:
        assert connection.execute("SELECT count(*) FROM member").fetchone()[0] == 0
    finally:
        connection.close()


def test_backup_into_a_folder_writes_a_dated_file(tmp_path):
    env = _board(tmp_path / "data")
    folder = tmp_path / "backups"
    folder.mkdir()
    made = _cli(env, "backup", str(folder))
    assert made.returncode == 0, made.stderr
    (written,) = folder.iterdir()
    assert written.name.startswith("prayerboard-") and written.suffix == ".sqlite3"
    assert f"to {written}" in made.stdout


def test_backup_names_the_secret_key_setting_when_the_key_is_set_there(tmp_path):
    env = _board(tmp_path / "data")
    made = _cli({**env, "PRAYERBOARD_SECRET_KEY": "k" * 40}, "backup", str(tmp_path / "copy.sqlite3"))
    assert made.returncode == 0, made.stderr
    assert "PRAYERBOARD_SECRET_KEY" in made.stdout
    assert "k" * 40 not in made.stdout


def test_backup_of_a_postgresql_board_points_to_pg_dump(tmp_path):
    env = server_environment(tmp_path / "data", "postgresql://board@db.invalid:5432/prayerboard")
    target = tmp_path / "copy.sqlite3"
    refused = _cli(env, "backup", str(target))
    assert refused.returncode == 2
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "pg_dump" in refused.stderr
    assert not target.exists()


def test_backup_of_a_board_with_no_database_says_so(tmp_path):
    env = server_environment(tmp_path / "data", None)
    refused = _cli(env, "backup", str(tmp_path / "copy.sqlite3"))
    assert refused.returncode == 2
    assert "there is no database at" in refused.stderr
    assert not os.path.exists(tmp_path / "copy.sqlite3")
