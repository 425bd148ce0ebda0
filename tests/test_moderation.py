"""Moderation (issue 4): reports, the review queue, approval, actions, members, the log, limits, roles.

Each test states one behaviour. Moderators and admins are made by setting the role in the
database; tests that need other settings (first-post approval, a small rate limit) start a
server of their own and stop it afterwards.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import Browser, Server, query, row_id, scalar
from test_abuse import establish
from test_privacy_matrix import AUTHOR_NAME, AUTHOR_USERNAME, SURFACES, world  # noqa: F401  (the shared world)

AUTO_HIDE_REASON = "Hidden after reports"


# ---------------------------------------------------------------------------------------------
# People and helpers


def set_role(username: str, role: str) -> None:
    query("UPDATE member SET role = ? WHERE username = ?", role, username)


def member_id(username: str) -> int:
    return scalar("SELECT id FROM member WHERE username = ?", username)


@pytest.fixture
def moderator(new_browser: Any) -> Browser:
    browser = new_browser()
    assert browser.register("mira", "Mira Moderator").status_code == 303
    set_role("mira", "moderator")
    return browser


@pytest.fixture
def admin(new_browser: Any) -> Browser:
    browser = new_browser()
    assert browser.register("abe", "Abe Admin").status_code == 303
    set_role("abe", "admin")
    return browser


@pytest.fixture
def reporters(new_browser: Any) -> list[Browser]:
    """Three members whose reports count toward auto-hide (older than a day, a post on the board)."""
    people = []
    for name in ("rhoda", "silas", "tabitha"):
        browser = new_browser()
        assert browser.register(name).status_code == 303
        establish(browser)
        people.append(browser)
    return people


def report(browser: Browser, post_id: str, reason: str = "spam", note: str = "") -> Any:
    return browser.post(f"/posts/{post_id}/flag", {"reason": reason, "note": note})


def act(browser: Browser, post_id: str, action: str, reason: str = "a moderator's reason", **fields: Any) -> Any:
    return browser.post(f"/mod/posts/{post_id}/{action}", {"reason": reason, **fields})


def reply(browser: Browser, post_id: str, body: str = "Praying with you.") -> str:
    """Reply as `browser`; the reply's public id, from the "#reply-<public id>" the answer points at."""
    response = browser.post(f"/posts/{post_id}/replies", {"body": body})
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("#reply-", 1)[1]


def post_fields(title: str) -> dict[str, str]:
    return {"kind": "request", "title": title, "body": "b", "category": "Health and healing", "visibility": "public"}


def log_rows(**where: Any) -> list[dict[str, Any]]:
    clause = " AND ".join(f"{k} = ?" for k in where) or "1 = 1"
    return query(f"SELECT * FROM moderation_log WHERE {clause} ORDER BY id", *where.values())


def position(html: str, text: str) -> int:
    index = html.find(text)
    assert index >= 0, f"{text!r} not on the page"
    return index


@pytest.fixture
def extra_servers() -> Iterator[Any]:
    """Start servers with other settings; each is stopped, and must not have logged a 500."""
    started: list[Server] = []
    browsers: list[Browser] = []

    def start(env: dict[str, str]) -> tuple[Server, Any]:
        running = Server(env=env)
        started.append(running)

        def new_browser() -> Browser:
            browser = Browser(running.url)
            browsers.append(browser)
            return browser

        return running, new_browser

    yield start
    for browser in browsers:
        browser.close()
    for running in started:
        output = running.log()
        running.stop()
        assert "unhandled error" not in output, output


# ---------------------------------------------------------------------------------------------
# Reporting


def test_report_is_recorded_with_reason_and_note(author, member, server):
    post_id = author.create_post()
    response = report(member, post_id, "private_details", "It names her neighbour")
    assert response.status_code == 303
    assert response.headers["location"] == f"/posts/{post_id}"  # the thanks is a flash message
    rows = query("SELECT target_kind, target_id, reason, note FROM flag")
    assert rows == [
        {
            "target_kind": "post",
            "target_id": row_id(post_id),
            "reason": "private_details",
            "note": "It names her neighbour",
        }
    ]


def test_report_twice_by_same_member_is_refused_with_message(author, member, server):
    post_id = author.create_post()
    assert report(member, post_id).status_code == 303
    response = report(member, post_id, "unkind")
    assert response.status_code == 422
    assert "already reported" in response.text
    assert scalar("SELECT COUNT(*) FROM flag") == 1


def test_report_reason_outside_list_is_refused(author, member, server):
    post_id = author.create_post()
    response = report(member, post_id, "boring")
    assert response.status_code == 422
    assert "Choose a reason" in response.text
    assert scalar("SELECT COUNT(*) FROM flag") == 0


def test_report_own_post_is_forbidden(author, server):
    post_id = author.create_post()
    assert report(author, post_id).status_code == 403
    assert scalar("SELECT COUNT(*) FROM flag") == 0


def test_report_own_post_form_is_not_offered(author, member, server):
    post_id = author.create_post()
    assert "Report this post" not in author.get(f"/posts/{post_id}").text
    assert "Report this post" in member.get(f"/posts/{post_id}").text


def test_report_by_visitor_is_sent_to_sign_in(author, visitor, server):
    post_id = author.create_post()
    response = report(visitor, post_id)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert scalar("SELECT COUNT(*) FROM flag") == 0


def test_report_reply_is_recorded_once(author, member, server):
    post_id = author.create_post()
    reply_id = reply(author, post_id)
    assert member.post(f"/posts/{post_id}/replies/{reply_id}/flag", {"reason": "unkind"}).status_code == 303
    again = member.post(f"/posts/{post_id}/replies/{reply_id}/flag", {"reason": "spam"})
    assert again.status_code == 422
    assert query("SELECT target_kind, target_id FROM flag") == [
        {"target_kind": "reply", "target_id": row_id(reply_id, "reply")}
    ]


def test_reports_below_threshold_keep_post_visible(author, reporters, visitor, server):
    post_id = author.create_post()
    for browser in reporters[:2]:
        assert report(browser, post_id).status_code == 303
    assert scalar("SELECT moderation FROM post WHERE public_id = ?", post_id) == "visible"
    assert visitor.get(f"/posts/{post_id}").status_code == 200


def test_reports_from_three_members_hide_post_at_once(author, reporters, server):
    post_id = author.create_post()
    for browser in reporters:
        assert report(browser, post_id).status_code == 303
    assert scalar("SELECT moderation FROM post WHERE public_id = ?", post_id) == "hidden"


def test_auto_hide_is_logged_without_moderator(author, reporters, server):
    post_id = author.create_post()
    for browser in reporters:
        report(browser, post_id)
    rows = log_rows(action="auto_hide")
    assert len(rows) == 1
    assert rows[0]["moderator"] is None
    assert (rows[0]["target_kind"], rows[0]["target_id"]) == ("post", row_id(post_id))


