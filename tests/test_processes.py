"""Several app processes on one database share sessions and sign-in throttling."""

from __future__ import annotations

import os
import socket

import pytest

from conftest import SESSION_COOKIE, Browser, Server

REDIS_URL = os.environ.get("PRAYERBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def two_servers(request, migrated_database):
    env = getattr(request, "param", None) or {}
    servers = [Server(env=env), Server(env=env)]
    yield servers
    for running in servers:
        running.stop()


def _move(browser: Browser, server: Server) -> Browser:
    """The same person (same cookies) talking to another process."""
    moved = Browser(server.url)
    for cookie in browser.client.cookies.jar:
        moved.client.cookies.set(cookie.name, cookie.value, domain="127.0.0.1")
    return moved


def _check_shared_state(servers: list[Server]) -> None:
    first, second = servers
    alice = Browser(first.url)
    assert alice.register("alice").status_code == 303
    on_second = _move(alice, second)
    assert "Sign out" in on_second.get("/").text  # the session is known to the other process
    on_second.logout()
    replay = _move(alice, first)
    replay.client.cookies.delete(SESSION_COOKIE)
    replay.client.cookies.set(SESSION_COOKIE, alice.client.cookies[SESSION_COOKIE], domain="127.0.0.1")
    assert "Sign out" not in replay.get("/").text  # signed out everywhere
    # Failed sign-ins counted by one process block the account on the other.
    for index in range(5):
        target = Browser((first if index % 2 else second).url)
        assert target.login("alice", "wrong password!").status_code == 422
    assert Browser(first.url).login("alice").status_code == 429
    assert Browser(second.url).login("alice").status_code == 429


def test_processes_share_sessions_and_throttling_through_the_database(two_servers):
    _check_shared_state(two_servers)


@pytest.mark.skipif(not _redis_reachable(), reason="Redis is not answering on 127.0.0.1:6379")
@pytest.mark.parametrize("two_servers", [{"PRAYERBOARD_REDIS_URL": REDIS_URL}], indirect=True)
def test_processes_share_sessions_and_throttling_through_redis(two_servers):
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter("prayerboard*"):
        client.delete(key)
    _check_shared_state(two_servers)
    from prayerboard.services.accounts import counter_key

    # Five failures and the two refused attempts: each attempt counts before its password is checked.
    assert client.get(f"prayerboard:counter:{counter_key('login:account', 'alice')}") == b"7"


def test_expired_sessions_and_counters_are_dropped_when_a_process_starts(migrated_database):
    from conftest import query, scalar

    query("INSERT INTO key_value (key, value, expires_at) VALUES (?, ?, ?)", "prayerboard:sessions:old", b"{}", 1)
    query("INSERT INTO key_value (key, value, expires_at) VALUES (?, ?, ?)", "prayerboard:sessions:live", b"{}", 2**40)
    query("INSERT INTO counter (key, count, window_ends_at) VALUES (?, ?, ?)", "login:address:gone", 3, 1)
    running = Server()
    try:
        assert scalar("SELECT count(*) FROM key_value WHERE key = ?", "prayerboard:sessions:old") == 0
        assert scalar("SELECT count(*) FROM key_value WHERE key = ?", "prayerboard:sessions:live") == 1
        assert scalar("SELECT count(*) FROM counter") == 0
    finally:
        running.stop()
