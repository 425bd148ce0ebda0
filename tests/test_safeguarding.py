"""Safeguarding (issue 10): what a moderator can do next about "someone may be in danger".

An urgent report puts a panel on the item's moderation page: the reporters' words, what to do
next, the named author's email address on request (logged), a message to the author mailed by
the board (logged; the only way to reach an anonymous author, whose address and name never
appear), and "reached out" (logged, shown on the page). docs/moderation.md, "Safeguarding".
"""

from __future__ import annotations

import datetime as dt
from mailbox import text_of, wait_until
from typing import Any

import pytest

from conftest import Browser, query, row_id, scalar

PANEL = "Someone may be in danger"
NOTE = "She wrote that she cannot go on; please check on her tonight."
SECRET_USERNAME = "hannah"
SECRET_NAME = "Hannah Hidden"
SECRET_EMAIL = "hannah@example.org"


def set_role(username: str, role: str) -> None:
    query("UPDATE member SET role = ? WHERE username = ?", role, username)


def person(new_browser: Any, username: str, display_name: str, role: str = "member") -> Browser:
    browser = new_browser()
    assert browser.register(username, display_name).status_code == 303
    if role != "member":
        set_role(username, role)
    return browser


@pytest.fixture
def moderator(new_browser: Any) -> Browser:
    return person(new_browser, "mira", "Mira Moderator", "moderator")


@pytest.fixture
def second_moderator(new_browser: Any) -> Browser:
    return person(new_browser, "gideon", "Gideon Guard", "admin")


@pytest.fixture
def secret_author(new_browser: Any) -> Browser:
    return person(new_browser, SECRET_USERNAME, SECRET_NAME)


def report(browser: Browser, post_id: str, reason: str = "danger", note: str = NOTE) -> None:
    assert browser.post(f"/posts/{post_id}/flag", {"reason": reason, "note": note}).status_code == 303


def item_page(browser: Browser, post_id: str) -> str:
    page = browser.get(f"/mod/posts/{post_id}")
    assert page.status_code == 200
    return page.text


def log_rows(action: str) -> list[dict[str, Any]]:
    return query("SELECT * FROM moderation_log WHERE action = ? ORDER BY id", action)


def member_id(username: str) -> int:
    return scalar("SELECT id FROM member WHERE username = ?", username)


# ---------------------------------------------------------------------------------------------
# The panel


def test_the_panel_shows_the_reporters_words_only_for_an_urgent_report(author, member, moderator, server):
    urgent = author.create_post(title="Struggling tonight")
    plain = author.create_post(title="A plain request")
    report(member, urgent)
    report(member, plain, reason="spam", note="looks like an advert")

    page = item_page(moderator, urgent)
    assert PANEL in page
    assert NOTE.replace("'", "&#39;") in page or NOTE in page
    assert "call the local emergency services" in page
    assert "Show email address" in page and "Write to the author" in page and "Mark reached out" in page
    # The page names no reporter.
    assert "Naomi" not in page and ">member<" not in page
    # The address is not in the page until a moderator asks for it.
    assert "author@example.org" not in page

    other = item_page(moderator, plain)
    assert PANEL not in other and "Show email address" not in other and "Mark reached out" not in other


def test_the_panel_stays_after_the_post_is_hidden_so_the_author_can_still_be_reached(author, member, moderator, server):
    post_id = author.create_post()
    report(member, post_id)
    hidden = moderator.post(f"/mod/posts/{post_id}/hide", {"reason": "keeping her story private"})
    assert hidden.status_code == 303
    page = item_page(moderator, post_id)
    assert PANEL in page and "settled" in page
    assert moderator.post(f"/mod/posts/{post_id}/safeguarding/reached-out", {"note": ""}).status_code == 303


# ---------------------------------------------------------------------------------------------
# Who may


def test_members_team_and_visitors_are_refused_every_step(author, member, moderator, new_browser, mailbox, server):
    post_id = author.create_post()
    report(member, post_id)
    team = person(new_browser, "tamar", "Tamar Team", "team")
    visitor = new_browser()
    steps = {
        "email": {},
        "write": {"message": "Are you safe?"},
        "reached-out": {"note": "called her"},
    }
    for step, fields in steps.items():
        url = f"/mod/posts/{post_id}/safeguarding/{step}"
        for browser in (member, team, author):
            answer = browser.post(url, fields)
            assert answer.status_code == 403, (step, browser.username, answer.status_code)
            assert "author@example.org" not in answer.text
        answer = visitor.post(url, fields)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login"), step
        # A member is no kind of post or reply here: not found, for moderators too.
        assert moderator.post(f"/mod/members/{member_id('author')}/safeguarding/{step}", fields).status_code == 404
    assert query("SELECT * FROM moderation_log WHERE action IN ('email_shown', 'wrote_to_author', 'reached_out')") == []
    assert scalar("SELECT count(*) FROM outbox WHERE kind = 'from_moderator'") == 0
    assert mailbox.to("author@example.org") == []


