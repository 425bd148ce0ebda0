"""Every answer a calm one: hostile input gets a 4xx, never a 500, on every route.

The targeted tests pin each kind of input that once answered 500 (or was stored wrongly); the
corpus at the end walks the route table and sends every route a set of hostile inputs, as a
visitor and as a signed-in member. The conftest fixture also fails a test whenever the server
logged "unhandled error".
"""

from __future__ import annotations

import io
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from conftest import CSRF_COOKIE, SESSION_COOKIE, Browser, Server, query, scalar

GOOD_POST = {"kind": "request", "title": "Title", "body": "Body", "category": "Other", "visibility": "public"}
NON_ASCII_TOKEN = "é" * 150  # long enough to reach the token's signature check
NON_ASCII_HEADER = NON_ASCII_TOKEN.encode()  # as a browser would send it: UTF-8 bytes
SECURITY_HEADERS = (
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
    "permissions-policy",
)


def multipart(fields: dict[str, Any], boundary: str = "b0undary") -> dict[str, Any]:
    """A multipart body written by hand, so parts can be files or invalid UTF-8 (bytes)."""
    body = b""
    for name, value in fields.items():
        disposition = f'form-data; name="{name}"'
        if isinstance(value, tuple):  # (filename, content): a file part
            disposition += f'; filename="{value[0]}"'
            value = value[1]
        data = value if isinstance(value, bytes) else str(value).encode()
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return {"content": body, "headers": {"content-type": f"multipart/form-data; boundary={boundary}"}}


# ---------------------------------------------------------------------------------------------
# CSRF tokens that are not ASCII


@pytest.mark.parametrize("where", ["header", "form field", "cookie", "file part"])
def test_csrf_token_that_is_not_ascii_is_refused_with_403(author, where):
    token = author.csrf_token()
    if where == "header":
        response = author.client.post("/posts", data=GOOD_POST, headers={"x-csrftoken": NON_ASCII_HEADER})
    elif where == "form field":
        response = author.client.post("/posts", data={**GOOD_POST, "_csrf_token": NON_ASCII_TOKEN})
    elif where == "cookie":
        session = author.client.cookies[SESSION_COOKIE]
        cookie = f"{SESSION_COOKIE}={session}; {CSRF_COOKIE}=".encode() + NON_ASCII_HEADER
        with httpx.Client(base_url=str(author.client.base_url)) as bare:  # no cookie jar: the header as written
            response = bare.post("/posts", data={**GOOD_POST, "_csrf_token": token}, headers={"cookie": cookie})
    else:
        response = author.client.post("/posts", **multipart({**GOOD_POST, "_csrf_token": ("t.txt", token)}))
    assert response.status_code == 403
    # The plain refusal, or (a token in the form or the cookie) the form again with its words.
    assert "This form has expired" in response.text or "This form had expired" in response.text
    assert scalar("SELECT count(*) FROM post") == 0


# ---------------------------------------------------------------------------------------------
# Static files and the log


@pytest.mark.parametrize(
    "target",
    [
        "/static/%00",
        "/static/site.css%00.js",
        "/static/site.css/..",
        "/static/site.css/%2e%2e",
        "/static/" + "a" * 300,
        "/static/%0d%0aFORGED",
    ],
)
def test_static_names_that_cannot_be_files_answer_404(visitor, target):
    response = visitor.get("/static/site.css", extensions={"target": target.encode()})
    assert response.status_code == 404
    assert "We couldn&#39;t find that page" in response.text


def test_static_files_are_still_served(visitor):
    response = visitor.get("/static/site.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")


