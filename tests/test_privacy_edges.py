"""Edges found by attacking the privacy rules (docs/privacy.md): each was a leak once."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from conftest import query

ATOM = "{http://www.w3.org/2005/Atom}"


def feed_entry(browser, title: str) -> ET.Element:
    feed = ET.fromstring(browser.get("/feed.atom").content)
    return next(e for e in feed.findall(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == title)


def test_editing_ones_own_post_never_names_a_reply_written_while_the_name_was_hidden(author, visitor):
    post_id = author.create_post(title="Named request")
    author.post("/settings/hide-name")
    author.post(f"/posts/{post_id}/replies", {"body": "Written while hidden: the diagnosis"})
    author.post("/settings/show-name")
    edited = author.post(
        f"/posts/{post_id}/edit",
        {
            "kind": "request",
            "title": "Named request",
            "body": "Typo fixed",
            "category": "Health and healing",
            "visibility": "public",
        },
    )
    assert edited.status_code == 303
    page = visitor.get(f"/posts/{post_id}").text
    reply = page.split("Written while hidden: the diagnosis")[0].rsplit('<li class="reply"', 1)[1]
    assert "/members/author" not in reply and "Anonymous" in reply


def test_feed_updated_moves_when_a_moderator_redacts_a_post(author, new_browser, visitor):
    post_id = author.create_post(title="Redacted one", body="my sister Jane Doe has cancer")
    query("UPDATE post SET created_at = '2026-01-01 10:00:00+00:00' WHERE public_id = ?", post_id)
    before = feed_entry(visitor, "Redacted one").findtext(f"{ATOM}updated")
    moderator = new_browser()
    assert moderator.register("mo").status_code == 303
    query("UPDATE member SET role = 'moderator' WHERE username = 'mo'")
    redact = moderator.post(f"/mod/posts/{post_id}/redact", {"reason": "a name", "body": "my sister has cancer"})
    assert redact.status_code == 303
    entry = feed_entry(visitor, "Redacted one")
    assert entry.findtext(f"{ATOM}updated") > before
    assert "Jane Doe" not in ET.tostring(entry, encoding="unicode")


def test_hiding_a_name_moves_the_feed_on_without_an_exact_time_shared_by_the_posts(author, visitor):
    first = author.create_post(title="First of hers")
    second = author.create_post(title="Second of hers")
    for post_id in (first, second):
        query("UPDATE post SET created_at = '2026-01-01 10:20:30+00:00' WHERE public_id = ?", post_id)
    before = feed_entry(visitor, "First of hers").findtext(f"{ATOM}updated")
    author.post("/settings/hide-name")
    for title in ("First of hers", "Second of hers"):
        updated = feed_entry(visitor, title).findtext(f"{ATOM}updated")
        assert updated > before
        assert updated.endswith(":00:00Z"), updated  # the hour, never the second they were hidden in


def test_a_cursor_on_a_post_one_cannot_see_tells_nothing(author, visitor):
    for n in range(3):
        author.create_post(title=f"Open {n}")
    hidden = author.create_post(title="Team only", visibility="team")
    unknown = visitor.get("/api/v1/posts?before=zzzzzzzzzz").json()
    behind_hidden = visitor.get(f"/api/v1/posts?before={hidden}").json()
    assert behind_hidden == unknown
    assert visitor.get(f"/?before={hidden}").text.count('class="post-card"') == 3


def test_profile_cursors_refuse_nothing_they_cannot_read(author, visitor):
    anonymous = author.create_post(title="Quiet one", anonymous="on")
    author.create_post(title="Named one")
    for cursor in ("%00", "ab%00", anonymous, "x" * 300):
        response = visitor.get(f"/members/author?posts_before={cursor}&replies_before={cursor}")
        assert response.status_code == 200
        assert "Named one" in response.text
