"""Posts, the board, updates, replies and "I'm praying"."""

from __future__ import annotations

import re

import pytest

from conftest import scalar


def post_ids_on(page_html: str) -> list[int]:
    return [n for n in re.findall(r'id="post-([a-z0-9]+)"', page_html)]


# --- posting -----------------------------------------------------------------------------------


def test_member_posts_a_request_and_it_shows_on_the_board(author, visitor):
    post_id = author.create_post(title="Healing for my father", body="He starts treatment next week.")
    board = visitor.get("/")
    assert "Healing for my father" in board.text
    assert "Ruth Author" in board.text
    page = visitor.get(f"/posts/{post_id}")
    assert page.status_code == 200
    assert "He starts treatment next week." in page.text


def test_new_post_page_needs_sign_in(visitor):
    response = visitor.get("/posts/new")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/posts/new"


def test_visitor_cannot_post_and_is_sent_to_sign_in(visitor):
    response = visitor.post("/posts", {"kind": "request", "title": "x", "body": "y", "category": "Other"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    assert scalar("SELECT count(*) FROM post") == 0


def test_post_without_csrf_token_is_refused(author):
    response = author.post("/posts", {"kind": "request", "title": "x", "body": "y", "category": "Other"}, csrf=False)
    assert response.status_code == 403
    assert scalar("SELECT count(*) FROM post") == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Title is required."),
        ({"title": "t" * 121}, "Title must be at most 120 characters"),
        ({"body": ""}, "Please write your request or testimony."),
        ({"body": "b" * 5001}, "at most 5,000 characters"),
        ({"category": "Not a category"}, "Choose a category from the list."),
        ({"kind": "poem"}, "Choose a prayer request or a testimony."),
        ({"visibility": "everyone"}, "Choose who can read it."),
    ],
)
def test_post_with_bad_input_is_shown_again_with_message_and_input_kept(author, changes, message):
    fields = {
        "kind": "request",
        "title": "Kept title",
        "body": "Kept body",
        "category": "Other",
        "visibility": "public",
    }
    fields.update(changes)
    response = author.post("/posts", fields)
    assert response.status_code == 422
    assert message in response.text
    if "title" not in changes:
        assert 'value="Kept title"' in response.text
    if "body" not in changes:
        assert "Kept body" in response.text
    assert scalar("SELECT count(*) FROM post") == 0


def test_post_at_the_length_limits_is_accepted(author):
    post_id = author.create_post(title="t" * 120, body="b" * 5000)
    assert scalar("SELECT length(body) FROM post WHERE public_id = ?", post_id) == 5000


def test_categories_come_from_settings_with_defaults(author):
    form = author.get("/posts/new").text
    for category in ("Health and healing", "Family and marriage", "Grief and loss", "Thanksgiving"):
        assert category in form


def test_author_edits_their_post(author):
    post_id = author.create_post(title="Old title")
    response = author.post(
        f"/posts/{post_id}/edit",
        {"kind": "request", "title": "New title", "body": "New body", "category": "Other", "visibility": "public"},
    )
    assert response.status_code == 303
    page = author.get(f"/posts/{post_id}").text
    assert "New title" in page and "New body" in page and "Edited" in page


def test_other_member_cannot_edit_or_delete_a_post(author, member):
    post_id = author.create_post(title="Mine")
    assert member.get(f"/posts/{post_id}/edit").status_code == 403
    edit = member.post(
        f"/posts/{post_id}/edit",
        {"kind": "request", "title": "Hijacked", "body": "x", "category": "Other", "visibility": "public"},
    )
    assert edit.status_code == 403
    assert member.post(f"/posts/{post_id}/delete").status_code == 403
    assert scalar("SELECT title FROM post WHERE public_id = ?", post_id) == "Mine"
    assert f'href="/posts/{post_id}/edit"' not in member.get(f"/posts/{post_id}").text


def test_author_deletes_their_post_with_its_replies(author, member):
    post_id = author.create_post()
    member.post(f"/posts/{post_id}/replies", {"body": "Praying for you"})
    member.post(f"/posts/{post_id}/pray")
    assert author.post(f"/posts/{post_id}/delete").status_code == 303
    assert author.get(f"/posts/{post_id}").status_code == 404
    assert scalar("SELECT count(*) FROM reply") == 0
    assert scalar("SELECT count(*) FROM prayer") == 0


# --- reading -------------------------------------------------------------------------------------


