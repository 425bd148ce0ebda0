"""Faults: what the board does when its database or Redis goes away, and with half-sent requests.

Every wait here is a bound (a timeout after which the test fails), never a timing assertion.
Redis faults run against a ``redis-server`` the test starts itself on a free port, so the
machine's own Redis is never touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

import httpx
import pytest

from conftest import DATABASE_URL, ENGINE, Browser, Server, _free_port, query

# Bounds, not thresholds: each is far longer than the answer takes when things work.
ANSWER_BOUND_S = 15  # a request during a fault must be answered (by anything) within this
EXIT_BOUND_S = 30  # a process told to stop, or refusing to start, must be gone within this

on_postgres = pytest.mark.skipif(ENGINE != "postgres", reason="PostgreSQL faults need PRAYERBOARD_TEST_ENGINE=postgres")
with_redis_server = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not on PATH")


def _with_application_name(url: str, name: str) -> str:
    """The database URL with an application_name, so the test can find this server's connections."""
    parsed = urlparse(url)
    params = dict(parse_qsl(parsed.query))
    params["application_name"] = name
    return urlunparse(parsed._replace(query=urlencode(params)))


def _terminate_backends(application_name: str) -> int:
    rows = query(
        "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity "
        "WHERE datname = current_database() AND application_name = ? AND pid <> pg_backend_pid()",
        application_name,
    )
    return len(rows)


@on_postgres
def test_postgres_connections_killed_under_load_leave_the_server_working(migrated_database):
    """Backend connections are terminated several times while three clients browse and pray.

    Requests during the fault may be refused (503), never answered 500 nor left hanging; after
    it every request succeeds without a restart, and SIGTERM ends the process.
    """
    name = "prayerboard-faults"
    server = Server(env={"PRAYERBOARD_DATABASE_URL": _with_application_name(DATABASE_URL, name)})
    try:
        author = Browser(server.url)
        assert author.register("author").status_code == 303
        post_id = author.create_post()
        members = []
        for index in range(3):
            browser = Browser(server.url)
            assert browser.register(f"member{index}").status_code == 303
            members.append(browser)

        answers: list[int | str] = []
        done = threading.Condition()
        requests_per_member = 40

        def browse(browser: Browser) -> None:
            for step in range(requests_per_member):
                try:
                    if step % 3 == 0:
                        status = browser.post(f"/posts/{post_id}/pray").status_code
                    else:
                        status = browser.get(
                            "/" if step % 3 == 1 else f"/posts/{post_id}", timeout=ANSWER_BOUND_S
                        ).status_code
                except httpx.HTTPError as exc:  # a hang ends here, as a failure
                    status = type(exc).__name__
                with done:
                    answers.append(status)
                    done.notify_all()

        threads = [threading.Thread(target=browse, args=(browser,)) for browser in members]
        for thread in threads:
            thread.start()
        # Kill this server's connections each time the clients have made another ten requests.
        kills = 0
        for milestone in range(10, requests_per_member * len(members), 10):
            with done:
                done.wait_for(lambda milestone=milestone: len(answers) >= milestone, timeout=ANSWER_BOUND_S * 4)
            kills += _terminate_backends(name)
        for thread in threads:
            thread.join(timeout=ANSWER_BOUND_S * 4)
        assert not any(thread.is_alive() for thread in threads), "requests hung"
        assert kills >= 5, "the fault never happened"
        assert len(answers) == requests_per_member * len(members)
        assert set(answers) <= {200, 303, 503}, answers

        # After the fault: everything works again, in the same process.
        for browser in members:
            assert browser.get(f"/posts/{post_id}").status_code == 200
            assert browser.get("/").status_code == 200
            assert browser.post(f"/posts/{post_id}/pray").status_code == 303
        assert httpx.get(server.url + "/readyz", timeout=ANSWER_BOUND_S).status_code == 200
        assert "unhandled error" not in server.log()
    finally:
        server.process.terminate()
        try:
            server.process.wait(timeout=EXIT_BOUND_S)
        finally:
            server.stop()
    assert server.process.returncode is not None


