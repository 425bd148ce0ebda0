"""Moderator and admin screens (issue 11): the queue, the item and member pages, the log, roles.

Each test states one behaviour a moderator or an admin would notice. Moderators and admins are
made by setting the role in the database (tests/test_moderation.py's fixtures).
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from conftest import Browser, query, row_id, scalar
from prayerboard.services.moderation.actions import TABLE
from test_moderation import act, log_rows, member_id, report, set_role


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


def reporters(new_browser: Any, *names: str) -> list[Browser]:
    people = []
    for name in names:
        browser = new_browser()
        assert browser.register(name).status_code == 303
        people.append(browser)
    return people


def queue_cards(page: str) -> list[str]:
    """The queue's items, each as its HTML."""
    return re.findall(r'<li class="post-card[^"]*">(.*?)</li>\s*(?=<li class="post-card|</ol>)', page, re.S)


def set_moderation(post_id: str, state: str) -> None:
    query("UPDATE post SET moderation = ? WHERE public_id = ?", state, post_id)


def flashes(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash[^"]*" role="status">(.*?)</p>', page, re.S)]


# ---------------------------------------------------------------------------------------------
# The queue


def test_queue_groups_the_reports_on_one_item_and_shows_its_body_once(author, moderator, new_browser, server):
    post_id = author.create_post(title="A hard week", body="Words that were reported.")
    for browser in reporters(new_browser, "rhoda", "silas", "tabitha"):
        assert report(browser, post_id, "unkind", note="Too harsh").status_code == 303
    (spam,) = reporters(new_browser, "lydia")
    report(spam, post_id, "spam")
    page = moderator.get("/mod").text
    cards = queue_cards(page)
    assert len(cards) == 1
    card = html.unescape(cards[0])
    assert re.search(r"Unkind or harmful\s*<span class=\"report-count\">× 3</span>", card)
    assert card.count("Unkind or harmful") == 1 and "Spam" in card and "× 1" not in card
    assert card.count("Words that were reported.") == 1
    assert card.count("Too harsh") == 1  # the same note from three people, once


def test_a_reply_in_the_queue_shows_its_text_once(author, member, moderator, new_browser, server):
    post_id = author.create_post()
    response = member.post(f"/posts/{post_id}/replies", {"body": "A reply that someone reported."})
    reply_id = response.headers["location"].rsplit("#reply-", 1)[1]
    assert author.post(f"/posts/{post_id}/replies/{reply_id}/flag", {"reason": "spam"}).status_code in (303, 200)
    card = html.unescape(queue_cards(moderator.get("/mod").text)[0])
    assert card.count("A reply that someone reported.") == 1
    assert f"Reply {reply_id}" in card


def test_queue_filters_show_only_their_items(author, moderator, new_browser, server):
    titles = {name: author.create_post(title=f"Item {name}") for name in ("urgent", "reported", "pending", "hidden")}
    (someone,) = reporters(new_browser, "rhoda")
    report(someone, titles["urgent"], "danger")
    report(someone, titles["reported"], "spam")
    set_moderation(titles["pending"], "pending")
    set_moderation(titles["hidden"], "hidden")
    expected = {
        "urgent": {"urgent"},
        "reports": {"urgent", "reported"},
        "pending": {"pending"},
        "hidden": {"hidden"},
    }
    for show, names in expected.items():
        page = moderator.get(f"/mod?show={show}")
        assert page.status_code == 200
        shown = set(re.findall(r">Item (\w+)</a></h2>", page.text))
        assert shown == names, show
        assert re.search(rf'href="/mod\?show={show}" aria-current="page"', page.text)
    everything = moderator.get("/mod").text
    assert set(re.findall(r">Item (\w+)</a></h2>", everything)) == set(titles)
    # A filter the page does not know shows the whole queue, calmly.
    assert moderator.get("/mod?show=%00nonsense").status_code == 200


def test_bulk_approve_approves_each_logs_each_and_reports_what_it_left(author, moderator, server):
    waiting = [author.create_post(title=f"Waiting {n}") for n in (1, 2)]
    visible = author.create_post(title="Already visible")
    for post_id in waiting:
        set_moderation(post_id, "pending")
    items = [f"post:{post_id}" for post_id in (*waiting, visible)]
    response = moderator.post("/mod/bulk", {"action": "approve", "item": items})
    assert response.status_code == 303 and response.headers["location"] == "/mod"
    for post_id in waiting:
        assert scalar("SELECT moderation FROM post WHERE public_id = ?", post_id) == "visible"
    rows = log_rows(action="approve")
    assert sorted(r["target_id"] for r in rows) == sorted(row_id(p) for p in waiting)
    said = flashes(moderator.get("/mod").text)
    assert "2 items approved. Each was logged." in said
    assert any(visible in text and "no longer waiting for approval" in text for text in said)


def test_bulk_dismiss_settles_the_reports_and_logs_each(author, moderator, new_browser, server):
    posts = [author.create_post(title=f"Reported {n}") for n in (1, 2)]
    (someone,) = reporters(new_browser, "rhoda")
    for post_id in posts:
        report(someone, post_id, "spam")
    response = moderator.post(
        "/mod/bulk", {"action": "dismiss", "item": [f"post:{p}" for p in posts], "show": "reports"}
    )
    assert response.status_code == 303 and response.headers["location"] == "/mod?show=reports"
    assert scalar("SELECT COUNT(*) FROM flag WHERE resolved = ?", False) == 0
    assert len(log_rows(action="dismiss")) == 2
    page = moderator.get("/mod").text
    assert "2 items with their reports dismissed. Each was logged." in flashes(page)
    assert "Nothing is waiting" in page


def test_bulk_refuses_other_actions_and_empty_selections(author, moderator, server):
    post_id = author.create_post()
    set_moderation(post_id, "pending")
    assert moderator.post("/mod/bulk", {"action": "remove", "item": [f"post:{post_id}"]}).status_code == 303
    assert moderator.post("/mod/bulk", {"action": "approve"}).status_code == 303
    assert moderator.post("/mod/bulk", {"action": "approve", "item": ["nonsense", "post:nothere"]}).status_code == 303
    assert scalar("SELECT moderation FROM post WHERE public_id = ?", post_id) == "pending"
    assert log_rows() == []
    said = " ".join(flashes(moderator.get("/mod").text))
    assert "Choose approve or dismiss." in said and "Select at least one item first." in said
    assert "nonsense (not a post or reply)" in said and "post nothere (gone)" in said


def test_bulk_actions_are_for_moderators_only(author, member, server):
    post_id = author.create_post()
    set_moderation(post_id, "pending")
    assert member.post("/mod/bulk", {"action": "approve", "item": [f"post:{post_id}"]}).status_code == 403
    assert scalar("SELECT moderation FROM post WHERE public_id = ?", post_id) == "pending"


# ---------------------------------------------------------------------------------------------
# The item page: confirmation, one error


def test_remove_and_suspend_the_author_go_to_a_page_that_asks_first(author, moderator, server):
    post_id = author.create_post(title="To be removed")
    page = moderator.get(f"/mod/posts/{post_id}").text
    for name in ("remove", "suspend_author"):
        assert f'formaction="/mod/posts/{post_id}/confirm" name="confirm_action" value="{name}"' in page
        assert f'data-confirmed-action="/mod/posts/{post_id}/{name}"' in page
    asked = moderator.post(f"/mod/posts/{post_id}/confirm", {"confirm_action": "remove", "reason": "Not kind"})
    assert asked.status_code == 200
    assert "<h1>Remove this post?" in asked.text
    assert f'action="/mod/posts/{post_id}/remove"' in asked.text and 'value="Not kind"' in asked.text
    # Asking changed nothing.
    assert scalar("SELECT moderation FROM post WHERE public_id = ?", post_id) == "visible"
    assert log_rows() == []
    assert act(moderator, post_id, "remove", "Not kind").status_code == 303
    assert scalar("SELECT moderation FROM post WHERE public_id = ?", post_id) == "removed"


def test_the_confirmation_page_refuses_what_does_not_apply_or_asks_nothing(author, moderator, server):
    post_id = author.create_post()
    # Hide asks no question: no page for it.
    assert moderator.post(f"/mod/posts/{post_id}/confirm", {"confirm_action": "hide"}).status_code == 404
    assert moderator.post(f"/mod/posts/{post_id}/confirm", {"confirm_action": "explode"}).status_code == 404
    assert act(moderator, post_id, "remove", "r").status_code == 303
    again = moderator.post(f"/mod/posts/{post_id}/confirm", {"confirm_action": "remove"})
    assert again.status_code == 409 and "does not apply" in again.text


def test_suspending_a_member_asks_first(member, moderator, server):
    target = member_id("member")
    page = moderator.get(f"/mod/members/{target}").text
    assert f'formaction="/mod/members/{target}/confirm" name="confirm_action" value="suspend"' in page
    asked = moderator.post(f"/mod/members/{target}/confirm", {"confirm_action": "suspend", "reason": "abuse"})
    assert asked.status_code == 200 and "<h1>Suspend this member?" in asked.text
    assert scalar("SELECT state FROM member WHERE username = 'member'") == "active"
    assert moderator.post(f"/mod/members/{target}/suspend", {"reason": "abuse"}).status_code == 303
    assert scalar("SELECT state FROM member WHERE username = 'member'") == "suspended"


def test_an_item_page_error_shows_once(author, moderator, server):
    post_id = author.create_post()
    response = act(moderator, post_id, "hide", "")
    assert response.status_code == 422
    assert response.text.count("Please give a reason; it goes into the moderation log.") == 1
    assert 'aria-describedby="reason-error"' in response.text
    refused = act(moderator, post_id, "approve", "")
    assert refused.status_code == 409
    assert refused.text.count("does not apply to this post") == 1
    assert flashes(refused.text) == []


def test_the_item_page_offers_only_actions_for_its_state(author, moderator, server):
    post_id = author.create_post()
    page = moderator.get(f"/mod/posts/{post_id}").text
    assert f"/mod/posts/{post_id}/approve" not in page and f"/mod/posts/{post_id}/unhide" not in page
    assert f"/mod/posts/{post_id}/lock" in page and f"/mod/posts/{post_id}/unlock" not in page
    assert act(moderator, post_id, "lock", "calm down").status_code == 303
    page = moderator.get(f"/mod/posts/{post_id}").text
    assert f"/mod/posts/{post_id}/unlock" in page and f'formaction="/mod/posts/{post_id}/lock"' not in page


# ---------------------------------------------------------------------------------------------
# The log


def test_the_log_filter_offers_the_actions_the_log_records(moderator, admin, server):
    page = moderator.get("/mod/log").text
    select = page.split('<select id="log-action" name="action">', 1)[1].split("</select>", 1)[0]
    offered = re.findall(r'<option value="([^"]*)"', select)
    assert offered[0] == ""  # "Any action"
    assert {a.log_action for a in TABLE} <= set(offered)
    assert {"email_shown", "wrote_to_author", "reached_out", "auto_hide", "role_admin", "invite"} <= set(offered)
    assert len(offered) == len(set(offered))
    # Admin-only entries are offered to admins only.
    assert "confirm_author_restriction" not in offered
    assert 'value="confirm_author_restriction"' in admin.get("/mod/log").text


def test_choosing_an_action_in_the_log_filter_lists_only_it(author, moderator, server):
    first, second = author.create_post(title="One"), author.create_post(title="Two")
    act(moderator, first, "hide", "hidden reason")
    act(moderator, second, "lock", "locked reason")
    page = moderator.get("/mod/log?action=hide").text
    assert "hidden reason" in page and "locked reason" not in page
    assert '<option value="hide" selected>' in page
    assert 'data-label="Action"' in page  # each cell is named for the stacked rows on a phone


# ---------------------------------------------------------------------------------------------
# The member page


def test_member_page_shows_their_history_but_no_anonymous_posts_moderation(author, moderator, server):
    named = author.create_post(title="Named request")
    hidden = author.create_post(title="Anonymous request", anonymous="on")
    assert scalar("SELECT anonymous FROM post WHERE public_id = ?", hidden) in (True, 1)
    act(moderator, named, "hide", "named reason")
    act(moderator, hidden, "hide", "anonymous reason")
    act(moderator, hidden, "lock", "anonymous lock")
    target = member_id("author")
    moderator.post(f"/mod/members/{target}/silence", {"reason": "cool off"})
    page = moderator.get(f"/mod/members/{target}").text
    history = page.split("<h2>History</h2>", 1)[1]
    assert "named reason" in history and named in history
    assert "cool off" in history
    assert "anonymous reason" not in page and "anonymous lock" not in page and hidden not in page


def test_member_page_history_forgets_a_post_made_anonymous_later(author, moderator, server):
    post_id = author.create_post(title="Named at first")
    act(moderator, post_id, "hide", "hidden while named")
    act(moderator, post_id, "anonymise", "made anonymous")
    page = moderator.get(f"/mod/members/{member_id('author')}").text
    assert "hidden while named" not in page and post_id not in page


def test_member_page_offers_only_the_actions_that_fit_their_state(member, moderator, server):
    target = member_id("member")

    def offered() -> set[str]:
        page = moderator.get(f"/mod/members/{target}").text
        return set(re.findall(rf'/mod/members/{target}/(\w+)"', page)) - {"confirm"}

    assert offered() == {"silence", "suspend", "note"}
    moderator.post(f"/mod/members/{target}/silence", {"reason": "cool off"})
    assert offered() == {"restore", "suspend", "note"}
    moderator.post(f"/mod/members/{target}/suspend", {"reason": "abuse"})
    assert offered() == {"restore", "note"}


def test_member_page_of_an_admin_offers_a_moderator_only_a_note(admin, moderator, server):
    page = moderator.get(f"/mod/members/{member_id('abe')}").text
    assert "/suspend" not in page and "/silence" not in page
    assert "Only an admin can silence or suspend an admin." in page


# ---------------------------------------------------------------------------------------------
# Roles


def test_roles_page_lists_only_the_team_and_staff_until_searched(admin, moderator, member, new_browser, server):
    reporters(new_browser, "ruthie")
    query("UPDATE member SET role = 'team' WHERE username = 'ruthie'")
    page = admin.get("/admin/roles").text
    assert "(abe)" in page and "(mira)" in page and "(ruthie)" in page
    assert "(member)" not in page
    for role in ("Member", "Prayer team", "Moderator", "Admin"):
        assert f"<dt>{role}</dt>" in page
    assert "Works the review queue" in page


def test_roles_search_finds_members_by_username_or_display_name(admin, member, new_browser, server):
    reporters(new_browser, "zebedee")
    by_display_name = admin.get("/admin/roles?q=NAOMI").text  # member's display name is "Naomi Member"
    assert "(member)" in by_display_name and "(zebedee)" not in by_display_name and "(abe)" not in by_display_name
    by_username = admin.get("/admin/roles?q=ebed").text
    assert "(zebedee)" in by_username and "(member)" not in by_username
    nobody = admin.get("/admin/roles?q=%25%25nobody").text
    assert "Nobody's name contains" in nobody


def test_roles_page_is_for_admins_only(moderator, server):
    assert moderator.get("/admin/roles?q=a").status_code == 403
