"""The pieces the tests and the benchmark share: a real server process, and a person's browser.

``tests/conftest.py`` builds its fixtures on these, and ``bench/run.py`` imports this module
(it puts ``tests/`` on its path), so starting the app, signing up and sending a form with its
CSRF token are written once. Nothing here knows about pytest or about a particular database.
"""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
CSRF_COOKIE = "prayerboard_csrf"
SESSION_COOKIE = "prayerboard_session"
PASSWORD = "a gentle password 42"
SERVER_START_TIMEOUT_S = 60
HTTP_TIMEOUT_S = 30


_tls: ssl.SSLContext | None = None


def _tls_context() -> ssl.SSLContext:
    """One TLS context for every client: building one costs ~25 ms of CPU, and every address
    here is plain HTTP, so a test that opens four browsers need not pay for four."""
    global _tls
    if _tls is None:
        _tls = ssl.create_default_context()
    return _tls


class ServerError(RuntimeError):
    """The server did not start, or exited while it was being waited for; the message has its log."""


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Server:
    """A ``prayerboard run`` process on a free loopback port; its output is kept in ``log_path``.

    ``env`` is the whole environment of the process (the database, the data directory and the
    settings are all read from it). The constructor returns once ``/readyz`` answers 200.
    """

    def __init__(
        self,
        env: Mapping[str, str],
        log_path: Path,
        workers: int = 1,
        port: int | None = None,
        start_timeout: float = SERVER_START_TIMEOUT_S,
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log_path = log_path
        self._log: IO[str] = open(log_path, "w")  # noqa: SIM115 - held open for the server's lifetime
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "prayerboard",
                "run",
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=dict(env),
            cwd=ROOT,
        )
        try:
            self._wait_until_ready(start_timeout)
        except ServerError:
            self.stop()
            raise

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.url, timeout=1, verify=_tls_context()) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise ServerError(f"the server exited early:\n{self.log()}")
                try:
                    if client.get("/readyz").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)  # polling for start-up, not timing behaviour
        raise ServerError(f"the server did not start in {timeout:.0f} s:\n{self.log()}")

    def log(self) -> str:
        """Everything the server has printed so far."""
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def log_size(self) -> int:
        """How many bytes the server has printed so far: a mark for ``log_since``."""
        if not self._log.closed:
            self._log.flush()
        return self.log_path.stat().st_size

    def log_since(self, mark: int) -> str:
        """What the server printed after ``log_size()`` returned ``mark``."""
        if not self._log.closed:
            self._log.flush()
        with open(self.log_path, "rb") as log:
            log.seek(mark)
            return log.read().decode(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


def server_environment(data_dir: Path, database_url: str | None, **settings: str) -> dict[str, str]:
    """This process's environment for a server on ``data_dir`` and ``database_url`` (SQLite in
    ``data_dir`` when None), without a shared store unless ``settings`` names one."""
    env = {k: v for k, v in os.environ.items() if k not in ("PRAYERBOARD_DATABASE_URL", "PRAYERBOARD_REDIS_URL")}
    env["PRAYERBOARD_DATA_DIR"] = str(data_dir)
    if database_url:
        env["PRAYERBOARD_DATABASE_URL"] = database_url
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.update(settings)
    return env


class Browser:
    """One person's HTTP client: keeps cookies and sends the CSRF token with every form."""

    def __init__(self, base_url: str, timeout: float = HTTP_TIMEOUT_S) -> None:
        self.client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=timeout, verify=_tls_context())
        self.username: str | None = None

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, **kwargs)

    def set_cookie(self, name: str, value: str) -> None:
        """Replace a cookie, as an attacker replaying or planting one would."""
        self.client.cookies.delete(name)
        self.client.cookies.set(name, value, domain=HOST)

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

    def cookie_header(self) -> str:
        """The session and CSRF cookies as one ``Cookie`` header, for clients that are not this one."""
        return "; ".join(
            f"{name}={self.client.cookies[name]}"
            for name in (SESSION_COOKIE, CSRF_COOKIE)
            if name in self.client.cookies
        )

    def close(self) -> None:
        self.client.close()
