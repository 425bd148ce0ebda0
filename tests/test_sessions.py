"""A session belongs to one member for good, a suspension ends it for good, and static files and
health checks never look at it.

A suspension placed through a post ("suspend the author of post N") never touches the
member's own row, so it cannot bump their session epoch; sessions remember when they were
signed in instead, and a suspension placed after that ends them even once it is lifted.
"""

from __future__ import annotations

import pytest

from conftest import SESSION_COOKIE, query, scalar


def make_moderator(new_browser):
    moderator = new_browser()
    assert moderator.register("mo").status_code == 303
    query("UPDATE member SET role = 'moderator' WHERE username = 'mo'")
    return moderator


def test_lifted_author_suspension_does_not_revive_a_session_that_slept_through_it(author, new_browser):
    address = author.create_post(title="Quiet", anonymous="on")
    moderator = make_moderator(new_browser)
    assert moderator.post(f"/mod/posts/{address}/suspend_author", {"reason": "Threats"}).status_code == 303
    restriction = scalar("SELECT id FROM author_restriction")
    lifted = moderator.post(f"/mod/posts/{address}/lift", {"restriction": restriction, "reason": "Appeal heard"})
    assert lifted.status_code == 303
    # The author made no request while suspended: their old session must still be dead.
    settings = author.get("/settings")
    assert settings.status_code == 303 and settings.headers["location"].startswith("/login")
    assert author.login("author").status_code == 303
    assert author.get("/settings").status_code == 200


def test_lifted_author_silence_keeps_the_session(author, new_browser):
    address = author.create_post(title="Quiet", anonymous="on")
    moderator = make_moderator(new_browser)
    assert moderator.post(f"/mod/posts/{address}/silence_author", {"reason": "Heated"}).status_code == 303
    restriction = scalar("SELECT id FROM author_restriction")
    assert (
        moderator.post(f"/mod/posts/{address}/lift", {"restriction": restriction, "reason": "Calm"}).status_code == 303
    )
    assert author.get("/settings").status_code == 200


def _session_rows(session_id: str) -> int:
    return scalar("SELECT count(*) FROM key_value WHERE key LIKE ?", f"%{session_id}")


@pytest.mark.parametrize("path", ["/static/site.css", "/healthz", "/readyz"])
def test_static_files_and_health_checks_never_read_the_session_or_the_member(new_browser, path):
    browser = new_browser()
    assert browser.register("naomi").status_code == 303
    session_id = browser.client.cookies[SESSION_COOKIE]
    # Suspended: the next look at this session finds a dead account, ends it and clears the cookie.
    query("UPDATE member SET state = 'suspended' WHERE username = 'naomi'")

    response = browser.get(path)
    assert response.status_code == 200
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert "private" not in response.headers.get("cache-control", "")  # no member was found here
    assert _session_rows(session_id) == 1  # nobody looked: the dead session is still stored

    board = browser.get("/")
    assert f'{SESSION_COOKIE}=""' in board.headers["set-cookie"] or "Max-Age=0" in board.headers["set-cookie"]
    assert _session_rows(session_id) == 0
    assert "Sign out" not in board.text


def test_an_unknown_session_cookie_costs_static_files_nothing(visitor):
    visitor.set_cookie(SESSION_COOKIE, "ab" * 32)
    assert SESSION_COOKIE not in visitor.get("/static/site.css").headers.get("set-cookie", "")
    # Where the board looks, the unknown session is cleared.
    assert SESSION_COOKIE in visitor.get("/").headers["set-cookie"]