def test_auto_hidden_post_is_seen_by_author_with_reason_and_404_for_others(author, reporters, member, visitor, server):
    post_id = author.create_post(title="Hold my brother in prayer")
    for browser in reporters:
        report(browser, post_id)
    page = author.get(f"/posts/{post_id}")
    assert page.status_code == 200
    assert AUTO_HIDE_REASON in page.text
    for other in (member, reporters[0]):
        assert other.get(f"/posts/{post_id}").status_code == 404
    assert visitor.get(f"/posts/{post_id}").headers["location"] == f"/login?next=/posts/{post_id}"  # as for no post
    assert "Hold my brother in prayer" not in member.get("/").text


def test_auto_hide_reply_at_threshold(author, reporters, member, server):
    post_id = author.create_post()
    reply_id = reply(member, post_id, "Unkind words here")
    for browser in reporters:
        assert browser.post(f"/posts/{post_id}/replies/{reply_id}/flag", {"reason": "unkind"}).status_code == 303
    assert scalar("SELECT moderation FROM reply WHERE public_id = ?", reply_id) == "hidden"
    assert "Unkind words here" not in author.get(f"/posts/{post_id}").text
    assert "Unkind words here" in member.get(f"/posts/{post_id}").text


def test_danger_report_is_urgent_and_first_in_queue_though_newer(author, member, moderator, server):
    older = author.create_post(title="Older spam report")
    newer = author.create_post(title="Newer danger report")
    report(member, older, "spam")
    report(member, newer, "danger")
    page = moderator.get("/mod")
    assert page.status_code == 200
    assert "Urgent" in page.text
    assert position(page.text, "Newer danger report") < position(page.text, "Older spam report")
    assert position(page.text, "Urgent") < position(page.text, "Older spam report")


# ---------------------------------------------------------------------------------------------
# The queue


def test_queue_lists_reported_pending_and_hidden_items_with_reasons(author, member, moderator, server):
    reported = author.create_post(title="Reported one")
    pending = author.create_post(title="Pending one")
    hidden = author.create_post(title="Hidden one")
    report(member, reported, "private_details")
    query("UPDATE post SET moderation = 'pending' WHERE public_id = ?", pending)
    assert act(moderator, hidden, "hide").status_code == 303
    page = moderator.get("/mod").text
    for title in ("Reported one", "Pending one", "Hidden one"):
        assert title in page
    assert "Shares someone&#39;s private details" in page or "Shares someone's private details" in page
    assert "Waiting" in page


def test_queue_oldest_first_within_same_urgency(author, member, moderator, server):
    first = author.create_post(title="First reported")
    second = author.create_post(title="Second reported")
    report(member, first)
    report(member, second)
    page = moderator.get("/mod").text
    assert position(page, "First reported") < position(page, "Second reported")


def test_queue_shows_nothing_waiting_when_empty(author, moderator, server):
    author.create_post()
    assert "Nothing is waiting" in moderator.get("/mod").text


def test_moderator_header_shows_waiting_count(author, member, moderator, server):
    first = author.create_post()
    second = author.create_post()
    report(member, first)
    report(member, second)
    page = moderator.get("/").text
    assert re.search(r'href="/mod">Review <span class="badge[^"]*">2<span class="visually-hidden"> waiting', page)


def test_member_header_has_no_review_link(member, server):
    assert 'href="/mod"' not in member.get("/").text


def test_queue_survives_a_reported_reply_deleted_by_its_author(author, member, moderator, server):
    post_id = author.create_post(title="Thread with a deleted reply")
    reply_id = reply(member, post_id)
    author.post(f"/posts/{post_id}/replies/{reply_id}/flag", {"reason": "spam"})
    assert member.post(f"/posts/{post_id}/replies/{reply_id}/delete").status_code == 303
    assert moderator.get("/mod").status_code == 200
    assert moderator.get("/").status_code == 200


# ---------------------------------------------------------------------------------------------
# Approval of first posts (a server with first-post approval on) and watched words


@pytest.fixture
def approval(extra_servers: Any, migrated_database: str) -> Any:
    _, new_browser = extra_servers({"PRAYERBOARD_APPROVE_FIRST_POSTS": "1"})
    people = {}
    for name, display in (("newbie", "Nora Newbie"), ("member", "Naomi Member"), ("mira", "Mira Moderator")):
        people[name] = new_browser()
        assert people[name].register(name, display).status_code == 303
    set_role("mira", "moderator")
    people["visitor"] = new_browser()
    return people


def test_first_post_awaits_review_for_its_author(approval):
    post_id = approval["newbie"].create_post(title="My very first request")
    assert scalar("SELECT moderation FROM post WHERE public_id = ?", post_id) == "pending"
    page = approval["newbie"].get(f"/posts/{post_id}")
    assert page.status_code == 200
    assert "Awaiting review" in page.text


def test_first_post_is_hidden_from_others_until_approved(approval):
    post_id = approval["newbie"].create_post(title="My very first request")
    for viewer in ("member", "visitor"):
        # A visitor is sent to sign in, as for a post that does not exist.
        assert approval[viewer].get(f"/posts/{post_id}").status_code == (404 if viewer == "member" else 303)
        assert "My very first request" not in approval[viewer].get("/").text


def test_first_post_is_in_the_queue_as_pending(approval):
    approval["newbie"].create_post(title="My very first request")
    page = approval["mira"].get("/mod").text
    assert "My very first request" in page
    assert "Waiting for approval" in page


def test_approved_first_post_becomes_visible(approval):
    post_id = approval["newbie"].create_post(title="My very first request")
    assert act(approval["mira"], post_id, "approve", "").status_code == 303
    assert approval["visitor"].get(f"/posts/{post_id}").status_code == 200
    assert "My very first request" in approval["member"].get("/").text


def test_second_post_after_approval_is_visible_at_once(approval):
    first = approval["newbie"].create_post(title="My very first request")
    act(approval["mira"], first, "approve", "")
    second = approval["newbie"].create_post(title="My second request")
    assert scalar("SELECT moderation FROM post WHERE public_id = ?", second) == "visible"
    assert approval["visitor"].get(f"/posts/{second}").status_code == 200


def test_moderator_first_post_needs_no_approval(approval):
    post_id = approval["mira"].create_post()
    assert scalar("SELECT moderation FROM post WHERE public_id = ?", post_id) == "visible"


def add_word(admin: Browser, word: str, action: str) -> Any:
    return admin.post("/admin/words", {"word": word, "action": action})


def test_admin_adds_watched_word(admin, server):
    assert add_word(admin, "Casino", "review").status_code == 303
    assert query("SELECT word, action FROM watched_word") == [{"word": "casino", "action": "review"}]
    assert "casino" in admin.get("/admin/words").text
    assert len(log_rows(action="watch_review")) == 1


def test_watched_word_duplicate_is_refused_at_the_field(admin, server):
    add_word(admin, "casino", "review")
    response = add_word(admin, "Casino", "block")
    assert response.status_code == 422
    assert "already watched" in response.text


