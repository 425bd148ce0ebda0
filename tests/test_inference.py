"""Smaller inferences: times, counts and feed dates must not tell more than the page does.

An anonymous post's times are shown to the hour on every surface (docs/privacy.md, "Times");
reply counts count only visible replies ("Counts"); the feed's ``updated`` moves when what an
entry shows changes.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from conftest import query, scalar

ATOM = "{http://www.w3.org/2005/Atom}"


def minute_precise_moment() -> dt.datetime:
    """A few hours ago, at 37 minutes 21 seconds past the hour."""
    return (dt.datetime.now(dt.UTC) - dt.timedelta(hours=5)).replace(minute=37, second=21, microsecond=0)


def exact(moment: dt.datetime) -> str:
    return f"{moment:%H:%M:%S}"


def hour(moment: dt.datetime) -> str:
    return f"{moment:%H}:00:00"


@pytest.fixture
def written_at():
    return minute_precise_moment()


def set_times(post_id: int, moment: dt.datetime) -> None:
    """Every time of the post, its updates and its replies at ``moment``."""
    query(
        "UPDATE post SET created_at = ?, edited_at = ?, answered_at = ?, changed_at = ? WHERE public_id = ?",
        moment,
        moment,
        moment,
        moment,
        post_id,
    )
    query(
        "UPDATE post_update SET created_at = ? WHERE post = (SELECT id FROM post WHERE public_id = ?)", moment, post_id
    )
    query(
        "UPDATE reply SET created_at = ?, edited_at = ? WHERE post = (SELECT id FROM post WHERE public_id = ?)",
        moment,
        moment,
        post_id,
    )


def anonymous_answered_post(author, **fields) -> int:
    post_id = author.create_post(title="Quiet request", body="Please pray, quietly.", anonymous="on", **fields)
    author.post(f"/posts/{post_id}/updates", {"body": "Some news"})
    author.post(f"/posts/{post_id}/answered")
    author.post(f"/posts/{post_id}/replies", {"body": "Thank you all"})
    return post_id


def surfaces(post_id: int) -> tuple[str, ...]:
    return ("/", f"/posts/{post_id}", "/search?q=quietly", "/feed.atom", "/api/v1/posts", f"/api/v1/posts/{post_id}")


def test_anonymous_post_times_are_shown_to_the_hour_everywhere(author, member, visitor, written_at):
    post_id = anonymous_answered_post(author)
    set_times(post_id, written_at)
    for browser in (visitor, member):
        for path in surfaces(post_id):
            text = browser.get(path).text
            assert exact(written_at) not in text, path
            assert hour(written_at) in text, path


def test_api_gives_an_anonymous_post_s_times_to_the_hour(author, visitor, written_at):
    post_id = anonymous_answered_post(author)
    set_times(post_id, written_at)
    data = visitor.get(f"/api/v1/posts/{post_id}").json()
    for field in ("created_at", "edited_at", "answered_at"):
        moment = dt.datetime.fromisoformat(data[field].replace("Z", "+00:00"))
        assert moment == written_at.replace(minute=0, second=0), field


def test_author_sees_the_exact_times_of_their_own_anonymous_post(author, written_at):
    post_id = anonymous_answered_post(author)
    set_times(post_id, written_at)
    assert exact(written_at) in author.get(f"/posts/{post_id}").text
    assert exact(written_at) in author.get("/").text
    assert exact(written_at) in author.get(f"/api/v1/posts/{post_id}").text


def test_named_post_times_stay_exact(author, visitor, written_at):
    post_id = author.create_post(title="Named request")
    set_times(post_id, written_at)
    assert exact(written_at) in visitor.get(f"/posts/{post_id}").text
    assert exact(written_at) in visitor.get(f"/api/v1/posts/{post_id}").text


def test_anonymous_reply_time_is_shown_to_the_hour(author, member, visitor, written_at):
    other = member.create_post(title="Naomi's request")
    author.post("/settings/hide-name")
    author.post(f"/posts/{other}/replies", {"body": "Quietly with you"})
    query("UPDATE reply SET created_at = ? WHERE post = (SELECT id FROM post WHERE public_id = ?)", written_at, other)
    for path in (f"/posts/{other}", "/search?q=quietly"):
        text = visitor.get(path).text
        assert exact(written_at) not in text and hour(written_at) in text, path
    assert exact(written_at) in author.get(f"/posts/{other}").text


def test_a_new_anonymous_post_does_not_say_how_many_minutes_ago(author, visitor):
    post_id = author.create_post(title="Just now", anonymous="on")
    byline_time = visitor.get(f"/posts/{post_id}").text.split("<time", 1)[1].split("</time>", 1)[0]
    assert "minute" not in byline_time and "just now" not in byline_time
    assert "just now" in author.get(f"/posts/{post_id}").text


# --- reply counts ---------------------------------------------------------------------------------


def board_reply_count(browser, post_id: str) -> int:
    return next(p["reply_count"] for p in browser.get("/api/v1/posts").json()["posts"] if p["id"] == post_id)


@pytest.mark.parametrize("state", ["hidden", "removed", "pending"])
def test_reply_count_never_counts_hidden_removed_or_pending_replies(author, member, visitor, state):
    post_id = author.create_post()
    member.post(f"/posts/{post_id}/replies", {"body": "First words"})
    query("UPDATE reply SET moderation = ? WHERE post = (SELECT id FROM post WHERE public_id = ?)", state, post_id)
    member.post(f"/posts/{post_id}/replies", {"body": "Second words"})
    assert board_reply_count(visitor, post_id) == 1
    assert "1 reply" in visitor.get("/").text


def test_deleting_a_hidden_reply_leaves_the_count_of_visible_ones(author, member, visitor):
    post_id = author.create_post()
    member.post(f"/posts/{post_id}/replies", {"body": "Stays"})
    member.post(f"/posts/{post_id}/replies", {"body": "Hidden then deleted"})
    hidden = scalar("SELECT public_id FROM reply WHERE body = 'Hidden then deleted'")
    query("UPDATE reply SET moderation = 'hidden' WHERE public_id = ?", hidden)
    member.post(f"/posts/{post_id}/replies", {"body": "Another"})
    assert member.post(f"/posts/{post_id}/replies/{hidden}/delete").status_code == 303
    assert board_reply_count(visitor, post_id) == 2


# --- the feed's updated ---------------------------------------------------------------------------


def feed_updated(browser) -> tuple[dict[str, str], str]:
    """Each entry's ``updated`` by title, and the feed's own."""
    feed = ET.fromstring(browser.get("/feed.atom").content)
    entries = {e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}updated") for e in feed.findall(f"{ATOM}entry")}
    return entries, feed.findtext(f"{ATOM}updated")


def hours_ago(hours: int) -> dt.datetime:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours)).replace(minute=13, second=7, microsecond=0)


def test_feed_updated_moves_when_a_name_is_hidden_and_shown_again(author, visitor):
    post_id = author.create_post(title="Named then hidden")
    query("UPDATE post SET created_at = ? WHERE public_id = ?", hours_ago(3), post_id)
    before, _ = feed_updated(visitor)

    author.post("/settings/hide-name")
    hidden, feed_when_hidden = feed_updated(visitor)
    assert hidden["Named then hidden"] > before["Named then hidden"]
    assert feed_when_hidden == hidden["Named then hidden"]

    # As if the name had been hidden two hours ago; showing it again now moves ``updated`` on.
    query("UPDATE post SET changed_at = ? WHERE public_id = ?", hours_ago(2), post_id)
    hidden, _ = feed_updated(visitor)
    author.post("/settings/show-name")
    shown, _ = feed_updated(visitor)
    assert shown["Named then hidden"] > hidden["Named then hidden"]


@pytest.mark.parametrize(
    "change",
    [
        lambda b, p: b.post(
            f"/posts/{p}/edit",
            {
                "kind": "request",
                "title": "Changing",
                "body": "New words",
                "category": "Health and healing",
                "visibility": "public",
            },
        ),
        lambda b, p: b.post(f"/posts/{p}/updates", {"body": "News"}),
        lambda b, p: b.post(f"/posts/{p}/answered"),
    ],
    ids=["edit", "update", "answered"],
)
def test_feed_updated_moves_when_the_author_changes_the_post(author, visitor, change):
    post_id = author.create_post(title="Changing")
    query("UPDATE post SET created_at = ? WHERE public_id = ?", hours_ago(3), post_id)
    before, _ = feed_updated(visitor)
    assert change(author, post_id).status_code == 303
    after, feed_after = feed_updated(visitor)
    assert after["Changing"] > before["Changing"]
    assert feed_after >= after["Changing"]
    assert scalar("SELECT changed_at FROM post WHERE public_id = ?", post_id) is not None
