"""Search: full-text over the posts and replies the viewer may see, anonymous authors never shown."""

from __future__ import annotations

import re

import pytest

from conftest import query

DISTINCTIVE_MEMBER_ID = 7_340_001  # a number that cannot appear on a page by chance


def search(browser, q: str, **params):
    return browser.get("/search", params={"q": q, **params})


def post_results(page_html: str) -> list[int]:
    return [n for n in re.findall(r'id="result-post-([a-z0-9]+)"', page_html)]


def reply_results(page_html: str) -> list[int]:
    return [n for n in re.findall(r'id="result-reply-([a-z0-9]+)"', page_html)]


def found_posts(browser, q: str) -> list[int]:
    response = search(browser, q)
    assert response.status_code == 200, response.text
    return post_results(response.text)


@pytest.fixture
def quiet_author(new_browser):
    """An author with a distinctive name, username and member id, to prove none of them leaks."""
    browser = new_browser()
    assert browser.register("hannahq", "Hannah Quietly").status_code == 303
    # A fresh id for the account: the old session ends, so sign in again.
    query("UPDATE member SET id = ? WHERE username_key = ?", DISTINCTIVE_MEMBER_ID, "hannahq")
    assert browser.login("hannahq").status_code == 303
    return browser


def assert_author_hidden(page_html: str) -> None:
    lowered = page_html.lower()
    assert "hannah" not in lowered
    assert "quietly" not in lowered
    assert "hannahq" not in lowered
    assert str(DISTINCTIVE_MEMBER_ID) not in page_html


# --- finding ---------------------------------------------------------------------------------------


def test_search_finds_posts_by_title_and_by_body_words(author, visitor):
    by_title = author.create_post(title="Courage for the interview", body="Tomorrow morning.")
    by_body = author.create_post(title="A hard week", body="My brother lost his job at the shipyard.")
    author.create_post(title="Unrelated", body="Nothing to see.")
    assert found_posts(visitor, "interview") == [by_title]
    assert found_posts(visitor, "shipyard") == [by_body]
    page = search(visitor, "shipyard").text
    assert f'href="/posts/{by_body}"' in page
    assert "A hard week" in page and "Prayer request" in page and "Ruth Author" in page


def test_search_needs_every_word_to_match(author, visitor):
    both = author.create_post(title="Rain and harvest", body="The farm needs rain before the harvest.")
    author.create_post(title="Only rain", body="Rain again today.")
    assert found_posts(visitor, "rain harvest") == [both]


def test_search_finds_replies_by_body_and_links_to_the_reply(author, member, visitor):
    post_id = author.create_post(title="Prayer for my daughter")
    member.post(f"/posts/{post_id}/replies", {"body": "Standing with you through the chemotherapy."})
    reply_id = query("SELECT public_id FROM reply")[0]["public_id"]
    page = search(visitor, "chemotherapy").text
    assert reply_results(page) == [reply_id]
    assert post_results(page) == []
    assert f'href="/posts/{post_id}#reply-{reply_id}"' in page
    assert "Prayer for my daughter" in page and "Naomi Member" in page


def test_search_ignores_case_and_accents(author, visitor):
    post_id = author.create_post(title="Café for José", body="Une prière pour Zoë à Málaga.")
    for q in ("cafe", "CAFÉ", "jose", "JOSÉ", "priere", "zoe", "malaga", "MÁLAGA"):
        assert found_posts(visitor, q) == [post_id], q


def test_search_matches_other_forms_of_a_word(author, visitor):
    post_id = author.create_post(title="Healing", body="She is recovering slowly and we keep praying.")
    assert found_posts(visitor, "pray") == [post_id]
    assert found_posts(visitor, "recovered") == [post_id]


def test_search_shows_newest_first_with_more_results(author, visitor):
    ids = [author.create_post(title=f"Gratitude {n}", body="Thankful today.") for n in range(25)]
    first = search(visitor, "thankful").text
    assert post_results(first) == list(reversed(ids))[:20]
    more = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = visitor.get(more).text
    assert post_results(second) == list(reversed(ids))
    assert 'rel="next"' not in second