def test_watched_word_is_removed_by_admin(admin, author, server):
    add_word(admin, "casino", "block")
    word_id = scalar("SELECT id FROM watched_word")
    assert admin.post(f"/admin/words/{word_id}/delete").status_code == 303
    assert (
        author.post(
            "/posts",
            {
                "kind": "request",
                "title": "casino",
                "body": "x",
                "category": "Health and healing",
                "visibility": "public",
            },
        ).status_code
        == 303
    )


def test_watched_review_word_holds_post(admin, author, member, server):
    add_word(admin, "casino", "review")
    post_id = author.create_post(body="I lost everything at the casino.")
    assert scalar("SELECT moderation FROM post WHERE public_id = ?", post_id) == "pending"
    assert "Awaiting review" in author.get(f"/posts/{post_id}").text
    assert member.get(f"/posts/{post_id}").status_code == 404


def test_watched_block_word_refuses_post_with_message_at_field_and_keeps_input(admin, author, server):
    add_word(admin, "casino", "block")
    response = author.post(
        "/posts",
        {
            "kind": "request",
            "title": "Keep this title",
            "body": "Pray for the casino owner.",
            "category": "Health and healing",
            "visibility": "public",
        },
    )
    assert response.status_code == 422
    assert "\u201ccasino\u201d can\u2019t be posted" in response.text or "casino" in response.text
    assert re.search(r'class="field[^"]*has-error', response.text)
    assert 'value="Keep this title"' in response.text
    assert "Pray for the casino owner." in response.text
    assert scalar("SELECT COUNT(*) FROM post") == 0


def test_watched_block_word_refuses_reply(admin, author, member, server):
    post_id = author.create_post()
    add_word(admin, "casino", "block")
    response = member.post(f"/posts/{post_id}/replies", {"body": "Come to the casino"})
    assert response.status_code == 422
    assert scalar("SELECT COUNT(*) FROM reply") == 0


def test_watched_block_word_refuses_edit(admin, author, server):
    post_id = author.create_post(title="Harmless", body="Harmless body")
    add_word(admin, "casino", "block")
    response = author.post(f"/posts/{post_id}/edit", post_fields("Harmless") | {"body": "Now about the casino"})
    assert response.status_code == 422
    assert "Now about the casino" in response.text
    assert scalar("SELECT body FROM post WHERE public_id = ?", post_id) == "Harmless body"


def test_watched_review_word_in_edit_holds_post_again(admin, author, member, server):
    post_id = author.create_post(title="Harmless")
    add_word(admin, "casino", "review")
    assert author.post(f"/posts/{post_id}/edit", post_fields("Harmless casino")).status_code == 303
    assert scalar("SELECT moderation FROM post WHERE public_id = ?", post_id) == "pending"
    assert member.get(f"/posts/{post_id}").status_code == 404


def test_watched_block_word_refuses_reply_edit(admin, author, member, server):
    post_id = author.create_post()
    reply_id = reply(member, post_id, "Kind words")
    add_word(admin, "casino", "block")
    response = member.post(f"/posts/{post_id}/replies/{reply_id}/edit", {"body": "casino"})
    assert response.status_code == 422
    assert scalar("SELECT body FROM reply WHERE public_id = ?", reply_id) == "Kind words"


def test_watched_words_page_refuses_moderator(moderator, server):
    assert moderator.get("/admin/words").status_code == 403
    assert add_word(moderator, "casino", "block").status_code == 403


# ---------------------------------------------------------------------------------------------
# Actions on posts and replies


def test_hide_shows_reason_to_author_and_404_to_others(author, member, visitor, moderator, server):
    post_id = author.create_post()
    assert act(moderator, post_id, "hide", "Shares a phone number").status_code == 303
    page = author.get(f"/posts/{post_id}")
    assert page.status_code == 200
    assert "Shares a phone number" in page.text
    assert member.get(f"/posts/{post_id}").status_code == 404
    assert visitor.get(f"/posts/{post_id}").headers["location"] == f"/login?next=/posts/{post_id}"  # as for no post


def test_hide_notifies_author_with_reason(author, moderator, server):
    post_id = author.create_post()
    act(moderator, post_id, "hide", "Shares a phone number")
    page = author.get("/notifications")
    assert page.status_code == 200
    assert "Shares a phone number" in page.text
    assert f'href="/posts/{post_id}"' in page.text


def test_hide_requires_reason(author, moderator, server):
    post_id = author.create_post()
    response = act(moderator, post_id, "hide", "")
    assert response.status_code == 422
    assert "Please give a reason; it goes into the moderation log." in response.text
    assert scalar("SELECT moderation FROM post WHERE public_id = ?", post_id) == "visible"
    assert log_rows() == []


def test_unhide_makes_post_visible_again(author, visitor, moderator, server):
    post_id = author.create_post()
    act(moderator, post_id, "hide")
    assert act(moderator, post_id, "unhide", "").status_code == 303
    assert visitor.get(f"/posts/{post_id}").status_code == 200
    assert "Nothing is waiting" in moderator.get("/mod").text


def test_remove_leaves_post_to_its_author_only(author, member, moderator, server):
    post_id = author.create_post()
    assert act(moderator, post_id, "remove", "Not a prayer request").status_code == 303
    assert member.get(f"/posts/{post_id}").status_code == 404
    page = author.get(f"/posts/{post_id}")
    assert "Removed by a moderator" in page.text and "Not a prayer request" in page.text
    assert "Nothing is waiting" in moderator.get("/mod").text


def test_reject_pending_post_keeps_it_from_others_and_leaves_queue(author, member, moderator, server):
    post_id = author.create_post(title="Pending and rejected")
    query("UPDATE post SET moderation = 'pending' WHERE public_id = ?", post_id)
    assert act(moderator, post_id, "reject", "Advertising").status_code == 303
    assert member.get(f"/posts/{post_id}").status_code == 404
    assert "Advertising" in author.get(f"/posts/{post_id}").text
    assert "Pending and rejected" not in moderator.get("/mod").text


def test_approve_pending_post_makes_it_visible(author, member, moderator, server):
    post_id = author.create_post()
    query("UPDATE post SET moderation = 'pending' WHERE public_id = ?", post_id)
    assert act(moderator, post_id, "approve", "").status_code == 303
    assert member.get(f"/posts/{post_id}").status_code == 200
    assert "approved" in author.get("/notifications").text


def test_dismiss_resolves_reports_and_leaves_queue(author, member, moderator, server):
    post_id = author.create_post(title="Reported but fine")
    report(member, post_id)
    assert act(moderator, post_id, "dismiss", "").status_code == 303
    assert scalar("SELECT COUNT(*) FROM flag WHERE resolved = ?", False) == 0
    assert "Reported but fine" not in moderator.get("/mod").text
    assert scalar("SELECT moderation FROM post WHERE public_id = ?", post_id) == "visible"


def test_dismiss_restores_auto_hidden_post_and_leaves_queue(author, reporters, visitor, moderator, server):
    post_id = author.create_post(title="Wrongly reported")
    for browser in reporters:
        report(browser, post_id)
    assert act(moderator, post_id, "dismiss", "").status_code == 303
    assert "Wrongly reported" not in moderator.get("/mod").text
    assert visitor.get(f"/posts/{post_id}").status_code == 200