def test_log_lines_cannot_be_forged_by_a_request():
    from prayerboard.app import escape_log_record

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(escape_log_record)
    logger = logging.getLogger("prayerboard.test_bad_input")
    logger.addHandler(handler)
    logger.propagate = False
    forged = "/x\r\nINFO admin signed in\x00\x1b[2J\u2028"
    try:
        logger.error("unhandled error on %s %s", "GET", forged)
        try:
            raise FileNotFoundError(f"no such file: {forged}")
        except FileNotFoundError:
            logger.exception("failed on %s", forged)
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines[0] == r"ERROR unhandled error on GET /x\r\nINFO admin signed in\x00\x1b[2J\u2028"
    assert not any(line.startswith("INFO") for line in lines)
    assert lines[-1].startswith("FileNotFoundError: no such file: /x\\r\\nINFO admin signed in")
    assert any(line.startswith('  File "') for line in lines)  # the traceback still reads as one


# ---------------------------------------------------------------------------------------------
# Values the database cannot hold (PostgreSQL refuses NUL in text; columns have lengths)


def test_session_cookie_with_a_nul_is_a_visitor(author):
    author.set_cookie(SESSION_COOKIE, "ab%00cd")  # a cookie value is percent-decoded: a NUL
    response = author.get("/")
    assert response.status_code == 200
    assert "Sign in" in response.text


def test_session_cookie_far_too_long_is_a_visitor(author):
    author.set_cookie(SESSION_COOKIE, "a" * 4000)
    response = author.get("/settings")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


@pytest.fixture(scope="module")
def behind_a_proxy(migrated_database: str) -> Any:
    """A server that trusts the local address as its proxy (reads X-Forwarded-For from it)."""
    running = Server(env={"PRAYERBOARD_FORWARDED_ALLOW_IPS": "127.0.0.1"})
    yield running
    running.stop()


def test_forwarded_address_that_is_not_an_address_answers_calmly(behind_a_proxy):
    long_address = "a" * 300
    with httpx.Client(base_url=behind_a_proxy.url, headers={"x-forwarded-for": long_address}) as client:
        browser = Browser(behind_a_proxy.url)
        browser.client = client
        assert browser.register("faraway").status_code == 303
        browser.logout()
        assert browser.login("faraway", "not the password at all").status_code == 422
        assert browser.login("faraway").status_code == 303
    assert "unhandled error" not in behind_a_proxy.log()


# ---------------------------------------------------------------------------------------------
# Forms: text only, valid UTF-8 only


def test_file_part_in_a_form_is_refused_not_stored(author):
    form = {**GOOD_POST, "body": ("t.txt", b"my secret file"), "_csrf_token": author.csrf_token()}
    response = author.client.post("/posts", **multipart(form))
    assert response.status_code == 400
    assert "Part of what was sent could not be read." in response.text
    assert "my secret file" not in response.text
    assert scalar("SELECT count(*) FROM post") == 0


def test_multipart_form_of_plain_fields_still_works(author):
    response = author.client.post("/posts", **multipart({**GOOD_POST, "_csrf_token": author.csrf_token()}))
    assert response.status_code == 303
    assert scalar("SELECT title FROM post") == "Title"