def test_no_step_is_taken_without_an_urgent_report(author, member, moderator, server):
    post_id = author.create_post()
    report(member, post_id, reason="unkind", note="rude")
    for step, fields in {"email": {}, "write": {"message": "hello"}, "reached-out": {"note": ""}}.items():
        answer = moderator.post(f"/mod/posts/{post_id}/safeguarding/{step}", fields)
        assert answer.status_code == 409, step
        assert "no urgent report" in answer.text
        assert "author@example.org" not in answer.text
    assert query("SELECT * FROM moderation_log WHERE action IN ('email_shown', 'wrote_to_author', 'reached_out')") == []
    assert scalar("SELECT count(*) FROM outbox WHERE kind = 'from_moderator'") == 0


# ---------------------------------------------------------------------------------------------
# A named author


def test_showing_a_named_authors_address_is_logged_once_naming_the_moderator(author, member, moderator, server):
    post_id = author.create_post()
    report(member, post_id)
    shown = moderator.post(f"/mod/posts/{post_id}/safeguarding/email")
    assert shown.status_code == 200
    assert "author@example.org" in shown.text
    assert "This was logged" in shown.text

    [entry] = log_rows("email_shown")
    assert entry["moderator"] == member_id("mira")
    assert entry["member"] == member_id("author")
    assert entry["target_kind"] == "post" and entry["target_id"] == row_id(post_id)
    # The log page says who saw it; the address itself is in no page but that answer.
    log_page = moderator.get("/mod/log?action=email_shown").text
    assert "saw the author&#39;s email address for" in log_page or "saw the author's email address for" in log_page
    assert "mira" in log_page and "author@example.org" not in log_page
    page = item_page(moderator, post_id)
    assert "author@example.org" not in page
    assert "Email address shown to mira" in page


def test_an_unconfirmed_address_is_shown_marked_so(author, member, moderator, server):
    post_id = author.create_post()
    report(member, post_id)
    query("UPDATE member SET email_confirmed = ? WHERE username = 'author'", False)
    shown = moderator.post(f"/mod/posts/{post_id}/safeguarding/email")
    assert "author@example.org" in shown.text and "(not confirmed)" in shown.text


def test_a_named_reply_authors_address_can_be_shown(author, member, moderator, new_browser, server):
    post_id = author.create_post()
    answered = member.post(f"/posts/{post_id}/replies", {"body": "I do not want to be here any more."})
    reply_id = answered.headers["location"].rsplit("#reply-", 1)[1]
    worried = person(new_browser, "boaz", "Boaz Worried")
    assert (
        worried.post(f"/posts/{post_id}/replies/{reply_id}/flag", {"reason": "danger", "note": NOTE}).status_code == 303
    )
    page = moderator.get(f"/mod/replies/{reply_id}").text
    assert PANEL in page
    shown = moderator.post(f"/mod/replies/{reply_id}/safeguarding/email")
    assert shown.status_code == 200 and "member@example.org" in shown.text
    [entry] = log_rows("email_shown")
    assert entry["target_kind"] == "reply" and entry["member"] == member_id("member")


# ---------------------------------------------------------------------------------------------
# An anonymous author