def test_search_mixes_posts_and_replies_newest_first(author, member, visitor):
    older = author.create_post(title="Lighthouse", body="A beacon.")
    member.post(f"/posts/{older}/replies", {"body": "The lighthouse keeps shining."})
    newer = author.create_post(title="Another lighthouse", body="Still shining.")
    page = search(visitor, "lighthouse").text
    order = re.findall(r'id="result-(post|reply)-([a-z0-9]+)"', page)
    reply_id = query("SELECT public_id FROM reply")[0]["public_id"]
    assert order == [("post", str(newer)), ("reply", str(reply_id)), ("post", str(older))]


# --- who finds what ----------------------------------------------------------------------------------


def test_visitor_does_not_find_members_or_team_posts(author, visitor):
    public = author.create_post(title="Open zephyr", visibility="public")
    author.create_post(title="Members zephyr", visibility="members")
    author.create_post(title="Team zephyr", visibility="team")
    page = search(visitor, "zephyr").text
    assert post_results(page) == [public]
    assert "Members zephyr" not in page and "Team zephyr" not in page


def test_member_does_not_find_team_posts_but_the_prayer_team_does(author, member):
    public = author.create_post(title="Open quartz", visibility="public")
    members = author.create_post(title="Members quartz", visibility="members")
    team = author.create_post(title="Team quartz", visibility="team")
    assert found_posts(member, "quartz") == [members, public]
    query("UPDATE member SET role = 'team' WHERE username = ?", "member")
    assert found_posts(member, "quartz") == [team, members, public]


def test_author_finds_their_own_team_only_post(author):
    team = author.create_post(title="Private juniper", visibility="team")
    assert found_posts(author, "juniper") == [team]


@pytest.mark.parametrize("state", ["hidden", "pending", "removed"])
def test_moderated_posts_are_never_found(author, member, state):
    post_id = author.create_post(title="Moderated walnut")
    query("UPDATE post SET moderation = ? WHERE public_id = ?", state, post_id)
    for browser in (member, author):
        page = search(browser, "walnut").text
        assert post_results(page) == []
        assert "Moderated walnut" not in page


def test_hidden_replies_are_never_found(author, member, visitor):
    post_id = author.create_post()
    member.post(f"/posts/{post_id}/replies", {"body": "A reply about marigolds."})
    # Found while visible (by a member: visitor pages may be kept), so the searches below could find it.
    assert len(reply_results(search(member, "marigolds").text)) == 1
    query("UPDATE reply SET moderation = 'hidden'")
    for browser in (visitor, member, author):
        page = search(browser, "marigolds").text
        assert reply_results(page) == []
        assert "A reply about marigolds." not in page


def test_replies_on_posts_the_viewer_may_not_see_are_not_found(author, member, visitor):
    members_post = author.create_post(visibility="members")
    team_post = author.create_post(visibility="team")
    member.post(f"/posts/{members_post}/replies", {"body": "Members reply about tulips."})
    author.post(f"/posts/{team_post}/replies", {"body": "Team reply about tulips."})
    assert reply_results(search(visitor, "tulips").text) == []
    page = search(member, "tulips").text
    assert len(reply_results(page)) == 1 and "Members reply" in page and "Team reply" not in page


def test_anonymous_post_is_found_without_its_author_for_everyone_else(quiet_author, member, visitor):
    post_id = quiet_author.create_post(title="A marriage in trouble", body="Pray for reconciliation.", anonymous="on")
    for browser in (visitor, member):
        page = search(browser, "reconciliation").text
        assert post_results(page) == [post_id]
        assert "Anonymous" in page
        assert_author_hidden(page)


def test_author_sees_their_own_anonymous_post_marked_as_such(quiet_author):
    post_id = quiet_author.create_post(title="Quiet request", body="About forgiveness.", anonymous="on")
    page = search(quiet_author, "forgiveness").text
    assert post_results(page) == [post_id]
    assert "Hannah Quietly" in page and "posted anonymously" in page


def test_author_replies_in_their_anonymous_thread_are_found_without_their_name(quiet_author, member):
    post_id = quiet_author.create_post(title="Grief", body="My father died.", anonymous="on")
    quiet_author.post(f"/posts/{post_id}/replies", {"body": "Thank you for the lanterns you lit."})
    page = search(member, "lanterns").text
    assert len(reply_results(page)) == 1
    assert "Anonymous" in page
    assert_author_hidden(page)