def test_lock_refuses_new_replies(author, member, moderator, server):
    post_id = author.create_post()
    assert act(moderator, post_id, "lock", "Heated thread").status_code == 303
    assert member.post(f"/posts/{post_id}/replies", {"body": "One more word"}).status_code == 403
    assert "Replies to this post are closed" in member.get(f"/posts/{post_id}").text


def test_unlock_allows_replies_again(author, member, moderator, server):
    post_id = author.create_post()
    assert act(moderator, post_id, "lock", "Heated thread").status_code == 303
    assert scalar("SELECT replies_locked FROM post WHERE public_id = ?", post_id) in (1, True)
    assert member.post(f"/posts/{post_id}/replies", {"body": "Refused word"}).status_code == 403
    assert act(moderator, post_id, "unlock", "").status_code == 303
    assert scalar("SELECT replies_locked FROM post WHERE public_id = ?", post_id) in (0, False)
    assert "Replies to this post are closed" not in member.get(f"/posts/{post_id}").text
    assert member.post(f"/posts/{post_id}/replies", {"body": "One more word"}).status_code == 303
    assert "One more word" in author.get(f"/posts/{post_id}").text
    assert "Refused word" not in author.get(f"/posts/{post_id}").text
    assert "reopened replies" in author.get("/notifications").text


def test_redact_shows_new_text_marked_edited_by_a_moderator(author, member, moderator, server):
    post_id = author.create_post(body="Call me on 555-0199 please.")
    response = act(moderator, post_id, "redact", "Phone number", body="Call me please.")
    assert response.status_code == 303
    page = member.get(f"/posts/{post_id}").text
    assert "Call me please." in page
    assert "Edited by a moderator" in page
    assert "555-0199" not in page


def test_redact_keeps_earlier_text_for_moderators_only(author, member, moderator, server):
    post_id = author.create_post(body="Call me on 555-0199 please.")
    act(moderator, post_id, "redact", "Phone number", body="Call me please.")
    assert "555-0199" in moderator.get(f"/mod/posts/{post_id}").text
    for browser in (author, member):
        for path in (
            f"/posts/{post_id}",
            f"/api/v1/posts/{post_id}",
            f"/posts/{post_id}/edit",
            "/notifications",
            f"/mod/posts/{post_id}",
            "/settings/export",
        ):
            assert "555-0199" not in browser.get(path).text, (browser.username, path)


def test_the_log_dates_an_anonymous_authors_edit_of_redacted_text_to_the_hour(author, moderator, server):
    post_id = author.create_post(body="Call me on 555-0199 please.", anonymous="on")
    act(moderator, post_id, "redact", "Phone number", body="Call me please.")
    fields = post_fields("Still anonymous") | {"body": "Call me, please.", "anonymous": "on"}
    assert author.post(f"/posts/{post_id}/edit", fields).status_code == 303
    act(moderator, post_id, "approve")
    assert author.post(f"/posts/{post_id}/updates", {"body": "Thank you all."}).status_code == 303
    log = moderator.get("/mod/log?action=edit_after_redaction").text
    times = re.findall(r'<time datetime="([^"]+)"', log)
    assert len(times) == 2, log
    # The author's own moments, as the log shows them: no finer than the hour.
    assert all(time.endswith(":00:00+00:00") for time in times), times


def test_anonymise_is_done_once(author, moderator, server):
    post_id = author.create_post(anonymous="on")
    # Anonymous by the author's choice: a moderator can still make it so for good.
    assert "/anonymise" in moderator.get(f"/mod/posts/{post_id}").text
    assert act(moderator, post_id, "anonymise").status_code == 303
    assert "/anonymise" not in moderator.get(f"/mod/posts/{post_id}").text
    again = act(moderator, post_id, "anonymise")
    assert again.status_code == 409
    assert scalar("SELECT count(*) FROM moderation_log WHERE action = 'anonymise'") == 1


def test_redact_without_text_is_refused(author, moderator, server):
    post_id = author.create_post(body="Original text")
    response = act(moderator, post_id, "redact", "Phone number", body="")
    assert response.status_code == 422
    assert "Please give the text as it should read." in response.text
    assert scalar("SELECT body FROM post WHERE public_id = ?", post_id) == "Original text"
    assert scalar("SELECT COUNT(*) FROM revision") == 0
    assert log_rows() == []


def test_hide_reply_shows_reason_to_its_author_only(author, member, moderator, server):
    post_id = author.create_post()
    reply_id = reply(member, post_id, "A reply to hide")
    assert moderator.post(f"/mod/replies/{reply_id}/hide", {"reason": "Off topic"}).status_code == 303
    assert "A reply to hide" not in author.get(f"/posts/{post_id}").text
    page = member.get(f"/posts/{post_id}").text
    assert "A reply to hide" in page and "Off topic" in page
    assert "Off topic" in member.get("/notifications").text


def test_redact_reply_keeps_revision_for_moderators(author, member, moderator, server):
    post_id = author.create_post()
    reply_id = reply(member, post_id, "My address is 12 Elm Street")
    response = moderator.post(f"/mod/replies/{reply_id}/redact", {"reason": "Address", "body": "My address is private"})
    assert response.status_code == 303
    assert "12 Elm Street" not in author.get(f"/posts/{post_id}").text
    assert "12 Elm Street" in moderator.get(f"/mod/replies/{reply_id}").text


def test_unknown_action_is_404(author, moderator, server):
    post_id = author.create_post()
    assert act(moderator, post_id, "explode").status_code == 404
    assert moderator.post(f"/mod/replies/{post_id}/lock", {"reason": "x"}).status_code == 404
    assert log_rows() == []


def test_action_on_missing_item_is_404(moderator, server):
    for missing in ("999999", "zzzzzzzzzz"):  # a row id is no address; nor is a public id nobody holds
        assert act(moderator, missing, "hide").status_code == 404
        assert moderator.get(f"/mod/posts/{missing}").status_code == 404


# ---------------------------------------------------------------------------------------------
# The action table: only what applies is offered, and anything else is refused calmly


def offered(browser: Browser, kind: str, address: str) -> set[str]:
    """The actions the item page's row of buttons offers."""
    page = browser.get(f"/mod/{kind}/{address}").text
    # Remove and suspend ask first: their button leads to ".../confirm" (tests/test_mod_screens.py).
    found = re.findall(rf'(?:formaction|data-confirmed-action)="/mod/{kind}/{re.escape(address)}/(\w+)"', page)
    return set(found) - {"confirm"}


def test_item_page_offers_only_the_actions_that_apply(author, member, moderator, admin, server):
    post_id = author.create_post()
    assert offered(moderator, "posts", post_id) == {
        "hide",
        "remove",
        "anonymise",
        "lock",
        "silence_author",
        "suspend_author",
    }
    assert report(member, post_id).status_code == 303
    # Hidden and locked, its report still open (a moderator's decision would settle it).
    query("UPDATE post SET moderation = 'hidden', replies_locked = ? WHERE public_id = ?", True, post_id)
    assert offered(moderator, "posts", post_id) == {
        "unhide",
        "remove",
        "dismiss",
        "anonymise",
        "unlock",
        "silence_author",
        "suspend_author",
    }
    held = author.create_post(anonymous="on")
    query("UPDATE post SET moderation = 'pending' WHERE public_id = ?", held)
    expected = {"approve", "reject", "remove", "anonymise", "lock", "silence_author", "suspend_author"}
    assert offered(moderator, "posts", held) == expected
    assert offered(admin, "posts", held) == expected | {"reveal"}