class TcpProxy:
    """A loopback TCP proxy the test can cut, standing for a network path to the database."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.cut = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.cut.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut.is_set():
                client.close()
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if self.cut.is_set():
                return  # after the cut, bytes go nowhere: a server that no longer answers
            if not data:
                with contextlib.suppress(OSError):
                    target.shutdown(socket.SHUT_WR)  # pass the close on, as a network path does
                return
            try:
                target.sendall(data)
            except OSError:
                return

    def blackhole(self) -> None:
        """From now on nothing passes, and nothing is closed: the database stops answering."""
        self.cut.set()

    def close(self) -> None:
        self.cut.set()
        for sock in (self.listener, *self.sockets):
            with contextlib.suppress(OSError):
                sock.close()


@on_postgres
def test_readyz_answers_503_quickly_when_postgres_stops_answering(migrated_database):
    """The database's network path goes silent (a proxy that stops passing bytes, closing
    nothing): readiness says 503 within its own bound, and SIGTERM still ends the process."""
    proxy = TcpProxy(urlparse(DATABASE_URL).port or 5432)
    parsed = urlparse(DATABASE_URL)
    through_proxy = urlunparse(parsed._replace(netloc=f"{parsed.username}@127.0.0.1:{proxy.port}"))
    server = Server(env={"PRAYERBOARD_DATABASE_URL": through_proxy})
    try:
        proxy.blackhole()
        ready = httpx.get(server.url + "/readyz", timeout=ANSWER_BOUND_S)
        assert ready.status_code == 503
        assert httpx.get(server.url + "/healthz", timeout=ANSWER_BOUND_S).status_code == 200
    finally:
        server.process.terminate()
        try:
            server.process.wait(timeout=EXIT_BOUND_S)
        finally:
            server.stop()
            proxy.close()


def test_run_refuses_a_corrupt_sqlite_file_with_one_line(tmp_path):
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"this is not a database, whatever its name says" * 100)
    env = {"PRAYERBOARD_DATA_DIR": str(tmp_path / "data"), "PRAYERBOARD_DATABASE_URL": f"sqlite:///{path}"}
    for command in ("run", "migrate"):
        result = _run_bounded(command, env)
        assert result.returncode == 1
        assert result.stderr.strip().splitlines() == [
            f"prayerboard: cannot use the database at sqlite:///{path}: DatabaseError: file is not a database"
        ]


def test_run_refuses_an_unreachable_postgres_with_one_line(tmp_path):
    env = {
        "PRAYERBOARD_DATA_DIR": str(tmp_path / "data"),
        "PRAYERBOARD_DATABASE_URL": f"postgresql://board:secret@127.0.0.1:{_free_port()}/board",
    }
    for command in ("run", "migrate"):
        result = _run_bounded(command, env)
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("prayerboard: cannot use the database at postgresql://board:***@127.0.0.1:")
        assert "secret" not in result.stderr


def test_run_refuses_an_unreachable_redis_with_one_line(migrated_database, tmp_path):
    env = {"PRAYERBOARD_REDIS_URL": f"redis://127.0.0.1:{_free_port()}/0"}
    result = _run_bounded("run", env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("prayerboard: cannot use Redis at redis://127.0.0.1:"), result.stderr


def _run_bounded(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``prayerboard <command>`` that must end by itself (a hang fails at the bound)."""
    import sys

    args = [sys.executable, "-m", "prayerboard", command]
    if command == "run":
        args += ["--port", str(_free_port())]
    return subprocess.run(args, capture_output=True, text=True, env={**os.environ, **env}, timeout=EXIT_BOUND_S)


@pytest.fixture
def own_redis(tmp_path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A redis-server of this test's own on a free port (so the machine's Redis is never stopped)."""
    port = _free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + EXIT_BOUND_S
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)  # polling for start-up, not timing behaviour
    yield process, f"redis://127.0.0.1:{port}/0"
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=EXIT_BOUND_S)


@with_redis_server
def test_redis_gone_after_start_gives_503_on_readyz_and_a_calm_page(migrated_database, own_redis):
    redis_process, redis_url = own_redis
    server = Server(env={"PRAYERBOARD_REDIS_URL": redis_url})
    try:
        alice = Browser(server.url)
        assert alice.register("alice").status_code == 303
        redis_process.terminate()
        redis_process.wait(timeout=EXIT_BOUND_S)
        assert httpx.get(server.url + "/readyz", timeout=ANSWER_BOUND_S).status_code == 503
        page = alice.get("/")
        assert page.status_code == 503
        assert "The board is resting for a moment" in page.text and "<html" in page.text.lower()
        assert "unhandled error" not in server.log()
    finally:
        server.stop()


@with_redis_server
def test_a_session_store_that_cannot_write_gives_a_calm_page(migrated_database, own_redis):
    """The session store runs out of room: Redis at its memory limit (``maxmemory`` with the
    ``noeviction`` policy) refuses every write while reads still work, as a full disk does.
    Signing in must write a session, so it is refused with the site's 503 page, not a bare 500."""
    import redis

    _, redis_url = own_redis
    server = Server(env={"PRAYERBOARD_REDIS_URL": redis_url})
    try:
        alice = Browser(server.url)
        assert alice.register("alice").status_code == 303
        assert alice.logout().status_code == 303
        alice.csrf_token()
        client = redis.Redis.from_url(redis_url)
        client.config_set("maxmemory-policy", "noeviction")
        client.config_set("maxmemory", 1)
        answer = alice.login("alice")
        assert answer.status_code == 503
        assert "The board is resting for a moment" in answer.text and "<html" in answer.text.lower()
        assert "unhandled error" not in server.log()
    finally:
        server.stop()


def test_a_half_sent_request_is_closed_by_the_server(server):
    """A client sends part of a request's headers and goes quiet: the server hangs up."""
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        sock.settimeout(ANSWER_BOUND_S * 2)  # the bound: well past the server's own timeout
        try:
            data = sock.recv(1024)
        except ConnectionResetError:
            data = b""
        assert data == b""  # closed, without an answer


def test_x_forwarded_for_is_not_trusted_by_default(server):
    """With no proxy configured, a caller cannot choose the address that sign-in throttling sees."""
    name = "forwarded"
    browser = Browser(server.url)
    assert browser.register(name).status_code == 303
    browser.logout()
    for index in range(5):
        spoofer = Browser(server.url)
        spoofer.client.headers["X-Forwarded-For"] = f"203.0.113.{index + 1}"
        assert spoofer.login(name, "wrong password!").status_code == 422
    # Five guesses that claimed five addresses were counted against one: the real one.
    address_counters = query("SELECT key FROM counter WHERE key LIKE ?", "login:address%")
    assert len(address_counters) == 1, address_counters
