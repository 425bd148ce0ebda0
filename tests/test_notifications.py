"""In-app notifications and following: what reaches whom, grouped, and worded as the reader may see it now."""

from __future__ import annotations

import re

import pytest

from conftest import query

TITLE = "Please pray for my surgery"


def notes(browser) -> str:
    page = browser.get("/notifications")
    assert page.status_code == 200
    return page.text


def unread_badge(browser) -> int:
    """The unread count the header shows on the board."""
    found = re.search(r'href="/notifications">Notifications <span class="badge">(\d+)', browser.get("/").text)
    return int(found.group(1)) if found else 0


@pytest.fixture
def third(new_browser):
    browser = new_browser()
    assert browser.register("boaz", "Boaz Third").status_code == 303
    return browser


def test_praying_is_grouped_per_post_and_names_only_who_chose_it(author, member, third):
    post_id = author.create_post(title=TITLE)
    assert member.post(f"/posts/{post_id}/pray").status_code == 303
    assert third.post(f"/posts/{post_id}/pray").status_code == 303
    page = notes(author)
    assert "2 people are praying for \u201cPlease pray for my surgery\u201d" in page
    assert "Naomi" not in page and "Boaz" not in page
    assert unread_badge(author) == 1
    # Praying again after stopping counts the person once.
    member.post(f"/posts/{post_id}/pray")
    member.post(f"/posts/{post_id}/pray")
    assert "2 people are praying" in notes(author)

    # Boaz lets authors see his name; Naomi does not.
    saved = third.post("/settings/taking-part", {"follow_when_taking_part": "on", "show_name_when_praying": "on"})
    assert saved.status_code == 303
    assert "Saved: how you take part." in third.get("/settings").text
    third.post(f"/posts/{post_id}/pray")  # stop
    third.post(f"/posts/{post_id}/pray")  # and pray again, now named
    page = notes(author)
    assert "Boaz Third and 1 other are praying for" in page
    assert "Naomi" not in page
    # "Hide my name" outweighs it.
    assert third.post("/settings/hide-name").status_code == 303
    assert "Boaz" not in notes(author)
    # The ones praying are told nothing of their own prayers.
    assert "Nothing new." in notes(member)


def test_replies_reach_the_author_and_followers_but_never_the_replier(author, member, third):
    post_id = author.create_post(title=TITLE)
    assert member.post(f"/posts/{post_id}/replies", {"body": "Holding you close"}).status_code == 303
    assert "Unfollow" in member.get(f"/posts/{post_id}").text  # replying followed the post
    assert third.post(f"/posts/{post_id}/replies", {"body": "Praying too"}).status_code == 303
    assert "2 new replies on \u201cPlease pray for my surgery\u201d" in notes(author)
    assert "A new reply on \u201cPlease pray for my surgery\u201d" in notes(member)
    assert "new repl" not in notes(third)
    # No replier is ever named in a notification.
    assert "Boaz" not in notes(member) and "Naomi" not in notes(author)

    # Unfollowing stops the news.
    member.post("/notifications/read")
    left = member.post(f"/posts/{post_id}/unfollow")
    assert left.status_code == 303
    assert "You no longer follow this post." in member.get(f"/posts/{post_id}").text
    third.post(f"/posts/{post_id}/replies", {"body": "Still praying"})
    assert unread_badge(member) == 0

    # Following by hand, and the data export lists it.
    assert member.post(f"/posts/{post_id}/follow").status_code == 303
    assert [f["post"] for f in member.get("/settings/export").json()["follows"]] == [post_id]


def test_taking_part_follows_only_while_the_setting_is_on(author, member):
    post_id = author.create_post(title=TITLE)
    member.post("/settings/taking-part", {"show_name_when_praying": ""})  # both off
    settings_page = member.get("/settings").text
    assert 'id="follow_when_taking_part" name="follow_when_taking_part" >' in settings_page
    member.post(f"/posts/{post_id}/pray")
    page = member.get(f"/posts/{post_id}").text
    assert f'action="/posts/{post_id}/follow"' in page
    author.post(f"/posts/{post_id}/updates", {"body": "The surgery went well."})
    assert "Nothing new." not in notes(member)  # praying still brings updates
    assert "A new update on" in notes(member)