def test_reply_item_page_offers_no_post_actions(author, member, moderator, server):
    post_id = author.create_post()
    reply_id = reply(member, post_id)
    assert offered(moderator, "replies", reply_id) == {"hide", "remove"}
    page = moderator.get(f"/mod/replies/{reply_id}").text
    assert f'action="/mod/replies/{reply_id}/redact"' in page


NOT_APPLICABLE = [
    ("visible", "approve"),
    ("visible", "reject"),
    ("visible", "unhide"),
    ("visible", "unlock"),
    ("visible", "dismiss"),
    ("hidden", "hide"),
    ("pending", "hide"),
    ("removed", "remove"),
]


@pytest.mark.parametrize("state,action", NOT_APPLICABLE)
def test_action_that_does_not_apply_is_refused_calmly_and_changes_nothing(state, action, author, moderator, server):
    post_id = author.create_post(title="Stays as it is")
    query("UPDATE post SET moderation = ? WHERE public_id = ?", state, post_id)
    before = query("SELECT moderation, moderation_reason, replies_locked FROM post WHERE public_id = ?", post_id)
    response = act(moderator, post_id, action, "a reason")
    assert response.status_code == 409
    assert "does not apply to this post" in response.text and "Nothing was changed." in response.text
    assert "Review post" in response.text  # the item's own page, with its form
    assert (
        query("SELECT moderation, moderation_reason, replies_locked FROM post WHERE public_id = ?", post_id) == before
    )
    assert log_rows() == []
    assert scalar("SELECT COUNT(*) FROM notification") == 0


def test_reveal_of_a_named_post_is_refused_calmly(author, admin, server):
    post_id = author.create_post()
    response = act(admin, post_id, "reveal", "safeguarding")
    assert response.status_code == 409
    assert "does not apply" in response.text
    assert log_rows(action="reveal_author") == []


def test_member_action_on_a_post_and_post_action_on_a_member_are_404(author, member, moderator, server):
    post_id = author.create_post()
    assert act(moderator, post_id, "silence").status_code == 404
    assert moderator.post(f"/mod/members/{member_id('member')}/hide", {"reason": "x"}).status_code == 404
    assert log_rows() == []


def flashes(html: str) -> list[str]:
    return re.findall(r'<p class="flash flash-info" role="status">(.*?)</p>', html)


def test_done_message_shows_once_after_an_action(author, moderator, server):
    post_id = author.create_post()
    response = act(moderator, post_id, "hide", "Shares a phone number")
    assert response.status_code == 303 and response.headers["location"] == "/mod"
    assert flashes(moderator.get("/mod").text) == ["The post is hidden."]
    assert flashes(moderator.get("/mod").text) == []


def test_done_message_names_a_reply(author, member, moderator, server):
    reply_id = reply(member, author.create_post())
    assert moderator.post(f"/mod/replies/{reply_id}/remove", {"reason": "spam"}).status_code == 303
    assert flashes(moderator.get("/mod").text) == ["The reply is removed."]


def test_member_action_message_shows_once_on_their_page(member, moderator, server):
    target = member_id("member")
    response = moderator.post(f"/mod/members/{target}/silence", {"reason": "cool off"})
    assert response.status_code == 303 and response.headers["location"] == f"/mod/members/{target}"
    assert flashes(moderator.get(f"/mod/members/{target}").text) == ["The member is silenced."]
    assert flashes(moderator.get(f"/mod/members/{target}").text) == []


def test_role_change_message_shows_once(admin, member, server):
    response = admin.post(f"/admin/roles/{member_id('member')}", {"role": "team"})
    assert response.status_code == 303 and response.headers["location"] == "/admin/roles"
    assert flashes(admin.get("/admin/roles").text) == ["Role changed."]
    assert flashes(admin.get("/admin/roles").text) == []


# ---------------------------------------------------------------------------------------------
# Anonymise


def test_anonymise_removes_name_from_every_surface(world, server):  # noqa: F811
    author, moderator = world["author"], world["moderator"]
    post_id = author.create_post(title="Zephyrine anonymise", body="Zephyrine anonymise body")
    reply(author, post_id, "Thank you all, Zephyrine")
    reply(world["member"], post_id, "Holding you up")
    assert act(moderator, post_id, "anonymise", "Asked by a family member").status_code == 303
    for viewer in ("visitor", "member", "team", "moderator"):
        for name, (_, path) in SURFACES.items():
            page = world[viewer].get(path(post_id, "Zephyrine")).text
            if name == "profile":
                # The author's own profile names them, so it must not list the anonymised post.
                assert "Zephyrine" not in page, (viewer, name)
                continue
            for secret in (AUTHOR_NAME, AUTHOR_USERNAME):
                assert secret not in page, (viewer, name, secret)
    mod_pages = [f"/mod/posts/{post_id}", "/mod", "/mod/log"]
    for path in mod_pages:
        page = moderator.get(path).text
        assert AUTHOR_NAME not in page and AUTHOR_USERNAME not in page, path


def test_anonymise_makes_author_replies_in_thread_anonymous(world, server):  # noqa: F811
    author = world["author"]
    post_id = author.create_post()
    reply_id = reply(author, post_id, "My own reply")
    other_post = world["member"].create_post()
    other_reply = reply(author, other_post, "Reply elsewhere")
    act(world["moderator"], post_id, "anonymise")
    assert scalar("SELECT anonymous FROM reply WHERE public_id = ?", reply_id) in (1, True)
    assert scalar("SELECT anonymous FROM reply WHERE public_id = ?", other_reply) in (0, False)


def test_anonymised_post_tells_author_it_is_anonymous(world, server):  # noqa: F811
    post_id = world["author"].create_post()
    act(world["moderator"], post_id, "anonymise")
    assert "anonymously" in world["author"].get(f"/posts/{post_id}").text


def test_anonymise_stays_when_author_edits_post(world, server):  # noqa: F811
    author = world["author"]
    post_id = author.create_post(title="Keep me anonymous")
    act(world["moderator"], post_id, "anonymise")
    response = author.post(
        f"/posts/{post_id}/edit",
        {
            "kind": "request",
            "title": "Keep me anonymous",
            "body": "Edited text",
            "category": "Health and healing",
            "visibility": "public",
        },
    )
    assert response.status_code == 303
    assert scalar("SELECT anonymous FROM post WHERE public_id = ?", post_id) in (1, True)
    assert AUTHOR_NAME not in world["member"].get(f"/posts/{post_id}").text


