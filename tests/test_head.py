"""``HEAD`` is answered wherever ``GET`` is: uptime monitors and link checkers send it.

``app.Board`` serves a ``HEAD`` as the ``GET`` it stands for and drops the body, so the status
and the headers, ``Content-Length`` among them, are the ones a ``GET`` gets. The visitor's and a
member's sweep of the route table is in ``tests/test_bad_input.py``; this file sweeps it as an
admin (every moderator and admin page) and checks what a monitor reads on the wire.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from conftest import query
from test_bad_input import fill, route_table, world  # noqa: F401 - world is the fixture with real path values

# Answers whose bytes do not change from one request to the next, for a signed-out visitor.
STEADY_PATHS = ("/healthz", "/readyz", "/static/site.css", "/no-such-page", "/api/v1/posts")


def test_head_answers_every_get_route_for_an_admin_as_get_does(world, new_browser):  # noqa: F811
    admin = new_browser()
    assert admin.register("keeper", "Anna Keeper").status_code == 303
    query("UPDATE member SET role = 'admin' WHERE username = 'keeper'")
    gets = [path for method, path in route_table() if method == "GET"]
    assert "/mod" in gets and "/admin/settings" in gets and "/static/{file_path:path}" in gets
    for path in gets:
        url = fill(path, world)
        got, head = admin.get(url), admin.client.head(url)
        assert head.status_code == got.status_code, (url, head.status_code, got.status_code)
        assert head.content == b"", url
        assert head.headers.get("content-type") == got.headers.get("content-type"), url
        assert head.headers.get("location") == got.headers.get("location"), url
        # A HEAD says how long the GET's body is, as the GET itself does.
        assert ("content-length" in head.headers) == ("content-length" in got.headers), url


def test_head_gives_the_length_and_validators_that_get_gives(visitor):
    for path in STEADY_PATHS:
        got, head = visitor.get(path), visitor.client.head(path)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        assert head.headers["content-length"] == str(len(got.content)), path
    css_get, css_head = visitor.get("/static/site.css"), visitor.client.head("/static/site.css")
    assert css_head.headers["etag"] == css_get.headers["etag"]
    assert css_head.headers["last-modified"] == css_get.headers["last-modified"]


def _read_all(connection: socket.socket) -> bytes:
    data = b""
    while chunk := connection.recv(65536):
        data += chunk
    return data


def test_head_sends_no_body_bytes_on_a_kept_alive_connection(server):
    """A monitor that keeps its connection open reads the next answer right after the headers."""
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(
            b"HEAD /static/site.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        answer = _read_all(connection)
    head_headers, rest = answer.split(b"\r\n\r\n", 1)
    assert head_headers.startswith(b"HTTP/1.1 200 ")
    assert b"content-length: 0" not in head_headers.lower()  # the stylesheet's own length
    assert rest.startswith(b"HTTP/1.1 200 "), rest[:80]
    healthz_headers, healthz_body = rest.split(b"\r\n\r\n", 1)
    assert healthz_body == b"ok"
    assert answer.count(b"HTTP/1.1 ") == 2