def test_an_anonymous_authors_address_and_name_appear_nowhere(secret_author, member, moderator, mailbox, server):
    title = "I am not sure I can keep going"
    post_id = secret_author.create_post(title=title, anonymous="on")
    report(member, post_id)

    page = item_page(moderator, post_id)
    assert PANEL in page and "Write to the author" in page
    assert "Show email address" not in page
    # Asking anyway is refused, logs nothing, and still says nothing of the author.
    refused = moderator.post(f"/mod/posts/{post_id}/safeguarding/email")
    assert refused.status_code == 409
    assert log_rows("email_shown") == []

    sent = moderator.post(f"/mod/posts/{post_id}/safeguarding/write", {"message": "We are here. Are you safe tonight?"})
    assert sent.status_code == 303
    done = moderator.post(f"/mod/posts/{post_id}/safeguarding/reached-out", {"note": "wrote through the board"})
    assert done.status_code == 303

    # The message reaches the author, from "the moderators", naming no moderator.
    wait_until(lambda: mailbox.to(SECRET_EMAIL), what="the moderators' message")
    [message] = mailbox.to(SECRET_EMAIL)
    body = text_of(message)
    html = text_of(message, "html")
    assert "We are here. Are you safe tonight?" in body
    assert "The moderators of" in body and "emergency services" in body
    # Whoever else reads her mail must not learn which anonymous post is hers: no link to it.
    assert f"/posts/{post_id}" not in body and post_id not in html
    assert "/login" in body
    for text in (body, html, str(message["Subject"]), str(message["From"])):
        assert "mira" not in text.lower() and "Mira" not in text
        assert title not in text  # the post's title stays on the board
    # Logged, naming the item and no member.
    [entry] = log_rows("wrote_to_author")
    assert entry["member"] is None and entry["moderator"] == member_id("mira")
    [reached] = log_rows("reached_out")
    assert reached["member"] is None

    pages = [
        item_page(moderator, post_id),
        moderator.get("/mod/log").text,
        moderator.get("/mod/log?action=wrote_to_author").text,
        refused.text,
        moderator.get("/mod").text,
    ]
    for text in pages:
        for secret in (SECRET_EMAIL, SECRET_NAME, SECRET_USERNAME, f"/mod/members/{member_id(SECRET_USERNAME)}"):
            assert secret not in text, secret


def test_the_answer_to_writing_is_the_same_for_an_author_who_cannot_be_mailed(secret_author, member, moderator, server):
    post_id = secret_author.create_post(anonymous="on")
    report(member, post_id)
    answers = []
    for change in (
        "UPDATE member SET email_confirmed = ? WHERE username = ?",
        "UPDATE member SET email = ? WHERE username = ?",
    ):
        query(change, False if "confirmed" in change else "", SECRET_USERNAME)
        sent = moderator.post(f"/mod/posts/{post_id}/safeguarding/write", {"message": "Are you safe?"})
        assert sent.status_code == 303
        answers.append(moderator.get(sent.headers["location"]).text)
    assert all("on its way to the author" in page for page in answers)
    assert len(log_rows("wrote_to_author")) == 2
    assert scalar("SELECT count(*) FROM outbox WHERE kind = 'from_moderator'") == 0


def test_a_named_author_without_a_confirmed_address_is_not_written_to(author, member, moderator, server):
    post_id = author.create_post()
    report(member, post_id)
    query("UPDATE member SET email_confirmed = ? WHERE username = 'author'", False)
    answer = moderator.post(f"/mod/posts/{post_id}/safeguarding/write", {"message": "Are you safe?"})
    assert answer.status_code == 409
    assert "no confirmed email address" in answer.text and "Are you safe?" in answer.text
    assert log_rows("wrote_to_author") == []
    assert scalar("SELECT count(*) FROM outbox WHERE kind = 'from_moderator'") == 0


def test_an_empty_message_is_a_clear_form_error(author, member, moderator, server):
    post_id = author.create_post()
    report(member, post_id)
    answer = moderator.post(f"/mod/posts/{post_id}/safeguarding/write", {"message": "  "})
    assert answer.status_code == 422
    assert "Please write the message" in answer.text
    too_long = moderator.post(f"/mod/posts/{post_id}/safeguarding/write", {"message": "x" * 2001})
    assert too_long.status_code == 422 and "x" * 2001 in too_long.text
    note = moderator.post(f"/mod/posts/{post_id}/safeguarding/reached-out", {"note": "n" * 501})
    assert note.status_code == 422
    assert log_rows("wrote_to_author") == [] and log_rows("reached_out") == []


# ---------------------------------------------------------------------------------------------
# Reached out


def test_reached_out_shows_on_the_page_and_in_the_log_for_each_moderator(
    author, member, moderator, second_moderator, server
):
    post_id = author.create_post()
    report(member, post_id)
    page = item_page(moderator, post_id)
    assert "Nobody has reached out yet." in page

    first = moderator.post(f"/mod/posts/{post_id}/safeguarding/reached-out", {"note": "phoned her, she is with family"})
    assert first.status_code == 303
    assert "you reached out" in moderator.get(first.headers["location"]).text
    assert second_moderator.post(f"/mod/posts/{post_id}/safeguarding/reached-out", {"note": ""}).status_code == 303

    page = item_page(moderator, post_id)
    assert "Reached out by mira" in page and "phoned her, she is with family" in page
    assert "Reached out by gideon" in page
    assert "Nobody has reached out yet." not in page
    rows = log_rows("reached_out")
    assert [r["moderator"] for r in rows] == [member_id("mira"), member_id("gideon")]
    log_page = moderator.get("/mod/log?action=reached_out").text
    assert log_page.count("reached out about") == 2
    assert "phoned her, she is with family" in log_page


