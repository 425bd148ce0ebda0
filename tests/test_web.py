"""The web contract's edges: health, error pages, security headers, hostile input."""

from __future__ import annotations

import html
import re
import unicodedata

import pytest

from conftest import scalar

GOOD_POST = {"kind": "request", "title": "Title", "body": "Body", "category": "Other", "visibility": "public"}


def test_healthz_answers_without_the_database(visitor):
    response = visitor.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok"


def test_readyz_checks_the_database(visitor):
    response = visitor.get("/readyz")
    assert response.status_code == 200


def test_pages_send_security_headers(visitor):
    headers = visitor.get("/").headers
    csp = headers["content-security-policy"]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(author, visitor):
    post_id = author.create_post()
    for browser, path in (
        (visitor, "/"),
        (visitor, f"/posts/{post_id}"),
        (author, "/posts/new"),
        (visitor, "/login"),
        (visitor, "/register"),
        (visitor, "/posts/999999"),
    ):
        html = browser.get(path).text
        assert "<script>" not in html and "<style" not in html and " style=" not in html
        assert " onclick=" not in html and " onsubmit=" not in html


def test_signed_in_pages_are_never_cached(author):
    assert author.get("/").headers["cache-control"] == "private, no-store"


@pytest.mark.parametrize(
    ("method", "path", "status", "text"),
    [
        ("GET", "/no/such/page", 404, "We couldn&#39;t find that page"),
        ("PUT", "/posts", 405, "That action isn"),
        ("DELETE", "/", 405, "That action isn"),
    ],
)
def test_error_pages_use_the_site_layout(visitor, method, path, status, text):
    response = visitor.client.request(method, path)
    assert response.status_code == status
    assert text in response.text
    assert 'class="site-header"' in response.text
    assert "<title>" in response.text


def test_api_errors_are_json(visitor):
    response = visitor.get("/api/v1/posts/999999")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["status_code"] == 404


def test_huge_request_body_is_refused_with_413(author):
    response = author.post("/posts", {**GOOD_POST, "body": "x" * 400_000})
    assert response.status_code == 413
    assert "larger than the board accepts" in response.text
    assert scalar("SELECT count(*) FROM post") == 0


def test_nul_bytes_are_removed_not_a_crash(author):
    post_id = author.create_post(title="Hello\x00 world", body="Line\x00one")
    row = scalar("SELECT title FROM post WHERE public_id = ?", post_id)
    assert row == "Hello world"


def test_nul_bytes_in_username_do_not_crash_sign_in(visitor):
    response = visitor.login("ab\x00cd", "password\x00here")
    assert response.status_code == 422
    assert "That username and password do not match." in response.text


@pytest.mark.parametrize(
    "title",
    [
        "🙏 Praying for Ana 🙏",
        "Zalgo: T̷̢̛̖̫̈́e̵͈̓s̶̨̈t̴̰͝",
        "RTL: صلوا من أجل عائلتي",
        "Combining: e\u0301 and \u00e9",
        "Astral: 𝔓𝔯𝔞𝔶𝔢𝔯",
    ],
)
def test_odd_unicode_is_stored_and_shown(author, visitor, title):
    post_id = author.create_post(title=title)
    # Stored as typed, only NFC-normalised (so "e" + combining acute is the one character "é").
    expected = unicodedata.normalize("NFC", title)
    assert scalar("SELECT title FROM post WHERE public_id = ?", post_id) == expected
    page = visitor.get(f"/posts/{post_id}")
    assert page.status_code == 200
    assert html.escape(expected, quote=False) in page.text
    assert html.escape(expected, quote=False) in visitor.get("/").text


def test_bidi_override_characters_are_removed_from_titles(author):
    post_id = author.create_post(title="abc\u202edef")
    assert scalar("SELECT title FROM post WHERE public_id = ?", post_id) == "abcdef"


def test_repeated_fields_and_unknown_fields_are_harmless(author):
    response = author.post("/posts", {**GOOD_POST, "surprise": "field", "kind": ["request", "testimony"]})
    # The last value of a repeated field wins; an unknown field is ignored.
    assert response.status_code == 303
    post_id = response.headers["location"].rsplit("/", 1)[1]
    assert scalar("SELECT kind FROM post WHERE public_id = ?", post_id) == "testimony"


def test_multipart_form_is_accepted_like_a_urlencoded_one(author):
    token = author.csrf_token()
    response = author.client.post(
        "/posts", files={"_csrf_token": (None, token), **{k: (None, v) for k, v in GOOD_POST.items()}}
    )
    assert response.status_code == 303


def test_json_body_to_a_form_endpoint_is_a_clear_4xx(author):
    response = author.client.post("/posts", json=GOOD_POST, headers={"x-csrftoken": author.csrf_token()})
    # Read as an empty form: the form comes back asking for what is missing, and nothing is posted.
    assert response.status_code == 422
    assert 'id="title-error"' in response.text
    assert scalar("SELECT count(*) FROM post") == 0


def test_malformed_form_encoding_is_a_clear_4xx(author):
    response = author.client.post(
        "/posts",
        content=b"title=%ZZ%&body=\xff\xfe&kind=request&_csrf_token=" + author.csrf_token().encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert "That request could not be understood" in response.text
    assert scalar("SELECT count(*) FROM post") == 0


def test_unexpected_exception_is_a_500_page_and_logged_with_traceback(migrated_database):
    import logging

    from litestar import get
    from litestar.testing import TestClient

    from prayerboard.app import create_app

    @get("/boom")
    async def boom() -> str:
        raise RuntimeError("the roof fell in")

    class Collect(logging.Handler):
        records: list[logging.LogRecord] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.records.append(record)

    handler = Collect(level=logging.ERROR)
    logging.getLogger("prayerboard").addHandler(handler)
    app = create_app()
    app.register(boom)
    try:
        with TestClient(app) as client:
            response = client.get("/boom")
    finally:
        logging.getLogger("prayerboard").removeHandler(handler)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert 'class="site-header"' in response.text
    assert "the roof fell in" not in response.text
    assert any(
        "unhandled error on GET /boom" in record.getMessage()
        and record.exc_info
        and "the roof fell in" in str(record.exc_info[1])
        for record in handler.records
    )


def test_every_form_that_posts_carries_a_csrf_token(author, member):
    post_id = author.create_post()
    member.post(f"/posts/{post_id}/replies", {"body": "With you"})
    reply_id = scalar("SELECT public_id FROM reply")
    pages = [
        (author, "/"),
        (author, f"/posts/{post_id}"),
        (author, "/posts/new"),
        (author, f"/posts/{post_id}/edit"),
        (member, f"/posts/{post_id}"),
        (member, f"/posts/{post_id}/replies/{reply_id}/edit"),
    ]
    for browser, path in pages:
        html = browser.get(path).text
        forms = re.findall(r'<form method="post".*?</form>', html, re.S)
        assert forms, path
        for form in forms:
            token = re.search(r'name="_csrf_token" value="([^"]+)"', form)
            assert token and len(token.group(1)) > 20, (path, form[:200])


def test_a_report_is_thanked_once_after_the_redirect(author, member):
    post_id = author.create_post()
    response = member.post(f"/posts/{post_id}/flag", {"reason": "spam"})
    assert response.status_code == 303 and response.headers["location"] == f"/posts/{post_id}"
    thanks = "Thank you. A moderator will look at your report."
    assert member.get(f"/posts/{post_id}").text.count(thanks) == 1
    assert thanks not in member.get(f"/posts/{post_id}").text  # said once, not on the next visit
    assert thanks not in author.get(f"/posts/{post_id}").text  # and only to the one who reported