def test_anonymise_stays_after_show_name_undo(world, server):  # noqa: F811
    author = world["author"]
    post_id = author.create_post()
    author.post("/settings/hide-name")
    act(world["moderator"], post_id, "anonymise")
    author.post("/settings/show-name")
    assert scalar("SELECT anonymous FROM post WHERE public_id = ?", post_id) in (1, True)


# ---------------------------------------------------------------------------------------------
# The log: one row per action, in the same transaction; filterable


ACTION_SETUP = {
    "approve": "pending",
    "reject": "pending",
    "hide": None,
    "unhide": "hidden",
    "anonymise": None,
    "redact": None,
    "lock": None,
    "unlock": None,
    "remove": None,
    "dismiss": "reported",
}


@pytest.mark.parametrize("action", sorted(ACTION_SETUP))
def test_action_writes_exactly_one_log_row(action, author, member, moderator, server):
    post_id = author.create_post()
    setup = ACTION_SETUP[action]
    if setup in ("pending", "hidden"):
        query("UPDATE post SET moderation = ? WHERE public_id = ?", setup, post_id)
    elif setup == "reported":
        report(member, post_id)
    if action == "unlock":
        query("UPDATE post SET replies_locked = ? WHERE public_id = ?", True, post_id)
    before = scalar("SELECT COUNT(*) FROM moderation_log")
    response = act(moderator, post_id, action, f"because {action}", body="Redacted text")
    assert response.status_code == 303, response.text
    rows = log_rows()
    assert len(rows) == before + 1
    row = rows[-1]
    assert (row["action"], row["target_kind"], row["target_id"]) == (action, "post", row_id(post_id))
    assert row["moderator"] == member_id("mira")
    assert row["reason"] == f"because {action}"
    assert f"because {action}" in moderator.get(f"/mod/log?action={action}").text


def test_log_filters_by_action(author, moderator, server):
    first, second = author.create_post(), author.create_post()
    act(moderator, first, "hide", "reason for hiding")
    act(moderator, second, "lock", "reason for locking")
    page = moderator.get("/mod/log?action=hide").text
    assert "reason for hiding" in page and "reason for locking" not in page


def test_log_filters_by_moderator(author, moderator, admin, server):
    first, second = author.create_post(), author.create_post()
    act(moderator, first, "hide", "hidden by mira")
    act(admin, second, "hide", "hidden by abe")
    page = moderator.get("/mod/log?moderator=abe").text
    assert "hidden by abe" in page and "hidden by mira" not in page


def test_log_filters_by_member(member, new_browser, moderator, server):
    other = new_browser()
    other.register("ezra")
    moderator.post(f"/mod/members/{member_id('member')}/silence", {"reason": "silencing naomi"})
    moderator.post(f"/mod/members/{member_id('ezra')}/silence", {"reason": "silencing ezra"})
    page = moderator.get("/mod/log?member=ezra").text
    assert "silencing ezra" in page and "silencing naomi" not in page


def test_log_is_refused_to_members(member, server):
    assert member.get("/mod/log").status_code == 403


# ---------------------------------------------------------------------------------------------
# Members: silence, suspend, restore, notes


@pytest.mark.parametrize(
    "action,fields",
    [
        ("silence", {"reason": "r"}),
        ("suspend", {"reason": "r"}),
        ("restore", {"reason": "r"}),
        ("note", {"body": "n"}),
    ],
)
def test_member_action_writes_exactly_one_log_row(action, fields, member, moderator, server):
    target = member_id("member")
    assert moderator.post(f"/mod/members/{target}/{action}", fields).status_code == 303
    rows = log_rows()
    assert len(rows) == 1
    assert (rows[0]["action"], rows[0]["target_kind"], rows[0]["member"]) == (action, "member", target)
    assert "member member" in moderator.get(f"/mod/log?member=member&action={action}").text


def test_silenced_member_cannot_post_or_reply(author, member, moderator, server):
    post_id = author.create_post()
    assert moderator.post(f"/mod/members/{member_id('member')}/silence", {"reason": "cool off"}).status_code == 303
    assert (
        member.post(
            "/posts",
            {"kind": "request", "title": "t", "body": "b", "category": "Health and healing", "visibility": "public"},
        ).status_code
        == 403
    )
    assert member.post(f"/posts/{post_id}/replies", {"body": "hello"}).status_code == 403
    assert scalar("SELECT COUNT(*) FROM post") == 1 and scalar("SELECT COUNT(*) FROM reply") == 0


def test_silenced_member_can_read_and_pray(author, member, moderator, server):
    post_id = author.create_post()
    moderator.post(f"/mod/members/{member_id('member')}/silence", {"reason": "cool off"})
    assert member.get(f"/posts/{post_id}").status_code == 200
    assert member.post(f"/posts/{post_id}/pray").status_code == 303
    assert scalar("SELECT praying_count FROM post WHERE public_id = ?", post_id) == 1


def test_silence_notifies_member(member, moderator, server):
    moderator.post(f"/mod/members/{member_id('member')}/silence", {"reason": "cool off"})
    assert "cool off" in member.get("/notifications").text


def test_suspended_member_cannot_sign_in(new_browser, member, moderator, server):
    moderator.post(f"/mod/members/{member_id('member')}/suspend", {"reason": "abuse"})
    fresh = new_browser()
    response = fresh.login("member")
    assert response.status_code == 422
    assert "That username and password do not match." in response.text  # as for a wrong password
    assert fresh.get("/posts/new").status_code == 303


def test_suspend_ends_existing_session_at_once(member, moderator, server):
    assert member.get("/posts/new").status_code == 200
    assert moderator.post(f"/mod/members/{member_id('member')}/suspend", {"reason": "abuse"}).status_code == 303
    response = member.get("/posts/new")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert (
        member.post(
            "/posts",
            {"kind": "request", "title": "t", "body": "b", "category": "Health and healing", "visibility": "public"},
        ).status_code
        == 303
    )
    assert scalar("SELECT COUNT(*) FROM post") == 0


def test_restore_lets_suspended_member_sign_in(new_browser, member, moderator, server):
    target = member_id("member")
    moderator.post(f"/mod/members/{target}/suspend", {"reason": "abuse"})
    assert moderator.post(f"/mod/members/{target}/restore", {"reason": "appeal granted"}).status_code == 303
    fresh = new_browser()
    assert fresh.login("member").status_code == 303
    assert fresh.get("/posts/new").status_code == 200


def test_sessions_ended_by_suspension_stay_dead_after_restore(member, moderator, server):
    target = member_id("member")
    assert moderator.post(f"/mod/members/{target}/suspend", {"reason": "abuse"}).status_code == 303
    assert moderator.post(f"/mod/members/{target}/restore", {"reason": "appeal granted"}).status_code == 303
    # The member never made a request while suspended; their old session must still be dead.
    response = member.get("/posts/new")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert member.login("member").status_code == 303
    assert member.get("/posts/new").status_code == 200


def test_member_action_without_reason_is_refused(member, moderator, server):
    response = moderator.post(f"/mod/members/{member_id('member')}/silence", {"reason": ""})
    assert response.status_code == 422
    assert "Please give a reason; it goes into the moderation log." in response.text
    assert scalar("SELECT state FROM member WHERE username = 'member'") == "active"