def test_hostile_input_to_every_step_gets_a_calm_answer(author, member, moderator, server):
    post_id = author.create_post()
    report(member, post_id)
    for value in ("a\x00b", "\r\nSet-Cookie: x=1", "\u202etxt.exe", "é" * 5000, ["one", "two"]):
        for step, field in (("write", "message"), ("reached-out", "note"), ("email", "message")):
            answer = moderator.post(f"/mod/posts/{post_id}/safeguarding/{step}", {field: value})
            # 409: three messages a day from one moderator to one author are enough.
            assert answer.status_code in (200, 303, 422) or (step, answer.status_code) == ("write", 409), (
                step,
                answer.status_code,
            )
    for bad in ("%00", "0", "a" * 1000, "..%2F.."):
        for step in ("email", "write", "reached-out"):
            assert moderator.post(f"/mod/posts/{bad}/safeguarding/{step}", {}).status_code == 404
            assert moderator.post(f"/mod/replies/{bad}/safeguarding/{step}", {}).status_code == 404
            assert moderator.post(f"/mod/nothing/{post_id}/safeguarding/{step}", {}).status_code == 404
    invalid_utf8 = moderator.client.post(
        f"/mod/posts/{post_id}/safeguarding/write",
        content=b"message=%FF&_csrf_token=" + moderator.csrf_token().encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert invalid_utf8.status_code == 400


def test_a_moderator_cannot_open_the_steps_with_a_report_of_their_own(author, moderator, second_moderator, server):
    post_id = author.create_post()
    report(moderator, post_id)
    for step, fields in {"email": {}, "write": {"message": "hello"}, "reached-out": {"note": ""}}.items():
        answer = moderator.post(f"/mod/posts/{post_id}/safeguarding/{step}", fields)
        assert answer.status_code == 409, step
        assert "another moderator takes these steps" in answer.text
    assert log_rows("email_shown") == [] and log_rows("wrote_to_author") == []
    # Another moderator may.
    assert "author@example.org" in second_moderator.post(f"/mod/posts/{post_id}/safeguarding/email").text


def test_one_moderator_writes_to_one_author_at_most_three_times_a_day(author, member, moderator, mailbox, server):
    post_id = author.create_post()
    report(member, post_id)
    for n in range(3):
        sent = moderator.post(f"/mod/posts/{post_id}/safeguarding/write", {"message": f"Are you safe? ({n})"})
        assert sent.status_code in (200, 303)
    refused = moderator.post(f"/mod/posts/{post_id}/safeguarding/write", {"message": "And again"})
    assert refused.status_code == 409
    assert "three times today" in refused.text
    assert len(log_rows("wrote_to_author")) == 3


def test_a_message_waiting_when_the_author_changes_address_does_not_go_to_the_old_one(author, member, mailbox, server):
    # Two messages from the moderators wait in the outbox (as "write to the author" leaves them);
    # before they go, the author's address changes. The member's, unchanged, goes.
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    for username in ("author", "member"):
        query(
            # (No question mark in the SQL itself: the PostgreSQL runner numbers every one.)
            "INSERT INTO outbox (member, to_address, kind, subject, text_body, html_body, post_visibility,"
            " post_anonymous, status, attempts, next_attempt_at, last_error, created_at)"
            " VALUES (?, ?, 'from_moderator', ?, 'Are you safe', '', '', false, 'waiting', 0, ?, '', ?)",
            member_id(username),
            f"{username}@example.org",
            f"To {username}",
            later,
            later,
        )
    query("UPDATE member SET email = 'ruth.new@example.org' WHERE username = 'author'")
    query("UPDATE outbox SET next_attempt_at = ?", dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    [message] = mailbox.wait_for(1)
    assert message["To"] == "member@example.org"
    wait_until(lambda: scalar("SELECT status FROM outbox WHERE subject = 'To author'") == "skipped", what="skipped")
    assert mailbox.to("author@example.org") == [] and mailbox.to("ruth.new@example.org") == []
