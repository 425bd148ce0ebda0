"""Never lose a word: every refusal of a post, reply, update or report form shows the form
again with what was typed, says plainly what to do, and acts on nothing it refused.

docs/architecture.md, "Drafts and refusals". The browser's side (drafts kept in the browser,
focus on the error summary) is tests/test_browser_words.py.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import CSRF_COOKIE, Browser, Server, query, scalar

EXPIRED = "This form had expired, so nothing was sent. Your words are still here: send again."
TITLE = "Courage for Thursday"
BODY = "My brother starts his new job on Thursday & he is anxious about the long days."
REPLY = "Praying for you both this week, <friend> — you are not alone."
NOTE = "The same words were posted on three other boards."
STALE_TOKEN = "0" * 64 + "1" * 64  # looks like a token, signed by nobody


def post_form(**fields: str) -> dict[str, str]:
    values = {"kind": "request", "title": TITLE, "body": BODY, "category": "Health and healing", "visibility": "public"}
    values.update(fields)
    return values


def shows(response: Any, text: str) -> bool:
    """Whether the page shows ``text`` (the page holds it HTML-escaped)."""
    return text in html.unescape(response.text)


def page_token(response: Any) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', response.text)
    assert match, "the form came back without a token"
    return match.group(1)


def title_of(response: Any) -> str:
    match = re.search(r"<title>(.*?)</title>", response.text, re.S)
    assert match
    return html.unescape(match.group(1))


def assert_error_summary(response: Any, *field_ids: str) -> None:
    """The summary is there, says there is a problem, and links to fields that exist on the page."""
    assert 'id="error-summary"' in response.text and 'tabindex="-1"' in response.text
    assert "There is a problem" in response.text
    for field_id in field_ids:
        assert f'href="#{field_id}"' in response.text, field_id
        assert f'id="{field_id}"' in response.text, field_id
    assert title_of(response).startswith("Error: ")


# ---------------------------------------------------------------------------------------------
# Hourly limits (a server of its own with low limits; a new member's first day allows one)


@pytest.fixture(scope="module")
def limited_server(migrated_database: str) -> Iterator[Server]:
    running = Server(
        env={
            "PRAYERBOARD_POSTS_PER_HOUR": "3",
            "PRAYERBOARD_REPLIES_PER_HOUR": "3",
            "PRAYERBOARD_REPORTS_PER_HOUR": "3",
        }
    )
    yield running
    output = running.log()
    running.stop()
    assert "unhandled error" not in output, output


@pytest.fixture
def eager(limited_server: Server, migrated_database: str) -> Iterator[Browser]:
    browser = Browser(limited_server.url)
    assert browser.register("eager", "Eager Poster").status_code == 303
    yield browser
    browser.close()


def test_post_over_the_hourly_limit_comes_back_with_its_words(eager: Browser) -> None:
    assert eager.post("/posts", post_form(title="The first one")).status_code == 303
    response = eager.post("/posts", post_form(anonymous="on", visibility="members"))
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert "You have posted once this hour" in response.text and "try again in" in response.text
    assert "Your words are kept below" in response.text
    assert shows(response, TITLE) and shows(response, BODY)
    # The choices made come back too: who may read it, anonymous.
    assert re.search(r'id="visibility-members" value="members"\s+checked', response.text)
    assert re.search(r'id="anonymous"[^>]*checked', response.text)
    assert_error_summary(response, "body")
    assert scalar("SELECT COUNT(*) FROM post") == 1


def test_reply_over_the_hourly_limit_comes_back_with_its_words(eager: Browser) -> None:
    post_id = eager.create_post()
    assert eager.post(f"/posts/{post_id}/replies", {"body": "The first reply"}).status_code == 303
    response = eager.post(f"/posts/{post_id}/replies", {"body": REPLY})
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert "You have replied once this hour" in response.text and "Your words are kept below" in response.text
    assert shows(response, REPLY) and "<friend>" not in response.text  # shown as text, never as markup
    assert_error_summary(response, "body")
    assert scalar("SELECT COUNT(*) FROM reply") == 1


def test_report_over_the_hourly_limit_keeps_its_reason_and_note(eager: Browser, limited_server: Server) -> None:
    writer = Browser(limited_server.url)
    try:
        assert writer.register("writer").status_code == 303
        query(
            "UPDATE member SET created_at = ? WHERE username = 'writer'", dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
        )
        first, second = writer.create_post(), writer.create_post()
    finally:
        writer.close()
    assert eager.post(f"/posts/{first}/flag", {"reason": "spam", "note": ""}).status_code == 303
    response = eager.post(f"/posts/{second}/flag", {"reason": "unkind", "note": NOTE})
    assert response.status_code == 429
    assert "You have sent 1 report this hour" in response.text
    assert shows(response, NOTE)
    target = f"post-{second}"
    assert re.search(rf'id="{target}-reason-\d+" value="unkind" checked', response.text)
    assert_error_summary(response, f"note-{target}")
    assert scalar("SELECT COUNT(*) FROM flag") == 1


# ---------------------------------------------------------------------------------------------
# An expired form token: the form again with the words and a fresh token, nothing acted on


def test_post_with_an_expired_token_comes_back_with_its_words_and_a_working_token(author: Browser) -> None:
    response = author.post("/posts", {**post_form(), "_csrf_token": STALE_TOKEN})
    assert response.status_code == 403
    assert EXPIRED in response.text
    assert shows(response, TITLE) and shows(response, BODY)
    assert_error_summary(response, "body")
    assert scalar("SELECT COUNT(*) FROM post") == 0
    # Sending it again from the page that came back works.
    again = author.post("/posts", {**post_form(), "_csrf_token": page_token(response)})
    assert again.status_code == 303
    assert scalar("SELECT COUNT(*) FROM post") == 1


def test_post_without_its_token_cookie_gets_a_new_cookie_with_its_words(author: Browser) -> None:
    stale = author.csrf_token()
    author.client.cookies.delete(CSRF_COOKIE)
    response = author.post("/posts", {**post_form(), "_csrf_token": stale}, csrf=False)
    assert response.status_code == 403
    assert EXPIRED in response.text and shows(response, BODY)
    assert CSRF_COOKIE in response.cookies
    assert page_token(response) == response.cookies[CSRF_COOKIE]
    again = author.post("/posts", {**post_form(), "_csrf_token": page_token(response)}, csrf=False)
    assert again.status_code == 303


def test_reply_with_an_expired_token_comes_back_with_its_words(author: Browser, member: Browser) -> None:
    post_id = author.create_post()
    response = member.post(f"/posts/{post_id}/replies", {"body": REPLY, "_csrf_token": STALE_TOKEN})
    assert response.status_code == 403
    assert EXPIRED in response.text and shows(response, REPLY)
    assert_error_summary(response, "body")
    assert scalar("SELECT COUNT(*) FROM reply") == 0
    again = member.post(f"/posts/{post_id}/replies", {"body": REPLY, "_csrf_token": page_token(response)})
    assert again.status_code == 303


def test_update_with_an_expired_token_comes_back_with_its_words(author: Browser) -> None:
    post_id = author.create_post()
    words = "The surgery went well; thank you for every prayer."
    response = author.post(f"/posts/{post_id}/updates", {"body": words, "_csrf_token": STALE_TOKEN})
    assert response.status_code == 403
    assert EXPIRED in response.text and shows(response, words)
    assert_error_summary(response, "update-body")
    assert scalar("SELECT COUNT(*) FROM post_update") == 0


def test_edits_with_an_expired_token_come_back_with_their_words(author: Browser) -> None:
    post_id = author.create_post()
    edited = post_form(title="Courage, and thanks", body="Edited: he loved his first day.")
    response = author.post(f"/posts/{post_id}/edit", {**edited, "_csrf_token": STALE_TOKEN})
    assert response.status_code == 403
    assert EXPIRED in response.text and shows(response, "Edited: he loved his first day.")
    assert scalar("SELECT title FROM post WHERE public_id = ?", post_id) == "Please pray for my mother"

    reply = author.post(f"/posts/{post_id}/replies", {"body": "Thank you all."})
    reply_id = reply.headers["location"].rsplit("#reply-", 1)[1]
    response = author.post(
        f"/posts/{post_id}/replies/{reply_id}/edit", {"body": "Thank you, all of you.", "_csrf_token": STALE_TOKEN}
    )
    assert response.status_code == 403
    assert EXPIRED in response.text and shows(response, "Thank you, all of you.")
    assert scalar("SELECT body FROM reply WHERE public_id = ?", reply_id) == "Thank you all."


def test_report_with_an_expired_token_keeps_its_reason_and_note(author: Browser, member: Browser) -> None:
    post_id = author.create_post()
    response = member.post(f"/posts/{post_id}/flag", {"reason": "spam", "note": NOTE, "_csrf_token": STALE_TOKEN})
    assert response.status_code == 403
    assert EXPIRED in response.text and shows(response, NOTE)
    assert re.search(rf'id="post-{post_id}-reason-\d+" value="spam" checked', response.text)
    assert scalar("SELECT COUNT(*) FROM flag") == 0


def test_an_expired_form_from_another_site_gets_the_plain_refusal(author: Browser) -> None:
    for headers in ({"Origin": "https://elsewhere.example"}, {"Sec-Fetch-Site": "cross-site"}):
        response = author.post("/posts", {**post_form(), "_csrf_token": STALE_TOKEN}, headers=headers)
        assert response.status_code == 403
        assert shows(response, "You can't do that here")
        assert not shows(response, BODY) and EXPIRED not in response.text
    assert scalar("SELECT COUNT(*) FROM post") == 0


def test_a_visitors_expired_form_gets_the_plain_refusal(visitor: Browser) -> None:
    response = visitor.post("/posts", {**post_form(), "_csrf_token": STALE_TOKEN})
    assert response.status_code == 403
    assert shows(response, "You can't do that here") and not shows(response, BODY)


def test_an_expired_edit_of_someone_elses_post_shows_nothing_of_it(author: Browser, member: Browser) -> None:
    post_id = author.create_post(body="Only the author may edit this.")
    response = member.post(f"/posts/{post_id}/edit", {**post_form(), "_csrf_token": STALE_TOKEN})
    assert response.status_code == 403
    assert shows(response, "You can't do that here") and EXPIRED not in response.text
    assert "Only the author may edit this." not in response.text


# ---------------------------------------------------------------------------------------------
# Validation, watched words, a repeated report


def test_a_post_refused_for_a_watched_word_keeps_its_words(author: Browser) -> None:
    query("INSERT INTO watched_word (word, action) VALUES ('casino', 'block')")
    response = author.post("/posts", post_form(body="Pray for me at the casino tonight."))
    assert response.status_code == 422
    assert "casino" in response.text and shows(response, "Pray for me at the casino tonight.")
    assert shows(response, TITLE)
    assert_error_summary(response, "body")


def test_a_form_error_links_each_problem_to_its_field(author: Browser) -> None:
    response = author.post("/posts", post_form(title="", category="", kind="poem"))
    assert response.status_code == 422
    assert shows(response, BODY)
    assert_error_summary(response, "title", "category", "kind-request")


def test_a_repeated_report_keeps_its_note_and_is_tied_to_the_reasons(author: Browser, member: Browser) -> None:
    post_id = author.create_post()
    assert member.post(f"/posts/{post_id}/flag", {"reason": "spam", "note": ""}).status_code == 303
    response = member.post(f"/posts/{post_id}/flag", {"reason": "spam", "note": NOTE})
    assert response.status_code == 422
    assert "already reported" in response.text and shows(response, NOTE)
    target = f"post-{post_id}"
    error_id = f"{target}-reason-error"
    assert f'<p class="field-error" id="{error_id}">' in response.text
    radios = re.findall(r'<input type="radio" name="reason" id="' + target + r'-reason-\d+"[^>]*>', response.text)
    assert radios and all(f'aria-describedby="{error_id}"' in radio for radio in radios)
    assert_error_summary(response, f"{target}-reason-1")
    assert scalar("SELECT COUNT(*) FROM flag") == 1


def test_a_page_without_problems_has_no_summary_and_a_plain_title(author: Browser) -> None:
    response = author.get("/posts/new")
    assert 'id="error-summary"' not in response.text
    assert not title_of(response).startswith("Error")


def test_joining_and_signing_in_refused_show_the_summary_and_keep_what_was_typed(visitor: Browser) -> None:
    response = visitor.post(
        "/register", {"username": "ruth", "display_name": "Ruth", "email": "not an address", "password": "short"}
    )
    assert response.status_code == 422
    assert_error_summary(response, "email", "password")
    assert 'value="ruth"' in response.text and 'value="not an address"' in response.text
    assert 'value="short"' not in response.text  # a password is never sent back

    response = visitor.post("/login", {"username": "nobody-here", "password": "a wrong password 42"})
    assert response.status_code == 422
    assert_error_summary(response, "password")
    assert 'value="nobody-here"' in response.text


def test_an_expired_form_the_page_would_not_offer_gets_the_plain_refusal(author: Browser, member: Browser) -> None:
    post_id = author.create_post()
    words = "Words for a form this member is not offered."
    # An update on someone else's post; a reply where replies are closed.
    response = member.post(f"/posts/{post_id}/updates", {"body": words, "_csrf_token": STALE_TOKEN})
    assert response.status_code == 403
    assert shows(response, "You can't do that here") and not shows(response, words)
    query("UPDATE post SET replies_locked = ? WHERE public_id = ?", True, post_id)
    response = member.post(f"/posts/{post_id}/replies", {"body": words, "_csrf_token": STALE_TOKEN})
    assert response.status_code == 403
    assert shows(response, "You can't do that here") and not shows(response, words)
    assert scalar("SELECT COUNT(*) FROM post_update") + scalar("SELECT COUNT(*) FROM reply") == 0