def test_moderator_cannot_suspend_an_admin(admin, moderator, server):
    assert moderator.post(f"/mod/members/{member_id('abe')}/suspend", {"reason": "x"}).status_code == 403
    assert scalar("SELECT state FROM member WHERE username = 'abe'") == "active"


def test_member_note_is_shown_to_moderators(member, moderator, server):
    target = member_id("member")
    assert moderator.post(f"/mod/members/{target}/note", {"body": "Spoke kindly by email"}).status_code == 303
    assert "Spoke kindly by email" in moderator.get(f"/mod/members/{target}").text


def test_member_note_is_hidden_from_the_member(member, moderator, server):
    target = member_id("member")
    moderator.post(f"/mod/members/{target}/note", {"body": "Spoke kindly by email"})
    assert member.get(f"/mod/members/{target}").status_code == 403
    for path in ("/settings", "/notifications", "/members/member", "/settings/export"):
        assert "Spoke kindly by email" not in member.get(path).text, path


def test_empty_member_note_is_refused(member, moderator, server):
    response = moderator.post(f"/mod/members/{member_id('member')}/note", {"body": ""})
    assert response.status_code == 422
    assert scalar("SELECT COUNT(*) FROM member_note") == 0


# ---------------------------------------------------------------------------------------------
# Acting on an anonymous author without revealing them; reveal for admins


def anonymous_post(author: Browser) -> str:
    return author.create_post(title="An anonymous burden", anonymous="on")


@pytest.mark.parametrize("action,restriction", [("silence_author", "silence"), ("suspend_author", "suspend")])
def test_act_on_anonymous_author_places_a_restriction_not_a_member_state(
    action, restriction, author, moderator, server
):
    # Issue 7: the member's own row never changes; the restriction is its own row.
    post_id = anonymous_post(author)
    assert act(moderator, post_id, action, "repeated unkindness").status_code == 303
    assert scalar("SELECT state FROM member WHERE username = 'author'") == "active"
    rows = query("SELECT action, status, member FROM author_restriction WHERE post = ?", row_id(post_id))
    assert rows == [{"action": restriction, "status": "active", "member": member_id("author")}]


@pytest.mark.parametrize("action", ["silence_author", "suspend_author"])
def test_act_on_anonymous_author_never_shows_their_name_to_moderators(action, world, server):  # noqa: F811
    moderator = world["moderator"]
    post_id = anonymous_post(world["author"])
    report(world["member"], post_id)
    act(moderator, post_id, action, "repeated unkindness")
    for path in ("/mod", f"/mod/posts/{post_id}", "/mod/log", f"/mod/log?action={action}", f"/posts/{post_id}", "/"):
        page = moderator.get(path).text
        assert AUTHOR_NAME not in page and AUTHOR_USERNAME not in page, path
        assert f"/mod/members/{member_id(AUTHOR_USERNAME)}" not in page, path
    # A moderator who guesses the member cannot confirm the guess through the log's filter.
    assert "repeated unkindness" not in moderator.get(f"/mod/log?member={AUTHOR_USERNAME}").text


def test_act_on_anonymous_author_is_logged_against_the_post(author, moderator, server):
    post_id = anonymous_post(author)
    act(moderator, post_id, "silence_author", "repeated unkindness")
    rows = log_rows(action="silence_author")
    assert len(rows) == 1 and (rows[0]["target_kind"], rows[0]["target_id"]) == ("post", row_id(post_id))


def test_reveal_by_moderator_is_forbidden(author, moderator, server):
    post_id = anonymous_post(author)
    response = act(moderator, post_id, "reveal", "safeguarding")
    assert response.status_code == 403
    assert "Ruth Author" not in response.text
    assert log_rows(action="reveal_author") == []


def test_reveal_offered_only_to_admins(author, moderator, admin, server):
    post_id = anonymous_post(author)
    assert "/reveal" not in moderator.get(f"/mod/posts/{post_id}").text
    assert "/reveal" in admin.get(f"/mod/posts/{post_id}").text


def test_reveal_needs_a_reason(author, admin, server):
    post_id = anonymous_post(author)
    response = act(admin, post_id, "reveal", "")
    assert response.status_code == 422
    assert "Ruth Author" not in response.text
    assert log_rows(action="reveal_author") == []


def test_reveal_by_admin_shows_name_and_is_logged(author, admin, server):
    post_id = anonymous_post(author)
    response = act(admin, post_id, "reveal", "safeguarding concern")
    assert response.status_code == 200
    assert "Ruth Author" in response.text
    rows = log_rows(action="reveal_author")
    assert len(rows) == 1
    assert rows[0]["moderator"] == member_id("abe") and rows[0]["reason"] == "safeguarding concern"
    assert "safeguarding concern" in admin.get("/mod/log?action=reveal_author").text


# ---------------------------------------------------------------------------------------------
# Rate limits (a server with two posts an hour)


@pytest.fixture
def limited(extra_servers: Any, migrated_database: str) -> Any:
    _, new_browser = extra_servers(
        {
            "PRAYERBOARD_POSTS_PER_HOUR": "2",
            "PRAYERBOARD_REPLIES_PER_HOUR": "2",
            "PRAYERBOARD_REPORTS_PER_HOUR": "2",
        }
    )
    browser = new_browser()
    assert browser.register("eager").status_code == 303
    browser.others = new_browser  # type: ignore[attr-defined]
    return browser


def test_rate_limit_first_day_allows_a_third_at_least_one(limited):
    assert limited.post("/posts", post_fields("one")).status_code == 303
    response = limited.post("/posts", post_fields("two"))
    assert response.status_code == 429
    assert "try again in" in response.text
    assert int(response.headers["retry-after"]) > 0
    assert scalar("SELECT COUNT(*) FROM post") == 1


