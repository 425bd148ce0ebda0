"""A member's privacy settings, their data, account deletion, retention and the members-only board."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import PASSWORD, SESSION_COOKIE, query, run_cli, scalar


def test_settings_page_needs_sign_in(visitor):
    response = visitor.get("/settings")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/settings"


def test_privacy_defaults_prefill_the_post_form(author):
    # "team", not "members": a new member's default is already "members" (privacy by default).
    response = author.post("/settings", {"default_visibility": "team", "default_anonymous": "on"})
    assert response.status_code == 303
    form = author.get("/posts/new").text
    assert 'value="team" checked' in form
    assert 'id="anonymous" name="anonymous" checked' in form


@pytest.mark.parametrize(
    ("path", "form", "message"),
    [
        ("/settings", {"default_visibility": "members"}, "Your privacy defaults are saved."),
        ("/settings/hide-name", {}, "Your name is now hidden on everything you have written"),
    ],
)
def test_a_saved_setting_is_confirmed_once_after_the_redirect(author, path, form, message):
    response = author.post(path, form)
    assert response.status_code == 303 and response.headers["location"] == "/settings"
    page = author.get("/settings").text
    assert page.count(message) == 1
    assert message not in author.get("/settings").text  # said once, not on the next page
    assert message not in author.get("/").text


def test_showing_the_name_again_is_confirmed_once(author):
    author.post("/settings/hide-name")
    author.get("/settings")
    assert author.post("/settings/show-name").headers["location"] == "/settings"
    message = "Your name is shown again where it was before."
    assert message in author.get("/settings").text
    assert message not in author.get("/settings").text


def test_a_refused_setting_is_not_confirmed(author):
    assert author.post("/settings", {"default_visibility": "everyone"}).status_code == 422
    assert "Your privacy defaults are saved." not in author.get("/settings").text


def test_unknown_default_visibility_is_refused_with_a_message(author):
    response = author.post("/settings", {"default_visibility": "everyone"})
    assert response.status_code == 422
    assert "Choose who can read your posts." in response.text
    # Unchanged: a new member's default, "members" (privacy by default).
    assert scalar("SELECT default_visibility FROM member WHERE username = 'author'") == "members"


def test_hide_my_name_makes_every_earlier_post_and_reply_anonymous_and_undo_restores(author, member, visitor):
    named = author.create_post(title="Named at first")
    already_anonymous = author.create_post(title="Anonymous from the start", anonymous="on")
    member_post = member.create_post(title="Someone else's")
    author.post(f"/posts/{member_post}/replies", {"body": "Praying with you"})
    assert author.post("/settings/hide-name").status_code == 303
    for path in ("/", f"/posts/{named}", f"/posts/{member_post}", "/api/v1/posts"):
        assert "Ruth Author" not in visitor.get(path).text, path
        assert "Ruth Author" not in member.get(path).text, path
    assert "posted anonymously" in author.get(f"/posts/{named}").text
    assert "Show my name again" in author.get("/settings").text

    assert author.post("/settings/show-name").status_code == 303
    assert "Ruth Author" in visitor.get(f"/posts/{named}").text
    assert "Ruth Author" in visitor.get(f"/posts/{member_post}").text
    assert "Ruth Author" not in visitor.get(f"/posts/{already_anonymous}").text
    assert scalar("SELECT anonymous FROM post WHERE public_id = ?", already_anonymous) in (1, True)


def test_export_has_everything_the_member_wrote_and_did(author, member):
    post_id = author.create_post(title="My request", body="My words")
    author.post(f"/posts/{post_id}/updates", {"body": "My update"})
    other = member.create_post(title="Their request")
    author.post(f"/posts/{other}/replies", {"body": "My reply"})
    author.post(f"/posts/{other}/pray")
    response = author.get("/settings/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "private, no-store"
    data = json.loads(response.text)
    assert data["account"]["username"] == "author"
    assert data["account"]["email"] == "author@example.org"
    assert [p["title"] for p in data["posts"]] == ["My request"]
    assert data["posts"][0]["updates"][0]["body"] == "My update"
    assert [r["body"] for r in data["replies"]] == ["My reply"]
    assert [p["post"] for p in data["prayers"]] == [other]
    assert "Their request" not in response.text and "password" not in response.text


def test_delete_account_needs_the_password(author):
    response = author.post("/settings/delete", {"content": "remove", "password": "not my password"})
    assert response.status_code == 422
    assert "That password is not right." in response.text
    assert scalar("SELECT count(*) FROM member WHERE username = 'author'") == 1


def test_delete_account_removing_content_keeps_other_counts_exact(author, member, new_browser):
    mine = author.create_post(title="Mine to remove")
    theirs = member.create_post(title="Theirs stays")
    author.post(f"/posts/{theirs}/pray")
    author.post(f"/posts/{theirs}/replies", {"body": "A reply that goes"})
    stolen = author.client.cookies[SESSION_COOKIE]
    response = author.post("/settings/delete", {"content": "remove", "password": PASSWORD})
    assert response.status_code == 303
    assert scalar("SELECT count(*) FROM post WHERE public_id = ?", mine) == 0
    assert scalar("SELECT praying_count FROM post WHERE public_id = ?", theirs) == 0
    assert scalar("SELECT reply_count FROM post WHERE public_id = ?", theirs) == 0
    assert "A reply that goes" not in member.get(f"/posts/{theirs}").text
    thief = new_browser()
    thief.set_cookie(SESSION_COOKIE, stolen)
    assert "Sign out" not in thief.get("/").text
    assert new_browser().login("author").status_code == 422


def test_delete_account_keeping_content_anonymised(author, member, new_browser):
    mine = author.create_post(title="Mine stays, nameless")
    theirs = member.create_post()
    author.post(f"/posts/{theirs}/replies", {"body": "My reply stays"})
    other_session = new_browser()
    other_session.login("author")
    assert author.post("/settings/delete", {"content": "anonymise", "password": PASSWORD}).status_code == 303
    page = member.get(f"/posts/{mine}").text
    assert "Mine stays, nameless" in page and "Ruth Author" not in page
    thread = member.get(f"/posts/{theirs}").text
    assert "My reply stays" in thread and "Ruth Author" not in thread
    assert "Sign out" not in other_session.get("/").text  # every session ended
    assert new_browser().login("author").status_code == 422
    assert scalar("SELECT email FROM member WHERE id = (SELECT author FROM post WHERE public_id = ?)", mine) == ""


def test_unknown_deletion_choice_is_refused(author):
    response = author.post("/settings/delete", {"content": "explode", "password": PASSWORD})
    assert response.status_code == 422
    assert "Choose what should happen" in response.text


# --- retention ---------------------------------------------------------------------------------


def test_quiet_requests_are_archived_off_the_board_but_stay_readable(author, member, migrated_database):
    quiet = author.create_post(title="A quiet request")
    lively = author.create_post(title="A lively request")
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    query("UPDATE post SET last_activity_at = ? WHERE public_id = ?", long_ago, quiet)
    result = run_cli("archive", "--days", "90")
    assert result.returncode == 0 and "Archived 1 request" in result.stdout
    board = member.get("/").text
    assert "A quiet request" not in board and "A lively request" in board
    page = member.get(f"/posts/{quiet}")
    assert page.status_code == 200 and "archived" in page.text
    assert "Renew it" not in page.text
    assert lively in [n for n in __import__("re").findall(r'id="post-([a-z0-9]+)"', board)]


def test_author_renews_an_archived_request(author, member):
    quiet = author.create_post(title="Renew me")
    query("UPDATE post SET status = 'archived' WHERE public_id = ?", quiet)
    assert member.post(f"/posts/{quiet}/renew").status_code == 403
    assert "Renew it" in author.get(f"/posts/{quiet}").text
    assert author.post(f"/posts/{quiet}/renew").status_code == 303
    assert "Renew me" in member.get("/").text


# --- members-only board --------------------------------------------------------------------------


@pytest.fixture
def admin(new_browser):
    browser = new_browser()
    browser.register("keeper", "Board Keeper")
    query("UPDATE member SET role = 'admin' WHERE username = 'keeper'")
    yield browser
    browser.post("/admin/settings", {})  # open the board again for the tests that follow


def test_only_admins_reach_board_settings(member, visitor):
    refused = member.get("/admin/settings")
    assert refused.status_code == 403 and "Only an admin can change the board&#39;s settings." in refused.text
    assert member.post("/admin/settings", {"members_only": "on"}).status_code == 403
    assert scalar("SELECT count(*) FROM site_setting WHERE key = 'members_only' AND value = '1'") == 0
    response = visitor.get("/admin/settings")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/admin/settings"


def test_board_settings_are_confirmed_once_after_the_redirect(admin):
    response = admin.post("/admin/settings", {"join_policy": "approval"})
    assert response.status_code == 303 and response.headers["location"] == "/admin/settings"
    page = admin.get("/admin/settings").text
    assert page.count("Saved.") == 1 and 'value="approval" checked' in page
    assert "Saved." not in admin.get("/admin/settings").text


def test_members_only_board_admits_no_visitor(admin, author, visitor):
    post_id = author.create_post(title="For our community")
    assert "For our community" in visitor.get("/").text
    assert admin.post("/admin/settings", {"members_only": "on"}).status_code == 303
    for path in ("/", f"/posts/{post_id}", "/posts/new", "/settings"):
        response = visitor.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")
    api = visitor.get("/api/v1/posts")
    assert api.status_code == 401 and "For our community" not in api.text
    assert visitor.get(f"/api/v1/posts/{post_id}").status_code == 401
    assert visitor.get("/login").status_code == 200
    assert visitor.get("/register").status_code == 200
    assert "For our community" in author.get("/").text


def test_member_pages_are_private_and_not_indexed(author):
    response = author.get("/")
    assert response.headers["cache-control"] == "private, no-store"
    assert "noindex" in response.headers["x-robots-tag"]