# --- changes -------------------------------------------------------------------------------------------


def test_deleted_post_is_no_longer_found(author, visitor):
    post_id = author.create_post(title="Temporary sycamore")
    assert found_posts(visitor, "sycamore") == [post_id]
    assert author.post(f"/posts/{post_id}/delete").status_code == 303
    assert found_posts(visitor, "sycamore") == []


def test_edited_post_is_found_by_its_new_words_only(author, visitor):
    post_id = author.create_post(title="Old words", body="About a heron.")
    response = author.post(
        f"/posts/{post_id}/edit",
        {
            "kind": "request",
            "title": "New words",
            "body": "About a kingfisher.",
            "category": "Other",
            "visibility": "public",
        },
    )
    assert response.status_code == 303
    assert found_posts(visitor, "kingfisher") == [post_id]
    assert found_posts(visitor, "heron") == []


def test_post_made_members_only_is_no_longer_found_by_visitors(author, visitor):
    post_id = author.create_post(title="Shifting audience", body="About an albatross.")
    assert found_posts(visitor, "albatross") == [post_id]
    author.post(
        f"/posts/{post_id}/edit",
        {
            "kind": "request",
            "title": "Shifting audience",
            "body": "About an albatross.",
            "category": "Other",
            "visibility": "members",
        },
    )
    assert found_posts(visitor, "albatross") == []


# --- the form and hostile input ---------------------------------------------------------------------------


def test_search_page_without_a_query_invites_one(visitor):
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = visitor.get("/search", params=params)
        assert response.status_code == 200
        assert "<title>Search" in response.text
        assert '<label for="q">Search posts and replies</label>' in response.text
        assert "What are you looking for?" in response.text


def test_search_keeps_the_query_and_says_when_nothing_matches(author, visitor):
    author.create_post()
    page = search(visitor, "nonexistentword").text
    assert 'value="nonexistentword"' in page
    assert 'Nothing matches "nonexistentword"' in page


def test_every_page_header_offers_search(visitor):
    page = visitor.get("/").text
    assert 'action="/search"' in page
    assert '<label for="site-search-q" class="visually-hidden">Search the board</label>' in page


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"unbalanced quote',
        "AND",
        "OR NOT",
        "a AND OR b",
        "*",
        "pray*",
        "NEAR(",
        "NEAR(mother surgery, 2",
        "(((",
        ")",
        "title:mother",
        "^mother",
        "-mother",
        "mother\x00surgery",
        "\x00",
        "🙏",
        "🙏 mother 🙏",
        "'; DROP TABLE post; --",
        "%_\\",
        "{}",
        "$1",
    ],
)
def test_hostile_queries_are_answered_never_with_an_error(author, visitor, q):
    author.create_post(title="Please pray for my mother", body="She has surgery on Friday.")
    response = search(visitor, q)
    assert response.status_code == 200
    assert "<title>Search" in response.text


def test_query_words_around_syntax_still_find_posts(author, visitor):
    post_id = author.create_post(title="Please pray for my mother", body="She has surgery on Friday.")
    for q in ('"mother', "mother*", "(mother surgery)", "mother\x00", "🙏 mother", "-mother: ^surgery!"):
        assert found_posts(visitor, q) == [post_id], q


@pytest.mark.parametrize("length", [201, 10_000])
def test_overlong_query_is_refused_with_a_message(visitor, length):
    response = search(visitor, "a" * length)
    assert response.status_code == 400
    assert "at most 200 characters" in response.text
    assert 'aria-invalid="true"' in response.text


def test_query_at_the_length_limit_is_accepted(author, visitor):
    word = "a" * 200
    post_id = author.create_post(title="One long word", body=word)
    response = search(visitor, word)
    assert response.status_code == 200
    assert "at most 200 characters" not in response.text
    assert 'aria-invalid="true"' not in response.text
    assert post_results(response.text) == [post_id]


def test_odd_limits_are_ignored(author, visitor):
    post_id = author.create_post()
    for limit in ("abc", "-5", "0", "99999999999999999999", "1000"):
        response = search(visitor, "mother", limit=limit)
        assert response.status_code == 200, limit
        assert post_results(response.text) == [post_id], limit
