"""Mail: the outbox's senders deliver each message once, over SMTP or as an .eml file.

Messages are put in the outbox as the services write them (one row each); the shared server's
sender, and a second server or a ``prayerboard worker`` where a test says so, send them to the
test run's SMTP server (tests/mailbox.py).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import stat
import subprocess
import sys
from email import message_from_bytes, policy
from mailbox import Mailbox, text_of, wait_until
from pathlib import Path
from typing import Any

from conftest import Server, query, row_id, run_cli, scalar

COLUMNS = (
    "to_address, kind, subject, text_body, html_body, post, post_visibility, post_anonymous, status, attempts,"
    " next_attempt_at, last_error, created_at"
)


def _values(message: dict[str, Any]) -> tuple[Any, ...]:
    written = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    return (
        message.get("to", "ruth@example.org"),
        "test",
        message["subject"],
        message.get("text", "There is news on the board."),
        "",
        message.get("post"),
        message.get("visibility", ""),
        message.get("anonymous", False),
        "waiting",
        0,
        written,
        "",
        written,
    )


def put(*messages: dict[str, Any], run: Any = query) -> None:
    """Write ``messages`` to the outbox in one statement, as one transaction would."""
    row = "(" + ", ".join("?" * 13) + ")"
    args = [value for message in messages for value in _values(message)]
    run(f"INSERT INTO outbox ({COLUMNS}) VALUES {', '.join([row] * len(messages))}", *args)


def status_of(subject: str) -> dict[str, Any]:
    rows = query("SELECT status, attempts, last_error FROM outbox WHERE subject = ?", subject)
    assert len(rows) == 1, rows
    return rows[0]


def subjects(mailbox: Mailbox) -> list[str]:
    with mailbox.arrived:
        return sorted(str(m["Subject"]) for m in mailbox.messages)


def test_a_message_arrives_with_a_text_and_an_html_part_and_the_headers_readers_expect(
    server: Server, mailbox: Mailbox
) -> None:
    subject = 'Prayer <news> for "you"'
    text = (
        f"Someone is praying for you.\n\nRead it: {server.url}/p/abc?x=1&y=2\n<script>alert(1)</script>\n"
        "Not ours: https://evil.example/reset"
    )
    put({"subject": subject, "text": text, "to": "ruth@example.org"})

    [message] = mailbox.wait_for(1)
    assert message["To"] == "ruth@example.org"
    assert message["Subject"] == subject
    assert message["From"] == "prayerboard@localhost"  # no public address set in the tests
    assert mailbox.envelopes[0] == ("prayerboard@localhost", ["ruth@example.org"])
    assert message["Date"] and message["Message-ID"].endswith("@localhost>")
    assert text_of(message).strip() == text
    html = text_of(message, "html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert f'<a href="{server.url}/p/abc?x=1&amp;y=2">' in html
    # Only the board's own links are made clickable: any other address stays text.
    assert "https://evil.example/reset" in html and 'href="https://evil.example' not in html
    assert wait_until(lambda: status_of(subject)["status"] == "sent", what="the message marked sent")
    assert status_of(subject)["attempts"] == 1


def test_while_the_smtp_server_is_down_nothing_is_lost_and_when_it_returns_each_message_goes_once(
    server: Server, mailbox: Mailbox
) -> None:
    mailbox.stop()
    try:
        put({"subject": "First while down"}, {"subject": "Second while down"})
        wait_until(
            lambda: all(status_of(s)["attempts"] >= 2 for s in ("First while down", "Second while down")),
            what="two failed attempts at each message",
        )
        for subject in ("First while down", "Second while down"):
            assert status_of(subject)["status"] == "waiting"
            assert status_of(subject)["last_error"]
        assert mailbox.messages == []
    finally:
        mailbox.start()

    mailbox.wait_for(2)
    wait_until(
        lambda: scalar("SELECT COUNT(*) FROM outbox WHERE status = 'sent'") == 2, what="both messages marked sent"
    )
    assert subjects(mailbox) == ["First while down", "Second while down"]


def test_two_app_processes_on_one_outbox_send_each_message_once(server: Server, mailbox: Mailbox) -> None:
    expected = [f"Message {n:02d}" for n in range(40)]
    second = Server()
    try:
        put(*({"subject": subject} for subject in expected))
        mailbox.wait_for(len(expected))
        wait_until(
            lambda: scalar("SELECT COUNT(*) FROM outbox WHERE status = 'sent'") == len(expected),
            what="every message marked sent",
        )
    finally:
        second.stop()
    assert subjects(mailbox) == expected
    assert scalar("SELECT MAX(attempts) FROM outbox") == 1


def test_a_message_about_a_post_hidden_narrowed_or_made_anonymous_since_is_not_sent(
    server: Server, author: Any, mailbox: Mailbox
) -> None:
    posts = {name: row_id(author.create_post(title=name)) for name in ("narrowed", "anonymised", "hidden", "widened")}
    team_post = row_id(author.create_post(title="team", visibility="team"))
    query("UPDATE post SET visibility = 'members' WHERE id = ?", posts["narrowed"])
    query("UPDATE post SET anonymous = ? WHERE id = ?", True, posts["anonymised"])
    query("UPDATE post SET moderation = 'hidden' WHERE id = ?", posts["hidden"])
    put(
        {"subject": "About narrowed", "post": posts["narrowed"], "visibility": "public"},
        {"subject": "About anonymised", "post": posts["anonymised"], "visibility": "public"},
        {"subject": "About hidden", "post": posts["hidden"], "visibility": "public"},
        {"subject": "About widened", "post": posts["widened"], "visibility": "members"},
        {"subject": "About team", "post": team_post, "visibility": "team"},
    )

    mailbox.wait_for(2)
    wait_until(
        lambda: scalar("SELECT COUNT(*) FROM outbox WHERE status = 'waiting'") == 0, what="every message handled"
    )
    assert subjects(mailbox) == ["About team", "About widened"]
    for name in ("narrowed", "anonymised", "hidden"):
        assert status_of(f"About {name}")["status"] == "skipped"


def test_without_an_smtp_server_the_worker_writes_each_message_as_a_private_eml_file_and_logs_where(
    tmp_path: Path, migrated_database: str
) -> None:
    data_dir = tmp_path / "board"
    database = data_dir / "board.sqlite3"
    env = {
        **os.environ,
        "PRAYERBOARD_DATA_DIR": str(data_dir),
        "PRAYERBOARD_DATABASE_URL": f"sqlite:///{database}",
        "PRAYERBOARD_SMTP_URL": "",
    }
    assert run_cli("migrate", env=env).returncode == 0

    def local(sql: str, *args: Any) -> list[Any]:
        with sqlite3.connect(database) as connection:
            return connection.execute(sql, args).fetchall()

    put({"subject": "Kept on disk", "text": "A message for a local install."}, run=local)
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "prayerboard", "worker"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_until(lambda: local("SELECT status FROM outbox")[0][0] == "sent", what="the message written")
        finally:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=20) == 0

    [written] = (data_dir / "mail").glob("*.eml")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE((data_dir / "mail").stat().st_mode) == 0o700
    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["Subject"] == "Kept on disk"
    output = log_path.read_text()
    assert str(written) in output and "A message for a local install" not in output
    assert "prayerboard worker: stopped." in output


def test_a_bad_smtp_address_is_refused_at_start_in_one_line_that_never_shows_the_password(
    migrated_database: str,
) -> None:
    for bad in ("smtp://board:hunter2@mail.example.org:notaport", "imap://board:hunter2@mail.example.org"):
        result = run_cli("worker", env={"PRAYERBOARD_SMTP_URL": bad})
        assert result.returncode == 2
        assert result.stderr.strip().count("\n") == 0
        assert "PRAYERBOARD_SMTP_URL must look like" in result.stderr and "hunter2" not in result.stderr


def test_an_address_that_is_not_one_plain_mailbox_is_given_up_and_the_rest_of_its_batch_goes_once(
    server: Server, mailbox: Mailbox
) -> None:
    # Written straight to the outbox, as an address stored before registration refused such
    # addresses would be: one SMTP cannot carry, and two that parse into a bare local mailbox.
    poison = ['x"y"@c.org', "root,eve@evil.org", "postmaster>eve@evil.org"]
    mark = server.log_size()
    put(
        {"subject": "Before", "to": "ruth@example.org"},
        *({"subject": f"Poison {n}", "to": to} for n, to in enumerate(poison)),
        {"subject": "After", "to": "naomi@example.org"},
    )
    mailbox.wait_for(2)
    wait_until(
        lambda: scalar("SELECT COUNT(*) FROM outbox WHERE status <> 'waiting'") == 5, what="every message settled"
    )
    for n in range(len(poison)):
        assert status_of(f"Poison {n}") == {
            "status": "failed",
            "attempts": 1,
            "last_error": "the address is not one plain mailbox",
        }
    assert status_of("Before")["status"] == status_of("After")["status"] == "sent"
    assert sorted(mailbox.envelopes) == [
        ("prayerboard@localhost", ["naomi@example.org"]),
        ("prayerboard@localhost", ["ruth@example.org"]),
    ]
    # The sender is still running: the next message goes as usual.
    put({"subject": "Later", "to": "ruth@example.org"})
    mailbox.wait_for(3)
    assert subjects(mailbox) == ["After", "Before", "Later"]
    log = server.log_since(mark)
    assert "Traceback" not in log and "evil.org" not in log


def test_an_error_nobody_foresaw_in_one_message_is_counted_against_it_and_the_rest_of_its_batch_goes(
    server: Server, author: Any, mailbox: Mailbox
) -> None:
    post = row_id(author.create_post(title="damaged"))
    query("UPDATE post SET visibility = 'no such audience' WHERE id = ?", post)  # a row no code expects
    mark = server.log_size()
    put(
        {"subject": "Before", "to": "ruth@example.org"},
        {"subject": "About damaged", "post": post, "visibility": "public"},
        {"subject": "After", "to": "naomi@example.org"},
    )
    mailbox.wait_for(2)
    wait_until(lambda: status_of("About damaged")["attempts"] >= 1, what="the failed attempt counted")
    wait_until(
        lambda: scalar("SELECT COUNT(*) FROM outbox WHERE status = 'sent'") == 2, what="the good messages marked sent"
    )
    damaged = status_of("About damaged")
    assert damaged["status"] in {"waiting", "failed"} and damaged["last_error"] == "ValueError (see the log)"
    assert status_of("Before")["status"] == status_of("After")["status"] == "sent"
    assert "could not be sent; counted as a failed attempt" in server.log_since(mark)
    put({"subject": "Later", "to": "ruth@example.org"})
    mailbox.wait_for(3)
    assert subjects(mailbox) == ["After", "Before", "Later"]
