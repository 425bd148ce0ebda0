"""Member screens as served: buttons and links that say which post they are for, the header's
name leading to one's own profile, and the board's filters folded until one is used."""

from __future__ import annotations

import html
import re
from typing import Any

from conftest import Browser, query

TITLE = "Peace & rest for Anna's family"


def text_of(fragment: str) -> str:
    """What a screen reader reads out of an HTML fragment: its text, tags dropped, spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def pray_button_names(page: str) -> list[str]:
    return [
        text_of(inner) for inner in re.findall(r'<button[^>]*class="pray-button[^"]*"[^>]*>(.*?)</button>', page, re.S)
    ]


def reply_link_names(page: str) -> list[str]:
    return [text_of(inner) for inner in re.findall(r'<a class="reply-link"[^>]*>(.*?)</a>', page, re.S)]


def header_of(page: str) -> str:
    match = re.search(r'<header class="site-header">(.*?)</header>', page, re.S)
    assert match, page
    return match.group(1)


# --- names that say which post ---------------------------------------------------------------


def test_each_pray_button_and_replies_link_on_the_board_names_its_post(author: Browser, member: Browser) -> None:
    post_id = author.create_post(title=TITLE)
    author.create_post(title="Courage for Monday")
    member.post(f"/posts/{post_id}/replies", {"body": "With you."})
    member.post(f"/posts/{post_id}/replies", {"body": "And me."})
    member.post(f"/posts/{post_id}/pray")

    page = member.get("/").text

    assert sorted(pray_button_names(page)) == ["I'm praying for “Courage for Monday”", f"Praying for “{TITLE}”"]
    assert sorted(reply_link_names(page)) == ["0 replies to “Courage for Monday”", f"2 replies to “{TITLE}”"]


def test_the_pray_button_on_a_post_page_names_the_post(author: Browser, member: Browser) -> None:
    post_id = author.create_post(title=TITLE)
    assert pray_button_names(member.get(f"/posts/{post_id}").text) == [f"I'm praying for “{TITLE}”"]


def test_a_visitor_sees_the_replies_link_named_too_but_no_pray_button(author: Browser, visitor: Browser) -> None:
    author.create_post(title=TITLE)
    page = visitor.get("/").text
    assert pray_button_names(page) == []
    assert reply_link_names(page) == [f"0 replies to “{TITLE}”"]


# --- the header and one's own profile --------------------------------------------------------


def test_the_headers_name_leads_to_ones_own_profile(author: Browser) -> None:
    header = header_of(author.get("/").text)
    assert '<a href="/members/author"><span class="visually-hidden">Your profile: </span>Ruth Author</a>' in header
    assert 'href="/settings"' not in header


def test_ones_own_profile_offers_my_requests_and_settings(author: Browser) -> None:
    author.create_post(title=TITLE)
    page = author.get("/members/author").text
    assert '<a class="button button-secondary button-small" href="#requests">My requests</a>' in page
    assert '<a class="button button-secondary button-small" href="/settings">Settings</a>' in page
    # "My requests" lands on the list of them.
    assert '<section class="profile-posts" id="requests"' in page
    assert TITLE in html.unescape(page)


def test_someone_elses_profile_offers_neither(author: Browser, member: Browser, visitor: Browser) -> None:
    author.create_post(title=TITLE)
    for viewer in (member, visitor):
        page = viewer.get("/members/author").text
        assert "Ruth Author" in page
        assert "My requests" not in page
        assert 'href="/settings"' not in page


def test_a_member_waiting_for_approval_keeps_a_working_link_to_settings(new_browser: Any) -> None:
    admin = new_browser()
    assert admin.register("keeper").status_code == 303
    query("UPDATE member SET role = 'admin' WHERE username = 'keeper'")
    assert admin.post("/admin/settings", {"join_policy": "approval"}).status_code == 303
    waiting = new_browser()
    assert waiting.register("hopeful", "Hope Fuller").status_code == 303

    header = header_of(waiting.get("/join/waiting").text)

    # No profile yet (it would be a 404): the name leads to settings, which work.
    assert '<a href="/settings"><span class="visually-hidden">Settings for </span>Hope Fuller</a>' in header
    assert waiting.get("/members/hopeful").status_code == 404
    assert waiting.get("/settings").status_code == 200


# --- the board's filters ---------------------------------------------------------------------


def test_the_filters_are_folded_until_one_is_used(author: Browser, member: Browser) -> None:
    author.create_post(title=TITLE)
    folded = member.get("/").text
    assert '<details class="filters-panel">' in folded
    assert "<summary>Filter requests</summary>" in folded

    filtered = member.get("/?kind=request&category=&answered=").text
    assert '<details class="filters-panel" open>' in filtered
    assert '<option value="request" selected>' in filtered
    assert TITLE in html.unescape(filtered)
