"""Member profiles: a name, a month joined, and only what the viewer may see — never anonymous work."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from conftest import query, scalar


def reply_id_for(body: str) -> str:
    return scalar("SELECT public_id FROM reply WHERE body = ?", body)


def registered(new_browser, username: str, display_name: str, role: str):
    browser = new_browser()
    assert browser.register(username, display_name).status_code == 303
    query("UPDATE member SET role = ? WHERE username_key = ?", role, username.casefold())
    return browser


@pytest.fixture
def team_member(new_browser):
    return registered(new_browser, "teamer", "Tabitha Team", "team")


@pytest.fixture
def moderator(new_browser):
    return registered(new_browser, "mod", "Mara Moderator", "moderator")


# --- what a profile shows ------------------------------------------------------------------------


def test_profile_shows_name_month_joined_posts_and_replies(author, member, visitor):
    post_id = author.create_post(title="Strength for the week")
    other = member.create_post(title="Naomi's request")
    author.post(f"/posts/{other}/replies", {"body": "Praying with you, Naomi."})
    reply_id = reply_id_for("Praying with you, Naomi.")
    joined = dt.datetime.fromisoformat(str(scalar("SELECT created_at FROM member WHERE username_key = 'author'")))

    page = visitor.get("/members/author")

    assert page.status_code == 200
    assert "<h1>Ruth Author</h1>" in page.text
    assert f'Joined <time datetime="{joined:%Y-%m}">{joined:%B %Y}</time>' in page.text
    assert f'href="/posts/{post_id}">Strength for the week</a>' in page.text
    assert f'href="/posts/{other}#reply-{reply_id}"' in page.text
    assert "Praying with you, Naomi." in page.text


def test_profile_never_shows_the_email_address(author, member):
    author.create_post()
    assert "author@example.org" not in member.get("/members/author").text
    assert "author@example.org" not in author.get("/members/author").text


def test_profile_lists_newest_first(author, member):
    first = author.create_post(title="First")
    second = author.create_post(title="Second")
    html = member.get("/members/author").text
    assert html.index(f'href="/posts/{second}"') < html.index(f'href="/posts/{first}"')


def test_profile_pages_to_older_posts(author, visitor):
    ids = [author.create_post(title=f"Post {n}") for n in range(23)]
    first = visitor.get("/members/author").text
    listed = [n for n in re.findall(r'id="post-([a-z0-9]+)"', first)]
    assert listed == list(reversed(ids))[:20]
    older = re.search(r'rel="next" href="([^"]+)"', first).group(1)
    second = visitor.get("/members/author" + older).text
    assert [n for n in re.findall(r'id="post-([a-z0-9]+)"', second)] == list(reversed(ids))[20:]
    assert 'rel="next"' not in second


def test_profile_is_not_for_search_engines(author, visitor):
    assert '<meta name="robots" content="noindex">' in visitor.get("/members/author").text


# --- anonymous work ------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["visitor", "member", "team_member", "moderator"])
def test_profile_never_lists_an_anonymous_post_or_reply_to_others(author, member, viewer, request):
    named = author.create_post(title="Named request")
    hidden_name = author.create_post(title="Secret struggle", anonymous="on")
    author.post(f"/posts/{hidden_name}/replies", {"body": "Thank you all, it is hard."})
    someone_elses = member.create_post(title="Naomi's request")
    author.post(f"/posts/{someone_elses}/replies", {"body": "With you in this."})

    page = request.getfixturevalue(viewer).get("/members/author").text

    assert f'href="/posts/{named}"' in page
    assert "With you in this." in page
    assert "Secret struggle" not in page
    assert f"/posts/{hidden_name}" not in page
    assert "Thank you all, it is hard." not in page
    assert "posted anonymously" not in page


def test_author_sees_own_anonymous_post_and_reply_marked_on_their_profile(author):
    post_id = author.create_post(title="Secret struggle", anonymous="on")
    author.post(f"/posts/{post_id}/replies", {"body": "An update from me."})
    page = author.get("/members/author").text
    assert f'href="/posts/{post_id}">Secret struggle</a>' in page
    assert "An update from me." in page
    assert page.count("posted anonymously") == 2


def test_profile_never_lists_a_named_reply_in_the_members_own_anonymous_thread(author, member):
    # However it came about (an older row, a moderator's anonymising), such a reply names the thread's author.
    post_id = author.create_post(title="Secret struggle", anonymous="on")
    author.post(f"/posts/{post_id}/replies", {"body": "Still struggling."})
    query("UPDATE reply SET anonymous = ? WHERE body = ?", False, "Still struggling.")
    page = member.get("/members/author").text
    assert "Still struggling." not in page
    assert "Secret struggle" not in page


def test_anonymous_reply_on_someone_elses_post_is_not_listed(author, member):
    other = member.create_post(title="Naomi's request")
    author.post(f"/posts/{other}/replies", {"body": "Quiet words."})
    query("UPDATE reply SET anonymous = ? WHERE body = ?", True, "Quiet words.")
    assert "Quiet words." not in member.get("/members/author").text
    assert "Quiet words." in author.get("/members/author").text


# --- audiences and moderation --------------------------------------------------------------------


def test_visitor_never_sees_members_only_posts_or_replies_on_them(author, member, visitor):
    members_post = author.create_post(title="Members-only request", visibility="members")
    member_post = member.create_post(title="Naomi members post", visibility="members")
    author.post(f"/posts/{member_post}/replies", {"body": "Reply on a members post."})
    page = visitor.get("/members/author").text
    assert "Members-only request" not in page and f"/posts/{members_post}" not in page
    assert "Reply on a members post." not in page and "Naomi members post" not in page
    signed_in = member.get("/members/author").text
    assert "Members-only request" in signed_in and "Reply on a members post." in signed_in


def test_member_never_sees_team_posts_but_the_team_and_author_do(author, member, team_member):
    author.create_post(title="For the team only", visibility="team")
    assert "For the team only" not in member.get("/members/author").text
    assert "For the team only" in team_member.get("/members/author").text
    assert "For the team only" in author.get("/members/author").text


def test_hidden_and_removed_posts_are_not_listed(author, member):
    author.create_post(title="Still visible one")
    hidden = author.create_post(title="Hidden one")
    removed = author.create_post(title="Removed one")
    query("UPDATE post SET moderation = 'hidden' WHERE public_id = ?", hidden)
    query("UPDATE post SET moderation = 'removed' WHERE public_id = ?", removed)
    page = member.get("/members/author").text
    assert "Still visible one" in page  # the list is there: what is missing was left out
    assert "Hidden one" not in page and "Removed one" not in page


def test_hidden_reply_is_not_listed(author, member):
    other = member.create_post()
    author.post(f"/posts/{other}/replies", {"body": "A reply still shown."})
    author.post(f"/posts/{other}/replies", {"body": "A reply a moderator hid."})
    query("UPDATE reply SET moderation = 'hidden' WHERE body = ?", "A reply a moderator hid.")
    page = member.get("/members/author").text
    assert "A reply still shown." in page
    assert "A reply a moderator hid." not in page


# --- finding a profile ----------------------------------------------------------------------------


def test_username_is_matched_in_any_letter_case(author, visitor):
    for path in ("/members/AUTHOR", "/members/Author", "/members/author"):
        page = visitor.get(path)
        assert page.status_code == 200, path
        assert "Ruth Author" in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/members/nobody",
        "/members/%00",
        "/members/author%00",
        "/members/" + "a" * 500,
        "/members/a/b",
        "/members/a%2Fb",
        "/members/..%2Fposts",
        "/members/%E2%80%AEauthor",
        "/members/",
    ],
)
def test_unknown_or_malformed_username_is_404(author, visitor, path):
    response = visitor.get(path)
    assert response.status_code == 404, path
    assert "couldn" in response.text


@pytest.mark.parametrize("state", ["suspended", "deleted"])
def test_profile_of_suspended_or_deleted_member_is_404(author, member, state):
    author.create_post()
    query("UPDATE member SET state = ? WHERE username_key = 'author'", state)
    response = member.get("/members/author")
    assert response.status_code == 404
    assert "Ruth Author" not in response.text


# --- links to profiles -----------------------------------------------------------------------------


def test_named_authors_link_to_their_profile_on_board_and_post(author, member, visitor):
    post_id = author.create_post(title="Named")
    member.post(f"/posts/{post_id}/replies", {"body": "Praying."})
    assert '<a class="author" href="/members/author">Ruth Author</a>' in visitor.get("/").text
    page = visitor.get(f"/posts/{post_id}").text
    assert '<a class="author" href="/members/author">Ruth Author</a>' in page
    assert '<a class="author" href="/members/member">Naomi Member</a>' in page


def test_anonymous_author_has_no_profile_link_anywhere(author, member, visitor):
    post_id = author.create_post(title="Secret struggle", anonymous="on")
    author.post(f"/posts/{post_id}/replies", {"body": "Thank you."})
    for viewer in (visitor, member):
        for path in ("/", f"/posts/{post_id}"):
            html = viewer.get(path).text
            assert "/members/author" not in html, path
            assert "Ruth Author" not in html, path


def test_board_card_drops_the_profile_link_once_the_post_is_anonymous(author, member):
    post_id = author.create_post(title="Soon anonymous")
    assert 'href="/members/author"' in member.get("/").text
    author.post(
        f"/posts/{post_id}/edit",
        {
            "kind": "request",
            "title": "Soon anonymous",
            "body": "b",
            "category": "Other",
            "visibility": "public",
            "anonymous": "on",
        },
    )
    board = member.get("/").text
    assert "Soon anonymous" in board
    assert 'href="/members/author"' not in board