def test_updates_and_answering_reach_those_praying_and_following(author, member, third):
    post_id = author.create_post(title=TITLE)
    member.post(f"/posts/{post_id}/pray")
    third.post(f"/posts/{post_id}/follow")
    author.post(f"/posts/{post_id}/updates", {"body": "The surgery went well."})
    author.post(f"/posts/{post_id}/answered")
    for browser in (member, third):
        page = notes(browser)
        assert "A new update on \u201cPlease pray for my surgery\u201d" in page
        assert "\u201cPlease pray for my surgery\u201d has been marked answered" in page
        assert f'href="/posts/{post_id}"' in page
        assert "The surgery went well." not in page
    assert "update" not in notes(author).lower()


def test_mark_one_read_and_all_read(author, member, third):
    first = author.create_post(title="First request")
    second = author.create_post(title="Second request")
    member.post(f"/posts/{first}/pray")
    member.post(f"/posts/{second}/pray")
    assert unread_badge(author) == 2
    number = query("SELECT public_id FROM notification WHERE kind = 'praying' ORDER BY id LIMIT 1")[0]["public_id"]
    assert f'action="/notifications/{number}/read"' in notes(author)
    # Rows are addressed by their public ids only: a row number is not found.
    row = query("SELECT id FROM notification WHERE public_id = ?", number)[0]["id"]
    assert author.post(f"/notifications/{row}/read").status_code == 404
    done = author.post(f"/notifications/{number}/read")
    assert done.status_code == 303 and done.headers["location"] == "/notifications"
    assert "Marked as read." in notes(author)
    assert unread_badge(author) == 1
    # Someone else's notification cannot be marked.
    assert member.post(f"/notifications/{number}/read").status_code == 404
    # A read group stays as it was; a new event starts a new row.
    third.post(f"/posts/{first}/pray")
    assert unread_badge(author) == 2
    page = notes(author)
    assert page.count("Someone is praying for \u201cFirst request\u201d") == 2
    assert author.post("/notifications/read").status_code == 303
    assert "All your notifications are marked as read." in notes(author)
    assert unread_badge(author) == 0
    assert "Mark all as read" not in notes(author)


def test_newest_first_and_paged(author, member):
    member_id = query("SELECT id FROM member WHERE username = 'member'")[0]["id"]
    for n in range(25):
        query(
            "INSERT INTO notification (public_id, member, kind, event_count, text, link, read, created_at) "
            f"VALUES (?, ?, 'notice', 1, ?, '', ?, '2026-01-01 00:00:{n:02d}+00:00')",
            f"notice{n:04d}".replace("0", "a").replace("1", "b"),
            member_id,
            f"Notice number {n:02d}",
            False,
        )
    first = notes(member)
    assert first.index("Notice number 24") < first.index("Notice number 23")
    assert "Notice number 04" not in first and 'href="/notifications?page=2"' in first
    assert "Notice number 04" in member.get("/notifications?page=2").text
    api = member.get("/api/v1/notifications?page=2").json()
    assert [n["text"] for n in api["notifications"]] == [f"Notice number {n:02d}" for n in range(4, -1, -1)]
    assert api["next_page"] is None and api["unread"] == 25


def test_the_api_gives_the_same_notifications(author, member, visitor):
    post_id = author.create_post(title=TITLE)
    member.post(f"/posts/{post_id}/replies", {"body": "Holding you close"})
    data = author.get("/api/v1/notifications").json()
    assert data["unread"] == 1 and data["page"] == 1 and data["next_page"] is None
    (item,) = data["notifications"]
    assert item["kind"] == "reply" and item["count"] == 1 and item["read"] is False
    assert item["text"] == "A new reply on \u201cPlease pray for my surgery\u201d"
    assert item["link"] == f"/posts/{post_id}"
    assert visitor.get("/api/v1/notifications").status_code == 401


