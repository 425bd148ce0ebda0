"""Abuse (issue 8): reports from throwaway accounts, search as a denial of service, redaction kept.

Reports from brand-new members reach the queue but do not hide anything by themselves;
simultaneous reports are counted exactly; search drops repeated words, caps the number of
words and is throttled per client; an author cannot undo a moderator's redaction by editing.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from conftest import Browser, query, scalar

SEARCHES_PER_MINUTE = 60  # the default limit (PRAYERBOARD_SEARCHES_PER_MINUTE, settings.py)
ESTABLISHED_AGE = dt.timedelta(days=2)  # past the first day, after which reports count toward auto-hide


def establish(browser: Browser) -> None:
    """Make ``browser``'s member one whose reports count: a post on the board and older than a day."""
    browser.create_post(title=f"A request from {browser.username}", body="Thank you for praying.")
    query(
        "UPDATE member SET created_at = ? WHERE username = ?",
        dt.datetime.now(dt.UTC) - ESTABLISHED_AGE,
        browser.username,
    )


def members(new_browser: Any, *names: str, established: bool = False) -> list[Browser]:
    people = []
    for name in names:
        browser = new_browser()
        assert browser.register(name).status_code == 303
        if established:
            establish(browser)
        people.append(browser)
    return people


def moderator_browser(new_browser: Any) -> Browser:
    browser = new_browser()
    assert browser.register("mira", "Mira Moderator").status_code == 303
    query("UPDATE member SET role = 'moderator' WHERE username = 'mira'")
    return browser


def report(browser: Browser, post_id: str, reason: str = "spam") -> httpx.Response:
    return browser.post(f"/posts/{post_id}/flag", {"reason": reason})


# ---------------------------------------------------------------------------------------------
# Reports


def test_reports_from_three_new_accounts_leave_post_visible_and_reach_the_queue(author, visitor, new_browser, server):
    post_id = author.create_post(title="A post someone wants gone")
    for browser in members(new_browser, "rhoda", "silas", "tabitha"):
        assert report(browser, post_id).status_code == 303
    assert visitor.get(f"/posts/{post_id}").status_code == 200
    assert scalar("SELECT moderation FROM post WHERE public_id = ?", post_id) == "visible"
    queue = moderator_browser(new_browser).get("/mod").text
    assert "A post someone wants gone" in queue


def test_reports_from_old_accounts_without_a_post_on_the_board_do_not_hide(author, visitor, new_browser, server):
    post_id = author.create_post()
    for browser in members(new_browser, "rhoda", "silas", "tabitha"):
        query(
            "UPDATE member SET created_at = ? WHERE username = ?",
            dt.datetime.now(dt.UTC) - ESTABLISHED_AGE,
            browser.username,
        )
        assert report(browser, post_id).status_code == 303
    assert visitor.get(f"/posts/{post_id}").status_code == 200


def test_reports_from_three_established_members_hide_post(author, visitor, new_browser, server):
    post_id = author.create_post()
    for browser in members(new_browser, "rhoda", "silas", "tabitha", established=True):
        assert report(browser, post_id).status_code == 303
    assert visitor.get(f"/posts/{post_id}").headers["location"] == f"/login?next=/posts/{post_id}"  # as for no post


def test_simultaneous_reports_from_established_members_hide_every_post(author, new_browser, server):
    posts = [author.create_post(title=f"Request {n}") for n in range(10)]
    reporters = members(new_browser, "rhoda", "silas", "tabitha", established=True)
    tasks = [(browser, post_id) for post_id in posts for browser in reporters]
    start = threading.Barrier(len(tasks))

    def send(task: tuple[Browser, str]) -> int:
        browser, post_id = task
        token = browser.csrf_token()
        # A client of its own per request, with the member's cookies, so the reports really overlap.
        with httpx.Client(base_url=server.url, cookies=browser.client.cookies, timeout=60) as client:
            start.wait()
            return client.post(f"/posts/{post_id}/flag", data={"reason": "spam", "_csrf_token": token}).status_code

    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        statuses = list(pool.map(send, tasks))
    assert statuses == [303] * len(tasks)
    states = {row["public_id"]: row["moderation"] for row in query("SELECT public_id, moderation FROM post")}
    assert [states[post_id] for post_id in posts] == ["hidden"] * len(posts)


