"""The first run: a fresh board's first member runs it, nothing waits for a moderator who does not
exist yet, new members' posts are for members by default, search engines are kept out, and a
signed-out member's link to a members-only post leads through sign-in to the post."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import unquote

import pytest

from conftest import query, run_cli, scalar
from fresh_board import fresh_board, fresh_query
from harness import PASSWORD, Browser

FIRST_MEMBER_NOTE = "Welcome: you are this board&#39;s admin. Start with its settings."


def _setup_code(board_env: dict[str, str]) -> str:
    rows = fresh_query(board_env, "SELECT value FROM site_setting WHERE key = 'first_member_becomes_admin'")
    assert rows, "a fresh board has a setup code"
    return str(rows[0]["value"])


def _join(browser: Browser, username: str, setup_code: str = "", display_name: str | None = None) -> Any:
    return browser.post(
        "/register",
        {
            "username": username,
            "display_name": display_name or username.title(),
            "email": f"{username}@example.org",
            "password": PASSWORD,
            "setup_code": setup_code,
        },
    )


def _roles(board_env: dict[str, str]) -> dict[str, str]:
    return {r["username"]: r["role"] for r in fresh_query(board_env, "SELECT username, role FROM member")}


# ---------------------------------------------------------------------------------------------
# The first member of a fresh board is its admin


def test_whoever_types_the_setup_code_from_the_servers_log_becomes_admin():
    with fresh_board() as (server, board_env, new_browser):
        code = _setup_code(board_env)
        # The server printed it when it started, for whoever runs it.
        assert code in server.log_path.read_text()
        first, second, stranger = new_browser(), new_browser(), new_browser()
        # The form offers the field while nobody runs the board.
        assert 'name="setup_code"' in stranger.get("/register").text
        # A stranger who reaches the fresh board first, without the code, is a plain member...
        assert _join(stranger, "stranger").headers["location"] == "/"
        # ...and a wrong code is a form message, nothing made.
        wrong = _join(second, "guesser", "aaaaa-bbbbb")
        assert wrong.status_code == 422 and "That setup code is not right" in wrong.text
        response = _join(first, "founder", code.upper(), "Faith Founder")
        assert response.headers["location"] == "/admin/settings"
        page = first.get("/admin/settings")
        assert page.status_code == 200
        assert FIRST_MEMBER_NOTE in page.text
        assert "<h1>Board settings</h1>" in page.text
        # The code works once: the field is gone, and the next member is a plain member.
        assert 'name="setup_code"' not in second.get("/register").text
        response = _join(second, "second", code)
        assert response.headers["location"] == "/"
        assert second.get("/admin/settings").status_code == 403
        assert _roles(board_env) == {"stranger": "member", "founder": "admin", "second": "member"}


def test_two_people_registering_at_once_on_a_fresh_board_make_one_admin():
    with fresh_board() as (_, board_env, new_browser):
        browsers = [new_browser() for _ in range(4)]
        for browser in browsers:
            browser.csrf_token()  # each has its form token before they all press "Join" at once
        with ThreadPoolExecutor(max_workers=4) as pool:
            code = _setup_code(board_env)
            answers = list(pool.map(lambda pair: _join(pair[1], f"early{pair[0]}", code), enumerate(browsers)))
        # Password hashing is bounded: on a busy machine one may be asked to try again (503).
        made = [a for a in answers if a.status_code == 303]
        assert len(made) >= 2 and all(a.status_code in (303, 503) for a in answers)
        roles = _roles(board_env)
        assert len(roles) == len(made)
        assert sorted(roles.values()) == ["admin"] + ["member"] * (len(made) - 1)
        assert sorted(a.headers["location"] for a in made) == ["/"] * (len(made) - 1) + ["/admin/settings"]


def test_a_member_made_first_by_create_admin_leaves_the_next_one_a_plain_member():
    with fresh_board() as (_, board_env, new_browser):
        code = _setup_code(board_env)
        made = run_cli("create-admin", "keeper", "keeper@example.org", input=f"{PASSWORD}\n", env=board_env)
        assert made.returncode == 0, made.stderr
        browser = new_browser()
        # The board has an admin: the setup code no longer makes one, and is not offered.
        assert 'name="setup_code"' not in browser.get("/register").text
        assert _join(browser, "joiner", code).headers["location"] == "/"
        assert _roles(board_env) == {"keeper": "admin", "joiner": "member"}


def test_a_board_that_already_has_members_makes_no_one_admin(new_browser):
    # The shared test board is not a fresh install (its tables are emptied between tests), like
    # a board upgraded from an older version: nobody becomes admin by registering.
    browser = new_browser()
    assert browser.register("plain").headers["location"] == "/"
    assert scalar("SELECT role FROM member WHERE username = 'plain'") == "member"
    assert browser.get("/admin/settings").status_code == 403


# ---------------------------------------------------------------------------------------------
# First posts wait only when someone can approve them


def _require_first_post_approval() -> None:
    query("INSERT INTO site_setting (key, value) VALUES ('approve_first_posts', '1')")


def test_without_any_moderator_a_first_post_is_not_held(new_browser, visitor):
    _require_first_post_approval()
    newcomer = new_browser()
    assert newcomer.register("newcomer").status_code == 303
    post_id = newcomer.create_post(title="Nobody could approve this")
    assert scalar("SELECT moderation FROM post WHERE public_id = ?", post_id) == "visible"
    assert "Nobody could approve this" in visitor.get("/").text


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_once_there_is_a_moderator_or_admin_a_new_members_first_post_waits(new_browser, visitor, role):
    _require_first_post_approval()
    keeper = new_browser()
    assert keeper.register("keeper").status_code == 303
    query("UPDATE member SET role = ? WHERE username = 'keeper'", role)
    newcomer = new_browser()
    assert newcomer.register("newcomer").status_code == 303
    post_id = newcomer.create_post(title="Please wait for me")
    assert scalar("SELECT moderation FROM post WHERE public_id = ?", post_id) == "pending"
    assert "Please wait for me" not in visitor.get("/").text
    assert "Please wait for me" in keeper.get("/mod").text


def test_a_suspended_moderator_is_no_one_to_wait_for(new_browser):
    _require_first_post_approval()
    keeper = new_browser()
    assert keeper.register("keeper").status_code == 303
    query("UPDATE member SET role = 'moderator', state = 'suspended' WHERE username = 'keeper'")
    newcomer = new_browser()
    assert newcomer.register("newcomer").status_code == 303
    post_id = newcomer.create_post(title="Still shown")
    assert scalar("SELECT moderation FROM post WHERE public_id = ?", post_id) == "visible"


# ---------------------------------------------------------------------------------------------
# Privacy by default


def test_a_new_members_posts_are_for_members_unless_they_choose(new_browser, visitor):
    newcomer = new_browser()
    assert newcomer.register("newcomer").status_code == 303
    form = newcomer.get("/posts/new").text
    assert 'value="members" checked' in form
    assert 'value="public" checked' not in form
    assert scalar("SELECT default_visibility FROM member WHERE username = 'newcomer'") == "members"
    # The form's default, sent as it is, makes a post visitors do not see.
    post_id = newcomer.create_post(title="Between us", visibility="members")
    assert "Between us" not in visitor.get("/").text
    # A member who chooses "anyone" keeps that choice for later posts.
    assert newcomer.post("/settings", {"default_visibility": "public"}).status_code == 303
    assert 'value="public" checked' in newcomer.get("/posts/new").text
    assert post_id


def test_a_fresh_database_defaults_members_to_members_only_too():
    # The column's own default (on PostgreSQL) agrees with the app: a row written without it.
    with fresh_board() as (_, board_env, _new_browser):
        if board_env["PRAYERBOARD_DATABASE_URL"].startswith("sqlite"):
            pytest.skip("SQLite cannot change a column's default in place; the app always writes the value")
        fresh_query(
            board_env,
            "INSERT INTO member (username, username_key, display_name, email, password_hash, role, state,"
            " default_anonymous, names_hidden, session_epoch, follow_when_taking_part, show_name_when_praying,"
            " email_confirmed, pending_email, mail_news, mail_review, mail_urgent, mail_prayer_list, created_at)"
            " VALUES ('raw', 'raw', 'Raw', 'raw@example.org', 'x', 'member', 'active', false, false, 1, true, false,"
            " true, '', 'daily', 'daily', true, false, now())",
        )
        assert fresh_query(board_env, "SELECT default_visibility FROM member")[0]["default_visibility"] == "members"


# ---------------------------------------------------------------------------------------------
# Search engines


def test_by_default_search_engines_are_asked_to_keep_out(author, visitor):
    post_id = author.create_post(title="Open to all", visibility="public")
    robots = visitor.get("/robots.txt")
    assert robots.status_code == 200
    assert robots.headers["content-type"].startswith("text/plain")
    assert robots.text == "User-agent: *\nDisallow: /\n"
    page = visitor.get(f"/posts/{post_id}")
    assert page.status_code == 200
    assert '<meta name="robots" content="noindex, nofollow">' in page.text
    assert '<meta name="robots" content="noindex, nofollow">' in visitor.get("/").text
    # Every answer says so in its headers too: the feed and the API have no <meta>.
    for path in (f"/posts/{post_id}", "/", "/feed.atom", "/api/v1/posts"):
        assert visitor.get(path).headers["x-robots-tag"] == "noindex, nofollow", path


def test_a_members_only_board_keeps_search_engines_out_whatever_the_setting(author, visitor):
    query("INSERT INTO site_setting (key, value) VALUES ('hide_from_search_engines', '0'), ('members_only', '1')")
    robots = visitor.get("/robots.txt")
    assert robots.status_code == 200
    assert robots.text == "User-agent: *\nDisallow: /\n"


# ---------------------------------------------------------------------------------------------
# A signed-out member's link to a members-only post


def _sign_in_target(response: Any) -> str:
    assert response.status_code == 303, response.status_code
    location = response.headers["location"]
    assert location.startswith("/login?next=")
    return unquote(location.removeprefix("/login?next="))


def test_a_signed_out_member_is_asked_to_sign_in_and_then_lands_on_the_post(author, member, new_browser):
    post_id = author.create_post(title="For the members", visibility="members")
    returning = new_browser()
    target = _sign_in_target(returning.get(f"/posts/{post_id}"))
    assert target == f"/posts/{post_id}"
    signed_in = returning.login("member", next=target)
    assert signed_in.headers["location"] == f"/posts/{post_id}"
    page = returning.get(f"/posts/{post_id}")
    assert page.status_code == 200
    assert "For the members" in page.text


def _answer_shape(browser: Browser, path: str) -> tuple[int, str, str]:
    response = browser.get(path)
    location = response.headers.get("location", "")
    return response.status_code, location.replace(path.rsplit("/", 1)[1], "<id>"), response.text


@pytest.mark.parametrize("setting", ["members", "team", "hidden", "pending", "deleted"])
def test_a_post_a_visitor_may_not_see_looks_like_one_that_does_not_exist(author, visitor, setting):
    visibility = setting if setting in ("members", "team") else "public"
    post_id = author.create_post(title="Not for visitors", visibility=visibility)
    if setting in ("hidden", "pending"):
        query("UPDATE post SET moderation = ? WHERE public_id = ?", setting, post_id)
    if setting == "deleted":
        assert author.post(f"/posts/{post_id}/delete").status_code == 303
    never_was = "zq" + post_id[2:] if not post_id.startswith("zq") else "qz" + post_id[2:]
    assert scalar("SELECT COUNT(*) FROM post WHERE public_id = ?", never_was) == 0
    restricted = _answer_shape(visitor, f"/posts/{post_id}")
    missing = _answer_shape(visitor, f"/posts/{never_was}")
    assert restricted == missing
    assert restricted[0] == 303 and restricted[1] == "/login?next=/posts/<id>"
    assert "Not for visitors" not in restricted[2]
    # Malformed addresses get the same answer: a visitor cannot tell what is a post address.
    odd = visitor.get("/posts/%E2%80%AE..%20x")
    assert odd.status_code == 303 and odd.headers["location"].startswith("/login?next=/posts/")


def test_after_signing_in_a_member_who_still_may_not_see_it_gets_not_found(author, member, new_browser):
    post_id = author.create_post(title="Only the team", visibility="team")
    returning = new_browser()
    target = _sign_in_target(returning.get(f"/posts/{post_id}"))
    assert returning.login("member", next=target).headers["location"] == f"/posts/{post_id}"
    page = returning.get(f"/posts/{post_id}")
    assert page.status_code == 404
    assert "Only the team" not in page.text
    # And a post that does not exist is the same 404 for a member.
    assert returning.get("/posts/doesnotexist").status_code == 404


def test_a_public_post_still_opens_for_a_visitor_and_the_api_still_answers_not_found(author, visitor):
    public_id = author.create_post(title="For everyone", visibility="public")
    members_id = author.create_post(title="For members", visibility="members")
    assert visitor.get(f"/posts/{public_id}").status_code == 200
    # Machines get the API's plain answer: 404 for both a members-only and a missing post.
    assert visitor.get(f"/api/v1/posts/{members_id}").status_code == 404
    assert visitor.get("/api/v1/posts/doesnotexist").status_code == 404


def test_a_board_that_loses_its_last_admin_does_not_bring_the_setup_code_back():
    with fresh_board() as (_, board_env, new_browser):
        code = _setup_code(board_env)
        made = run_cli("create-admin", "keeper", "keeper@example.org", input=f"{PASSWORD}\n", env=board_env)
        assert made.returncode == 0, made.stderr
        # The admin steps down (nothing stops an admin from doing so); the old code from the
        # first start's log must not make whoever saw it the new admin.
        fresh_query(board_env, "UPDATE member SET role = 'moderator' WHERE username = 'keeper'")
        assert fresh_query(board_env, "SELECT key FROM site_setting WHERE key = 'first_member_becomes_admin'") == []
        stranger = new_browser()
        assert 'name="setup_code"' not in stranger.get("/register").text
        assert _join(stranger, "stranger", code).headers["location"] == "/"
        assert _roles(board_env)["stranger"] == "member"