def test_moderators_hear_of_urgent_reports_and_posts_waiting(author, member, new_browser):
    moderator = new_browser()
    assert moderator.register("keeper", "Mod Keeper").status_code == 303
    query("UPDATE member SET role = 'moderator' WHERE username = 'keeper'")
    post_id = author.create_post(title=TITLE)
    member.post(f"/posts/{post_id}/flag", {"reason": "danger", "note": "She sounds unsafe"})
    page = notes(moderator)
    assert "An urgent report: someone may be in danger (\u201cPlease pray for my surgery\u201d)" in page
    assert f'href="/mod/posts/{post_id}"' in page
    assert "urgent" not in notes(author).lower()

    query("INSERT INTO watched_word (word, action) VALUES ('lottery', 'review')")
    held = author.create_post(title="Lottery worries")
    assert "\u201cLottery worries\u201d is waiting for approval" in notes(moderator)
    assert f'href="/mod/posts/{held}"' in notes(moderator)
    assert "waiting for approval" not in notes(member)

    # An edit that sends a post back to review is waiting too.
    edited = author.post(
        f"/posts/{post_id}/edit",
        {
            "kind": "request",
            "title": "Lottery again",
            "body": "b",
            "category": "Health and healing",
            "visibility": "public",
        },
    )
    assert edited.status_code == 303
    assert "\u201cLottery again\u201d is waiting for approval" in notes(moderator)


def test_reply_counts_leave_out_replies_deleted_or_hidden_since(author, member, third):
    post_id = author.create_post(title=TITLE)
    assert member.post(f"/posts/{post_id}/replies", {"body": "Holding you close"}).status_code == 303
    assert third.post(f"/posts/{post_id}/replies", {"body": "Praying too"}).status_code == 303
    assert "2 new replies on" in notes(author)
    gone = query("SELECT public_id FROM reply WHERE body = 'Praying too'")[0]["public_id"]
    assert third.post(f"/posts/{post_id}/replies/{gone}/delete").status_code == 303
    page = notes(author)
    assert "A new reply on \u201cPlease pray for my surgery\u201d" in page and "2 new replies" not in page
    assert author.get("/api/v1/notifications").json()["notifications"][0]["count"] == 1
    # A reply a moderator hid is no longer news either: with none left, the group is not shown.
    query("UPDATE reply SET moderation = 'hidden' WHERE body = 'Holding you close'")
    assert "new repl" not in notes(author)
    assert author.get("/api/v1/notifications").json()["notifications"] == []


def test_an_anonymous_authors_doings_are_told_to_the_hour(author, member, new_browser):
    moderator = new_browser()
    assert moderator.register("keeper", "Mod Keeper").status_code == 303
    query("UPDATE member SET role = 'moderator' WHERE username = 'keeper'")
    post_id = author.create_post(title=TITLE, anonymous="on")
    assert member.post(f"/posts/{post_id}/pray").status_code == 303
    author.post(f"/posts/{post_id}/replies", {"body": "Thank you"})
    author.post(f"/posts/{post_id}/updates", {"body": "The surgery went well."})
    query("INSERT INTO watched_word (word, action) VALUES ('lottery', 'review')")
    author.create_post(title="Lottery worries", anonymous="on")

    for reader, kinds in ((member, {"reply", "update"}), (moderator, {"waiting_post"})):
        items = reader.get("/api/v1/notifications").json()["notifications"]
        assert {n["kind"] for n in items} == kinds
        for item in items:
            assert item["at"].endswith(":00:00Z") or item["at"].endswith(":00:00+00:00"), item
        assert re.findall(r'<time datetime="[^"]+T\d\d:(\d\d:\d\d)', notes(reader)) == ["00:00"] * len(kinds)
    # Kept so in the database too, so that not even the order tells the minute.
    stored = query("SELECT created_at FROM notification WHERE kind IN ('reply', 'update', 'waiting_post')")
    assert len(stored) == 3
    assert all(str(row["created_at"])[14:19] == "00:00" for row in stored), stored