# ---------------------------------------------------------------------------------------------
# Search


def search(browser: Browser, q: str) -> httpx.Response:
    return browser.get("/search", params={"q": q})


def result_addresses(page: str) -> list[str]:
    return re.findall(r'id="result-post-([a-z0-9]+)"', page)


def test_search_of_a_repeated_word_finds_what_the_word_alone_finds(author, visitor, server):
    post_id = author.create_post(title="Please pray for my mother", body="She has surgery on Friday.")
    once = search(visitor, "pray")
    repeated = search(visitor, " ".join(["pray", "Pray", "PRAY"] * 13))  # 39 words, one term
    assert once.status_code == repeated.status_code == 200
    assert result_addresses(repeated.text) == result_addresses(once.text) == [post_id]
    assert "left out" not in repeated.text


def test_search_of_a_hundred_distinct_words_answers_and_says_some_were_left_out(author, visitor, server):
    author.create_post()
    words = " ".join(chr(0x4E00 + n) for n in range(100))  # 100 one-character words in 199 characters
    response = search(visitor, words)
    assert response.status_code == 200
    assert "were left out" in response.text


def test_search_past_the_limit_is_refused_calmly_with_retry_after(visitor, server):
    for _ in range(SEARCHES_PER_MINUTE):
        assert search(visitor, "mother").status_code == 200
    response = search(visitor, "mother")
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert "searched many times" in response.text
    assert "<title>" in response.text  # the site's own page, not a bare error


def test_search_limit_counts_each_client_on_its_own(visitor, member, server):
    for _ in range(SEARCHES_PER_MINUTE):
        assert search(visitor, "mother").status_code == 200
    assert search(visitor, "mother").status_code == 429  # the visitor has used up the minute
    response = search(member, "mother")
    assert response.status_code == 200
    assert "searched many times" not in response.text


# ---------------------------------------------------------------------------------------------
# Redaction kept


PRIVATE = "Call me on 555-0199, I live at 12 Elm Street."
REDACTED = "Call me, I live nearby."


def post_fields(body: str) -> dict[str, str]:
    return {
        "kind": "request",
        "title": "Please pray for my mother",
        "body": body,
        "category": "Health and healing",
        "visibility": "public",
    }


def reply_to(browser: Browser, post_id: str, body: str) -> str:
    response = browser.post(f"/posts/{post_id}/replies", {"body": body})
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("#reply-", 1)[1]


def test_author_edit_of_redacted_post_waits_for_review_and_keeps_revisions(author, visitor, new_browser, server):
    moderator = moderator_browser(new_browser)
    post_id = author.create_post(body=PRIVATE)
    redacted = moderator.post(f"/mod/posts/{post_id}/redact", {"reason": "Phone and address", "body": REDACTED})
    assert redacted.status_code == 303
    assert author.post(f"/posts/{post_id}/edit", post_fields(PRIVATE)).status_code == 303
    assert visitor.get(f"/posts/{post_id}").headers["location"] == f"/login?next=/posts/{post_id}"  # as for no post
    assert "555-0199" not in visitor.get("/").text
    own = author.get(f"/posts/{post_id}").text
    assert "Awaiting review" in own
    assert "a moderator will read it again" in author.get("/notifications").text
    item = moderator.get(f"/mod/posts/{post_id}").text
    assert "before a moderator's edit" in item  # the revision the redaction kept
    assert REDACTED in item  # the revision the author's edit kept: the redacted text it replaced
    assert [r["action"] for r in query("SELECT action FROM moderation_log ORDER BY id")] == [
        "redact",
        "edit_after_redaction",
    ]
    assert "Please pray for my mother" in moderator.get("/mod").text