def test_rate_limit_after_first_day_refuses_next_post(limited):
    query("UPDATE member SET created_at = ? WHERE username = 'eager'", dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    assert limited.post("/posts", post_fields("one")).status_code == 303
    assert limited.post("/posts", post_fields("two")).status_code == 303
    response = limited.post("/posts", post_fields("three"))
    assert response.status_code == 429
    assert "Please slow down" in response.text and "try again in" in response.text


def test_rate_limit_refuses_next_reply_on_first_day(limited):
    post_id = limited.create_post()
    assert limited.post(f"/posts/{post_id}/replies", {"body": "first"}).status_code == 303
    response = limited.post(f"/posts/{post_id}/replies", {"body": "second"})
    assert response.status_code == 429
    assert "try again in" in response.text
    assert scalar("SELECT COUNT(*) FROM reply") == 1


def test_rate_limit_refuses_next_report_on_first_day(limited):
    writer = limited.others()
    assert writer.register("writer").status_code == 303
    query("UPDATE member SET created_at = ? WHERE username = 'writer'", dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    first, second = writer.create_post(), writer.create_post()
    assert report(limited, first).status_code == 303
    assert report(limited, second).status_code == 429
    assert scalar("SELECT COUNT(*) FROM flag") == 1


def test_repeated_report_does_not_use_up_the_hourly_limit(limited):
    query("UPDATE member SET created_at = ? WHERE username = 'eager'", dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    writer = limited.others()
    assert writer.register("writer").status_code == 303
    query("UPDATE member SET created_at = ? WHERE username = 'writer'", dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    first, second = writer.create_post(), writer.create_post()
    assert report(limited, first).status_code == 303
    again = report(limited, first)
    assert again.status_code == 422 and "already reported" in again.text
    assert report(limited, second).status_code == 303
    assert scalar("SELECT COUNT(*) FROM flag") == 2


def test_flag_threshold_is_configurable(extra_servers, migrated_database):
    _, new_browser = extra_servers({"PRAYERBOARD_FLAG_THRESHOLD": "1"})
    writer, reader = new_browser(), new_browser()
    writer.register("writer")
    reader.register("reader")
    establish(reader)
    post_id = writer.create_post()
    assert report(reader, post_id).status_code == 303
    assert scalar("SELECT moderation FROM post WHERE public_id = ?", post_id) == "hidden"


# ---------------------------------------------------------------------------------------------
# Roles


def test_admin_changes_role_and_it_is_logged(admin, member, server):
    target = member_id("member")
    assert "Naomi Member" in admin.get("/admin/roles?q=naomi").text  # members are found by name
    assert admin.post(f"/admin/roles/{target}", {"role": "team"}).status_code == 303
    assert scalar("SELECT role FROM member WHERE id = ?", target) == "team"
    assert len(log_rows(target_kind="member", target_id=target)) == 1


def test_role_outside_list_is_refused(admin, member, server):
    response = admin.post(f"/admin/roles/{member_id('member')}", {"role": "emperor"})
    assert response.status_code == 422
    assert "Choose a role from the list." in response.text
    assert scalar("SELECT role FROM member WHERE username = 'member'") == "member"


@pytest.mark.parametrize("who", ["moderator", "member"])
def test_roles_refused_to_non_admins(who, moderator, member, server):
    browser = {"moderator": moderator, "member": member}[who]
    assert browser.get("/admin/roles").status_code == 403
    assert browser.post(f"/admin/roles/{member_id('member')}", {"role": "admin"}).status_code == 403
    assert scalar("SELECT role FROM member WHERE username = 'member'") == "member"


# ---------------------------------------------------------------------------------------------
# The route table: guarded areas and unsafe routes


SIGN_IN_EXEMPT = {
    "/login",
    "/register",
    "/logout",
    "/password/forgot",
    "/password/reset/{token:str}",
    "/register/resend",
    "/register/correct-address",
    "/register/confirm/{token:str}",
    "/mail/unsubscribe/{token:str}",
}
# Mail programs post here with no cookie and no form token (RFC 8058): the signed link is the
# proof, so a link the board did not sign is refused (400) and changes nothing.
CSRF_EXEMPT = {"/mail/unsubscribe/{token:str}"}


def routes() -> list[tuple[str, str]]:
    from prayerboard.app import create_app

    app = create_app()
    found = set()
    for route in app.routes:
        for handler in route.route_handlers:
            for method in handler.http_methods:
                if method in ("OPTIONS", "HEAD"):
                    continue
                found.add((method, route.path))
    return sorted(found)


@pytest.fixture
def ids(author, member, admin) -> dict[str, str]:
    """Real ids for path parameters; the world an unsafe request must not change."""
    post_id = author.create_post()
    reply_id = reply(member, post_id)
    add_word(admin, "casino", "review")
    return {
        "post_id": str(post_id),
        "reply_id": str(reply_id),
        "target_id": str(post_id),
        "target_kind": "posts",
        "action": "hide",
        "member_id": str(member_id("member")),
        "word_id": str(scalar("SELECT id FROM watched_word")),
        "username": "author",
        "token": "1.1.not-a-signature",
        "path": "openapi.json",
        "number": "1",  # a notification
    }


def fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+):\w+\}", lambda m: ids[m.group(1)], path)


# Moved by the mail sender on its own clock (services/mailings.py), not by any request.
SENDER_CLOCKS = ("news_mailed_at", "review_mailed_at", "prayer_list_mailed_at")


def snapshot() -> dict[str, Any]:
    return {
        table: [
            {column: value for column, value in row.items() if column not in SENDER_CLOCKS}
            for row in query(f"SELECT * FROM {table} ORDER BY id")
        ]
        for table in (
            "post",
            "reply",
            "member",
            "flag",
            "moderation_log",
            "watched_word",
            "prayer",
            "member_note",
            "notification",
        )
    }


def test_route_table_has_mod_and_admin_routes():
    paths = {path for _, path in routes()}
    assert any(p.startswith("/mod") for p in paths) and any(p.startswith("/admin") for p in paths)


def test_mod_and_admin_routes_send_visitors_to_sign_in(ids, visitor, server):
    for method, path in routes():
        if not path.startswith(("/mod", "/admin")):
            continue
        response = visitor.client.request(method, fill(path, ids)) if method == "GET" else visitor.post(fill(path, ids))
        assert response.status_code == 303, (method, path, response.status_code)
        assert response.headers["location"].startswith("/login"), (method, path)


def test_mod_and_admin_routes_refuse_members(ids, member, server):
    before = snapshot()
    for method, path in routes():
        if not path.startswith(("/mod", "/admin")):
            continue
        url = fill(path, ids)
        response = (
            member.get(url)
            if method == "GET"
            else member.post(url, {"reason": "r", "role": "admin", "word": "x", "action": "block"})
        )
        assert response.status_code == 403, (method, path, response.status_code)
    assert snapshot() == before


def test_unsafe_routes_refuse_visitor_without_csrf_token(ids, visitor, server):
    visitor.csrf_token()  # the cookie alone, without the token in the form, must not do
    before = snapshot()
    for method, path in routes():
        if method in ("GET", "HEAD"):
            continue
        response = visitor.post(fill(path, ids), {"reason": "spam", "body": "b"}, csrf=False)
        assert response.status_code == (400 if path in CSRF_EXEMPT else 403), (method, path, response.status_code)
    assert snapshot() == before


def test_unsafe_routes_refuse_member_without_csrf_token(ids, member, server):
    before = snapshot()
    for method, path in routes():
        if method in ("GET", "HEAD"):
            continue
        response = member.post(fill(path, ids), {"reason": "spam", "body": "b"}, csrf=False)
        assert response.status_code == (400 if path in CSRF_EXEMPT else 403), (method, path, response.status_code)
    assert snapshot() == before


def test_unsafe_routes_send_visitor_with_token_to_sign_in(ids, visitor, server):
    before = snapshot()
    for method, path in routes():
        if method in ("GET", "HEAD") or path in SIGN_IN_EXEMPT:
            continue
        response = visitor.post(fill(path, ids), {"reason": "spam", "body": "b"})
        assert response.status_code == 303, (method, path, response.status_code)
        assert response.headers["location"].startswith("/login"), (method, path)
    assert snapshot() == before