def test_invalid_utf8_in_a_urlencoded_form_is_refused_not_stored(author):
    body = f"kind=request&title=Caf%E9&body=Body&category=Other&visibility=public&_csrf_token={author.csrf_token()}"
    response = author.client.post(
        "/posts", content=body.encode(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 400
    assert "Part of what was sent could not be read." in response.text
    assert scalar("SELECT count(*) FROM post") == 0


@pytest.mark.parametrize("csrf_in_header", [False, True])
def test_invalid_utf8_in_a_multipart_form_is_refused_not_stored(author, csrf_in_header):
    token = author.csrf_token()
    form = {**GOOD_POST, "title": b"Caf\xe9", **({} if csrf_in_header else {"_csrf_token": token})}
    request = multipart(form)
    if csrf_in_header:
        request["headers"]["x-csrftoken"] = token
    response = author.client.post("/posts", **request)
    assert response.status_code == 400
    assert "Part of what was sent could not be read." in response.text
    assert scalar("SELECT count(*) FROM post") == 0


def test_valid_utf8_in_a_form_is_kept(author, visitor):
    post_id = author.create_post(title="Café für Zoë ✝")
    assert scalar("SELECT title FROM post WHERE public_id = ?", post_id) == "Café für Zoë ✝"
    assert '<h1 id="post-title">Café für Zoë ✝</h1>' in visitor.get(f"/posts/{post_id}").text


# ---------------------------------------------------------------------------------------------
# Error pages carry the security headers


def _assert_security_headers(response: httpx.Response) -> None:
    for name in SECURITY_HEADERS:
        assert name in response.headers, (response.status_code, response.request.url, name)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_error_pages_carry_the_security_headers(author, visitor):
    answers = {
        404: visitor.get("/no/such/page"),
        405: visitor.client.delete("/"),
        403: visitor.post("/logout", csrf=False),
        413: author.post("/posts", {**GOOD_POST, "body": "x" * 400_000}),
        400: author.client.post(
            "/posts",
            content=b"title=%FF&_csrf_token=" + author.csrf_token().encode(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
        "static 404": visitor.get("/static/nothing-here.css"),
        "api 404": visitor.get("/api/v1/posts/nothing"),
    }
    for _ in range(10):
        answers[429] = visitor.login("author", "a wrong password")
    assert answers[429].status_code == 429
    for key, response in answers.items():
        assert key in (response.status_code, "static 404", "api 404"), (key, response.status_code)
        _assert_security_headers(response)


def test_members_only_answers_carry_the_security_headers(new_browser, visitor):
    admin = new_browser()
    assert admin.register("keeper").status_code == 303
    query("UPDATE member SET role = 'admin' WHERE username = 'keeper'")
    assert admin.post("/admin/settings", {"join_policy": "open", "members_only": "on"}).status_code == 303
    page, api = visitor.get("/"), visitor.get("/api/v1/posts")
    assert page.status_code == 303 and api.status_code == 401
    _assert_security_headers(page)
    _assert_security_headers(api)


# ---------------------------------------------------------------------------------------------
# The route table: HEAD wherever GET, and the bad-input corpus


def route_table() -> list[tuple[str, str]]:
    """(method, path template) for every route of the app, OPTIONS and HEAD left out."""
    from prayerboard.app import create_app

    found = set()
    for route in create_app().routes:
        for handler in route.route_handlers:
            found.update((method, route.path) for method in handler.http_methods if method not in ("OPTIONS", "HEAD"))
    # Signing out and deleting the account last, so the member stays a member for the rest.
    return sorted(found, key=lambda mp: (mp[1] in ("/logout", "/settings/delete"), mp))


PARAMETER = re.compile(r"\{(\w+):\w+\}")


def fill(path: str, values: dict[str, str], default: str | None = None) -> str:
    return PARAMETER.sub(lambda m: default if default is not None else values[m.group(1)], path)


@pytest.fixture
def world(author, member) -> dict[str, str]:
    """Real values for every path parameter: a post, a reply, a member, a page of the schema."""
    post_id = author.create_post()
    assert member.post(f"/posts/{post_id}/replies", {"body": "Praying with you."}).status_code == 303
    return {
        "post_id": post_id,
        "reply_id": scalar("SELECT public_id FROM reply"),
        "target_kind": "posts",
        "target_id": post_id,
        "action": "hide",
        "member_id": str(scalar("SELECT id FROM member WHERE username = 'member'")),
        "word_id": "1",
        "username": "author",
        "path": "openapi.json",
        "file_path": "site.css",
        "token": "1.1.not-a-signature",
        "number": "1",  # a notification
    }


def test_head_is_answered_wherever_get_is(world, visitor, author):
    gets = [path for method, path in route_table() if method == "GET"]
    assert "/" in gets and "/posts/{post_id:str}" in gets
    for browser in (visitor, author):
        for path in gets:
            url = fill(path, world)
            got, head = browser.get(url), browser.client.head(url)
            assert head.status_code == got.status_code, (url, head.status_code, got.status_code)
            assert head.content == b"", url
            assert head.headers.get("content-type") == got.headers.get("content-type"), url
            for name in (*SECURITY_HEADERS, "cache-control", "location"):
                assert head.headers.get(name) == got.headers.get(name), (url, name)


# Values that once broke, or commonly break, web apps: NULs and control characters, over-long
# and huge values, invalid UTF-8, lookalike and right-to-left text, numbers out of range.
HOSTILE_VALUES = [
    "a\x00b",
    "\r\nSet-Cookie: x=1",
    "\x1b[31m\x07\x7f",
    "\u202etxt.exe\u200b",
    "x" * 100_000,
    "é" * 5000,
    "ß" * 200,
    "99999999999999999999999999",
    "-1",
    "1e308",
    "%FF%FE",
    "../../etc/passwd",
    "{}",
    "",
]
# Every form field the board reads, so a hostile value reaches every parser.
FIELDS = (
    "username",
    "display_name",
    "email",
    "password",
    "next",
    "kind",
    "title",
    "body",
    "category",
    "visibility",
    "anonymous",
    "reason",
    "note",
    "content",
    "role",
    "word",
    "action",
    "join_policy",
    "members_only",
    "q",
    "before",
    "invite",
    "notify_replies",
    "default_visibility",
    "confirm",
    "id",
    "token",
)
BAD_PATH_VALUES = ["0", "99999999999999999999999", "%00", "..%2F..", "%FF", "a" * 1000, "%0d%0a"]
# Litestar's own pages about the schema read no input: the document itself stands for them.
SCHEMA_PAGES = re.compile(r"^/schema/(?!openapi\.json$)")


def hostile_requests(method: str, url: str, token: str) -> list[tuple[str, dict[str, Any]]]:
    """(label, httpx keyword arguments) for each hostile input to one route."""
    csrf = {"_csrf_token": token}
    if method == "GET":
        requests = [
            (f"query {value[:20]!r}", {"params": {field: value for field in FIELDS[:12]} | {"q": value}})
            for value in HOSTILE_VALUES
            if len(value) < 500
        ]
        requests += [
            (f"long query {value[:20]!r}", {"params": {"q": value[:8000]}})
            for value in HOSTILE_VALUES
            if len(value) >= 500
        ]
        requests += [
            (
                "array query",
                {"params": [("q", "a"), ("q", "b"), ("before", "x"), ("before", "y"), ("kind", "request")] * 3},
            ),
            ("invalid utf-8 query", {"extensions": {"target": (url + "?q=%FF%FE&kind=%C0&before=%00").encode()}}),
            ("non-ascii csrf header", {"headers": {"x-csrftoken": NON_ASCII_HEADER}}),
        ]
        return requests
    requests = [
        (f"form {value[:20]!r}", {"data": {field: value for field in FIELDS} | csrf}) for value in HOSTILE_VALUES
    ]
    urlencoded = {"content-type": "application/x-www-form-urlencoded"}
    requests += [
        ("array form", {"data": {field: ["a", "b"] for field in FIELDS} | csrf}),
        (
            "invalid utf-8 form",
            {"content": b"title=%FF&body=\xff\xfe&_csrf_token=" + token.encode(), "headers": urlencoded},
        ),
        ("invalid utf-8 multipart", multipart({"title": b"\xff", "body": b"\xc0\x80", "_csrf_token": token})),
        ("file part", multipart({"title": ("t.txt", b"x"), "body": ("b.txt", b"y"), "_csrf_token": token})),
        (
            "unknown multipart charset",
            {
                "content": b'--b\r\nContent-Disposition: form-data; name="title"\r\n'
                b"Content-Type: text/plain; charset=x-nonsense\r\n\r\nhi\r\n--b--\r\n",
                "headers": {"content-type": "multipart/form-data; boundary=b", "x-csrftoken": token},
            },
        ),
        (
            "multipart without boundary",
            {"content": b"x", "headers": {"content-type": "multipart/form-data", "x-csrftoken": token}},
        ),
        (
            "broken multipart",
            {
                "content": b"--b\r\ngarbage",
                "headers": {"content-type": "multipart/form-data; boundary=b", "x-csrftoken": token},
            },
        ),
        ("json body", {"json": {field: [1, {"a": None}] for field in FIELDS}, "headers": {"x-csrftoken": token}}),
        ("text body", {"content": b"\x00\xff" * 10, "headers": {"content-type": "text/plain", "x-csrftoken": token}}),
        ("oversize body", {"data": {"body": "x" * 300_000} | csrf}),
        ("non-ascii csrf form field", {"data": {"title": "t", "_csrf_token": NON_ASCII_TOKEN}}),
        ("non-ascii csrf header", {"data": {"title": "t"}, "headers": {"x-csrftoken": NON_ASCII_HEADER}}),
    ]
    return requests


def test_bad_input_corpus_never_answers_500(world, visitor, member):
    failures: list[tuple[Any, ...]] = []
    sent = 0  # counted from several threads: near enough for the floor checked below

    def send(browser: Browser, method: str, url: str, label: str, kwargs: dict[str, Any]) -> None:
        nonlocal sent
        sent += 1
        try:
            response = browser.client.request(method, url, **kwargs)
        except httpx.RemoteProtocolError as exc:  # the server dropped the connection: as bad as a 500
            failures.append((method, url[:80], label, repr(exc)))
            return
        if response.status_code >= 500:
            failures.append((method, url[:80], label, response.status_code))

    def walk(browser: Browser, method: str, path: str) -> None:
        token = browser.csrf_token()
        url = fill(path, world)
        for label, kwargs in hostile_requests(method, url, token):
            send(browser, method, url, label, kwargs)
        if PARAMETER.search(path):
            extra = {} if method == "GET" else {"data": {"reason": "spam", "body": "b", "_csrf_token": token}}
            for value in BAD_PATH_VALUES:
                bad_url = fill(path, world, default=value)
                send(browser, method, url, f"path {value[:20]}", {**extra, "extensions": {"target": bad_url.encode()}})

    for browser in (visitor, member):
        browser.csrf_token()
    routes = [(method, path) for method, path in route_table() if not SCHEMA_PAGES.match(path)]
    last = [route for route in routes if route[1] in ("/logout", "/settings/delete")]
    # Routes are walked a few at a time (one request per route and input is plenty); the routes
    # that could end the member's session or account come last, one by one.
    with ThreadPoolExecutor(max_workers=4) as pool:
        tasks = [(browser, *route) for browser in (visitor, member) for route in routes if route not in last]
        list(pool.map(lambda task: walk(*task), tasks))
    for browser in (visitor, member):
        for route in last:
            walk(browser, *route)
    assert scalar("SELECT count(*) FROM member WHERE username = 'member'") == 1
    assert sent > 1000
    assert not failures, failures[:20]


def test_a_client_leaving_mid_form_writes_one_escaped_line_and_no_error(server):
    """A half-sent form used to be logged as a 500 with a traceback, its path unescaped."""
    import socket

    forged = "/posts/x%0d%0a2026-11-26%2005:00:00,000%20CRITICAL%20forged%e2%80%a8/pray"
    before = len(server.log())
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            f"POST {forged} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            "Content-Length: 100\r\n\r\nbody=short".encode()
        )
    # Wait (bounded) for the server to notice the close and write its line about it.
    import time

    deadline = time.monotonic() + 10
    while "client left" not in server.log()[before:] and time.monotonic() < deadline:
        time.sleep(0.05)  # polling for the server's log line, not timing behaviour
    written = server.log()[before:]
    assert "client left while sending POST" in written
    assert "HTTP 500" not in written and "Traceback" not in written
    assert not any(line.startswith("2026-11-26 05:00:00,000 CRITICAL") for line in written.splitlines())