def test_author_edit_of_redacted_reply_waits_for_review_and_keeps_revisions(
    author, member, visitor, new_browser, server
):
    moderator = moderator_browser(new_browser)
    post_id = author.create_post()
    reply_id = reply_to(member, post_id, PRIVATE)
    assert moderator.post(f"/mod/replies/{reply_id}/redact", {"reason": "Address", "body": REDACTED}).status_code == 303
    assert member.post(f"/posts/{post_id}/replies/{reply_id}/edit", {"body": PRIVATE}).status_code == 303
    for browser in (visitor, author):
        assert "555-0199" not in browser.get(f"/posts/{post_id}").text
    assert "a moderator will read it again" in member.get(f"/posts/{post_id}").text
    assert scalar("SELECT reply_count FROM post WHERE public_id = ?", post_id) == 0
    item = moderator.get(f"/mod/replies/{reply_id}").text
    assert "before a moderator's edit" in item
    assert REDACTED in item
    assert query("SELECT by_moderator FROM revision ORDER BY id") in (
        [{"by_moderator": True}, {"by_moderator": False}],
        [{"by_moderator": 1}, {"by_moderator": 0}],
    )


def test_author_edit_keeps_the_earlier_text_for_moderators(author, member, new_browser, server):
    moderator = moderator_browser(new_browser)
    post_id = author.create_post(body="The first words.")
    assert author.post(f"/posts/{post_id}/edit", post_fields("The second words.")).status_code == 303
    reply_id = reply_to(member, post_id, "A first reply.")
    assert member.post(f"/posts/{post_id}/replies/{reply_id}/edit", {"body": "A better reply."}).status_code == 303
    assert member.get(f"/posts/{post_id}").text.count("The second words.") == 1
    assert "The first words." in moderator.get(f"/mod/posts/{post_id}").text
    assert "A first reply." in moderator.get(f"/mod/replies/{reply_id}").text
    assert "The first words." not in member.get(f"/posts/{post_id}").text
    assert query("SELECT target_kind, by_moderator FROM revision ORDER BY id") == [
        {"target_kind": "post", "by_moderator": False},
        {"target_kind": "reply", "by_moderator": False},
    ]


def test_author_edit_of_a_post_never_redacted_stays_visible(author, visitor, server):
    post_id = author.create_post(body="The first words.")
    assert author.post(f"/posts/{post_id}/edit", post_fields("The second words.")).status_code == 303
    assert "The second words." in visitor.get(f"/posts/{post_id}").text


def test_author_update_on_a_redacted_post_waits_for_review(author, visitor, new_browser, server):
    moderator = moderator_browser(new_browser)
    post_id = author.create_post(body=PRIVATE)
    assert moderator.post(f"/mod/posts/{post_id}/redact", {"reason": "Phone", "body": REDACTED}).status_code == 303
    assert visitor.get(f"/posts/{post_id}").status_code == 200  # seen, and so cached, before the update
    assert author.post(f"/posts/{post_id}/updates", {"body": PRIVATE}).status_code == 303
    assert visitor.get(f"/posts/{post_id}").headers["location"] == f"/login?next=/posts/{post_id}"  # as for no post
    assert "555-0199" not in visitor.get("/").text
    assert "a moderator will read it again" in author.get("/notifications").text


def test_reports_count_by_what_their_reporters_were_when_they_reported(author, visitor, new_browser, server):
    """Throwaway accounts that report now and become established later never start to count."""
    post_id = author.create_post(title="A post someone wants gone")
    throwaways = members(new_browser, "rhoda", "silas")
    for browser in throwaways:
        assert report(browser, post_id).status_code == 303
        establish(browser)  # a post on the board and a day old, but only after reporting
    (latecomer,) = members(new_browser, "tabitha", established=True)
    assert report(latecomer, post_id).status_code == 303
    assert visitor.get(f"/posts/{post_id}").status_code == 200