def test_body_is_plain_text_with_paragraphs_and_clickable_links(author, visitor):
    body = "First paragraph <script>alert(1)</script>\n\nSecond, see https://example.org/help."
    post_id = author.create_post(body=body)
    page = visitor.get(f"/posts/{post_id}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<p>First paragraph" in page and "<p>Second, see" in page
    assert '<a href="https://example.org/help" rel="nofollow ugc noopener noreferrer">' in page


def test_title_with_html_is_escaped_everywhere(author, visitor):
    post_id = author.create_post(title='<img src=x onerror="alert(1)">')
    for path in ("/", f"/posts/{post_id}"):
        page = visitor.get(path).text
        assert "<img src=x" not in page
        assert "&lt;img src=x" in page


def test_board_is_newest_first(author, visitor):
    first = author.create_post(title="First")
    second = author.create_post(title="Second")
    assert post_ids_on(visitor.get("/").text) == [second, first]


def test_board_filters_by_kind_category_and_answered(author, visitor):
    request = author.create_post(title="A request", category="Grief and loss")
    testimony = author.create_post(kind="testimony", title="A testimony", category="Thanksgiving")
    answered = author.create_post(title="Answered one", category="Grief and loss")
    author.post(f"/posts/{answered}/answered")
    assert post_ids_on(visitor.get("/?kind=testimony").text) == [testimony]
    assert post_ids_on(visitor.get("/?kind=request").text) == [answered, request]
    assert post_ids_on(visitor.get("/?category=Grief and loss").text) == [answered, request]
    assert post_ids_on(visitor.get("/?answered=1").text) == [answered]
    assert "Answered" in visitor.get("/").text


def test_board_ignores_unknown_filter_values(author, visitor):
    author.create_post()
    for query_string in ("?kind=poem", "?category=%00", "?before=abc", "?after=-5", "?before=99999999999999999999"):
        response = visitor.get("/" + query_string)
        assert response.status_code == 200


def test_board_pages_with_a_keyset_cursor(author, visitor):
    ids = [author.create_post(title=f"Post {n}") for n in range(45)]
    newest_first = list(reversed(ids))
    first = visitor.get("/").text
    assert post_ids_on(first) == newest_first[:20]
    older = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = visitor.get("/" + older).text
    assert post_ids_on(second) == newest_first[20:40]
    third = visitor.get("/" + re.search(r'rel="next" href="([^"]+)"', second).group(1)).text
    assert post_ids_on(third) == newest_first[40:]
    assert 'rel="next"' not in third
    back = visitor.get("/" + re.search(r'rel="prev" href="([^"]+)"', third).group(1)).text
    assert post_ids_on(back) == newest_first[20:40]


def test_missing_or_malformed_post_ids_are_404(member, visitor):
    for path in ("/posts/999999", "/posts/abc", "/posts/0", "/posts/-1", "/posts/1.5", "/posts/%00", "/posts/１２"):
        response = member.get(path)
        assert response.status_code == 404, path
        assert "couldn" in response.text
        # A visitor is sent to sign in, as for a post they may not read (docs/privacy.md, "Ids").
        response = visitor.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=/posts/"), path


# --- updates and answered -------------------------------------------------------------------------


def test_author_adds_a_dated_update(author, visitor):
    post_id = author.create_post()
    assert author.post(f"/posts/{post_id}/updates", {"body": "Surgery went well."}).status_code == 303
    page = visitor.get(f"/posts/{post_id}").text
    assert "Surgery went well." in page
    assert "Updates" in page


def test_only_the_author_adds_updates(author, member):
    post_id = author.create_post()
    assert member.post(f"/posts/{post_id}/updates", {"body": "Not mine"}).status_code == 403
    assert scalar("SELECT count(*) FROM post_update") == 0


def test_empty_update_is_refused_with_a_message(author):
    post_id = author.create_post()
    response = author.post(f"/posts/{post_id}/updates", {"body": "   "})
    assert response.status_code == 422
    assert "Please write your update first." in response.text


def test_author_marks_request_answered_and_board_shows_badge(author, member, visitor):
    post_id = author.create_post()
    assert member.post(f"/posts/{post_id}/answered").status_code == 403
    assert author.post(f"/posts/{post_id}/answered").status_code == 303
    assert scalar("SELECT status FROM post WHERE public_id = ?", post_id) == "answered"
    assert 'badge-answered">Answered' in visitor.get("/").text


def test_testimony_cannot_be_marked_answered(author):
    post_id = author.create_post(kind="testimony")
    assert author.post(f"/posts/{post_id}/answered").status_code == 403


# --- replies -------------------------------------------------------------------------------------


def test_member_replies_and_author_sees_it(author, member):
    post_id = author.create_post()
    response = member.post(f"/posts/{post_id}/replies", {"body": "Holding you in prayer."})
    assert response.status_code == 303
    page = author.get(f"/posts/{post_id}").text
    assert "Holding you in prayer." in page and "Naomi Member" in page
    assert scalar("SELECT reply_count FROM post WHERE public_id = ?", post_id) == 1


def test_empty_or_overlong_reply_is_refused_and_input_kept(author, member):
    post_id = author.create_post()
    empty = member.post(f"/posts/{post_id}/replies", {"body": ""})
    assert empty.status_code == 422 and "Please write a few words first." in empty.text
    long = member.post(f"/posts/{post_id}/replies", {"body": "x" * 5001})
    assert long.status_code == 422 and "at most 5,000 characters" in long.text
    assert scalar("SELECT count(*) FROM reply") == 0


def test_member_edits_and_deletes_own_reply_only(author, member, new_browser):
    post_id = author.create_post()
    member.post(f"/posts/{post_id}/replies", {"body": "First words"})
    reply_id = scalar("SELECT public_id FROM reply")
    assert member.post(f"/posts/{post_id}/replies/{reply_id}/edit", {"body": "Better words"}).status_code == 303
    assert "Better words" in author.get(f"/posts/{post_id}").text
    assert author.post(f"/posts/{post_id}/replies/{reply_id}/edit", {"body": "Hijack"}).status_code == 403
    assert author.post(f"/posts/{post_id}/replies/{reply_id}/delete").status_code == 403
    assert member.post(f"/posts/{post_id}/replies/{reply_id}/delete").status_code == 303
    assert scalar("SELECT count(*) FROM reply") == 0
    assert scalar("SELECT reply_count FROM post WHERE public_id = ?", post_id) == 0


def test_visitor_cannot_reply(author, visitor):
    post_id = author.create_post()
    response = visitor.post(f"/posts/{post_id}/replies", {"body": "Hello"})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert scalar("SELECT count(*) FROM reply") == 0


# --- I'm praying -----------------------------------------------------------------------------------


def test_pray_without_javascript_toggles_and_redirects_back(author, member):
    post_id = author.create_post()
    response = member.post(f"/posts/{post_id}/pray")
    assert response.status_code == 303
    assert response.headers["location"] == f"/posts/{post_id}#pray"
    page = member.get(f"/posts/{post_id}").text
    assert "1 praying" in page
    assert 'aria-pressed="true"' in page
    member.post(f"/posts/{post_id}/pray")
    page = member.get(f"/posts/{post_id}").text
    assert "0 praying" in page
    assert 'aria-pressed="false"' in page


def test_pray_from_the_board_returns_to_the_board(author, member):
    post_id = author.create_post()
    response = member.post(f"/posts/{post_id}/pray", {"back": "board"})
    assert response.headers["location"] == f"/#post-{post_id}"


def test_pray_with_javascript_answers_json(author, member):
    post_id = author.create_post()
    response = member.post(f"/posts/{post_id}/pray", headers={"accept": "application/json"})
    assert response.status_code == 200
    assert response.json() == {"praying": True, "praying_count": 1}
    again = member.post(f"/posts/{post_id}/pray", headers={"accept": "application/json"})
    assert again.json() == {"praying": False, "praying_count": 0}


def test_pray_counts_one_per_member(author, member, new_browser):
    post_id = author.create_post()
    member.post(f"/posts/{post_id}/pray")
    other = new_browser()
    other.register("third")
    other.post(f"/posts/{post_id}/pray")
    author.post(f"/posts/{post_id}/pray")
    assert scalar("SELECT praying_count FROM post WHERE public_id = ?", post_id) == 3
    assert scalar("SELECT count(*) FROM prayer WHERE post = (SELECT id FROM post WHERE public_id = ?)", post_id) == 3
    assert "3 praying" in new_browser().get("/").text


def test_visitor_pressing_pray_is_sent_to_sign_in(author, visitor):
    post_id = author.create_post()
    response = visitor.post(f"/posts/{post_id}/pray")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert scalar("SELECT praying_count FROM post WHERE public_id = ?", post_id) == 0


def test_pray_on_missing_post_is_404(member):
    assert member.post("/posts/424242/pray").status_code == 404


def test_visitor_sees_a_new_post_at_once_although_pages_are_cached(author, visitor):
    author.create_post(title="First post")
    assert "First post" in visitor.get("/").text  # now cached for visitors
    author.create_post(title="Second post")
    assert "Second post" in visitor.get("/").text


def test_visitor_sees_a_prayer_count_change_at_once(author, member, visitor):
    post_id = author.create_post()
    assert "0 praying" in visitor.get(f"/posts/{post_id}").text
    member.post(f"/posts/{post_id}/pray")
    assert "1 praying" in visitor.get(f"/posts/{post_id}").text


def test_members_never_get_the_visitors_page(author, visitor, member):
    author.create_post()
    visitor.get("/")
    page = member.get("/").text
    assert "Naomi Member" in page and "I&#39;m praying" in page


def test_visitor_pages_carry_no_form_token_and_no_pray_button(author, visitor):
    post_id = author.create_post()
    for path in ("/", f"/posts/{post_id}"):
        html = visitor.get(path).text
        assert "_csrf_token" not in html
        assert "pray-button" not in html
        assert "0 praying" in html
