"""Board settings an admin edits at /admin/settings: the name, search engines, categories,
thresholds and limits. Each takes effect at once, in every process; the environment's values
hold until an admin saves others."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import Server, query, scalar
from harness import Browser

CATEGORIES = (
    "Health and healing",
    "Family and marriage",
    "Grief and loss",
    "Work and provision",
    "Faith and guidance",
    "Addiction and recovery",
    "Church and mission",
    "Thanksgiving",
    "Other",
)


@pytest.fixture
def admin(new_browser: Any) -> Browser:
    browser = new_browser()
    assert browser.register("abe", "Abe Admin").status_code == 303
    query("UPDATE member SET role = 'admin' WHERE username = 'abe'")
    return browser


def _category_form(rows: list[tuple[str, str, int, bool]], new: str = "") -> dict[str, str]:
    """The categories form as a browser sends it: (was, name, place, retired) per row."""
    form: dict[str, str] = {"new_category": new}
    for index, (was, name, place, retired) in enumerate(rows):
        form[f"category_was_{index}"] = was
        form[f"category_name_{index}"] = name
        form[f"category_position_{index}"] = str(place)
        if retired:
            form[f"category_retired_{index}"] = "on"
    return form


def _unchanged(**changes: tuple[str, int, bool]) -> list[tuple[str, str, int, bool]]:
    """Every default category as it is, but for ``changes`` (by the old name's first word)."""
    rows = []
    for place, name in enumerate(CATEGORIES, start=1):
        key = name.split()[0].lower()
        new_name, new_place, retired = changes.get(key, (name, place, False))
        rows.append((name, new_name, new_place, retired))
    return rows


def _options(page: str, select_id: str) -> list[str]:
    match = re.search(rf'<select id="{select_id}".*?</select>', page, re.S)
    assert match, select_id
    return [o for o in re.findall(r'<option value="([^"]*)"', match.group(0)) if o]


# ---------------------------------------------------------------------------------------------
# Who may


@pytest.mark.parametrize(
    "path", ["/admin/settings", "/admin/settings/board", "/admin/settings/categories", "/admin/settings/limits"]
)
def test_only_an_admin_reaches_the_settings(path, new_browser, visitor):
    moderator = new_browser()
    assert moderator.register("mira").status_code == 303
    query("UPDATE member SET role = 'moderator' WHERE username = 'mira'")
    if path == "/admin/settings":
        assert moderator.get(path).status_code == 403
        assert visitor.get(path).status_code == 303
    else:
        assert moderator.post(path, {"board_name": "Taken over"}).status_code == 403
        assert visitor.post(path, {"board_name": "Taken over"}).status_code in (303, 403)
    assert scalar("SELECT COUNT(*) FROM site_setting") == 0


def test_the_page_shows_the_environments_values_until_changed(admin):
    page = admin.get("/admin/settings").text
    assert 'value="Prayer Board"' in page
    # The shared test server starts with PRAYERBOARD_APPROVE_FIRST_POSTS=0, posts per hour 10000.
    assert re.search(r'id="approve_first_posts"[^>]*value="0"', page)
    assert re.search(r'id="posts_per_hour"[^>]*value="10000"', page)
    assert re.search(r'id="flag_threshold"[^>]*value="3"', page)
    for name in CATEGORIES:
        assert f'value="{name}"' in page


# ---------------------------------------------------------------------------------------------
# The board's name and search engines


def test_a_new_name_shows_at_once_on_every_page_and_in_the_feed(admin, author, visitor):
    response = admin.post(
        "/admin/settings/board", {"board_name": "  St Anne's   Prayer Wall ", "hide_from_search_engines": "on"}
    )
    assert response.status_code == 303
    for browser in (visitor, author, admin):
        page = browser.get("/").text
        assert "· St Anne&#39;s Prayer Wall</title>" in page
        assert 'class="brand" href="/">St Anne&#39;s Prayer Wall</a>' in page
    assert '<title type="text">St Anne\'s Prayer Wall</title>' in visitor.get("/feed.atom").text.replace("&apos;", "'")


def test_mail_carries_the_new_name(admin, member, visitor):
    assert (
        admin.post(
            "/admin/settings/board", {"board_name": "Hillside Prayer", "hide_from_search_engines": "on"}
        ).status_code
        == 303
    )
    assert visitor.post("/password/forgot", {"login": "member@example.org"}).status_code == 200
    subject = scalar("SELECT subject FROM outbox WHERE to_address = 'member@example.org' ORDER BY id DESC")
    assert subject == "Set a new password for Hillside Prayer"


@pytest.mark.parametrize("name", ["", "   ", "x" * 61])
def test_a_name_must_be_given_and_short(admin, name):
    response = admin.post("/admin/settings/board", {"board_name": name, "hide_from_search_engines": "on"})
    assert response.status_code == 422
    assert "Give the board a name of at most 60 characters." in response.text
    assert 'aria-invalid="true"' in response.text
    assert scalar("SELECT COUNT(*) FROM site_setting WHERE key = 'board_name'") == 0


def test_letting_search_engines_in_allows_the_board_and_public_posts_only(admin, author, visitor):
    public_id = author.create_post(title="Open to all", visibility="public")
    assert admin.post("/admin/settings/board", {"board_name": "Prayer Board"}).status_code == 303
    robots = visitor.get("/robots.txt").text
    assert "Allow: /\n" in robots
    assert "Disallow: /\n" not in robots
    for private in ("/admin", "/mod", "/settings", "/api/", "/search", "/members/", "/login"):
        assert f"Disallow: {private}\n" in robots
    assert 'name="robots" content="noindex, nofollow"' not in visitor.get(f"/posts/{public_id}").text
    assert 'name="robots" content="noindex, nofollow"' not in visitor.get("/").text
    assert "x-robots-tag" not in visitor.get(f"/posts/{public_id}").headers
    # Turned back on, at once.
    assert (
        admin.post(
            "/admin/settings/board", {"board_name": "Prayer Board", "hide_from_search_engines": "on"}
        ).status_code
        == 303
    )
    assert visitor.get("/robots.txt").text == "User-agent: *\nDisallow: /\n"
    assert 'name="robots" content="noindex, nofollow"' in visitor.get(f"/posts/{public_id}").text


# ---------------------------------------------------------------------------------------------
# Categories


def test_a_renamed_category_takes_its_posts_with_it(admin, author, visitor):
    post_id = author.create_post(title="New job", category="Work and provision", visibility="public")
    form = _category_form(_unchanged(work=("Work and money", 4, False)))
    assert admin.post("/admin/settings/categories", form).status_code == 303
    assert scalar("SELECT category FROM post WHERE public_id = ?", post_id) == "Work and money"
    board = visitor.get("/", params={"category": "Work and money"}).text
    assert "New job" in board
    assert "Work and money" in _options(author.get("/posts/new").text, "category")
    assert "Work and provision" not in _options(author.get("/posts/new").text, "category")


def test_two_categories_can_swap_names_without_mixing_their_posts(admin, author):
    grief = author.create_post(title="Loss", category="Grief and loss", visibility="public")
    work = author.create_post(title="Job", category="Work and provision", visibility="public")
    rows = _unchanged(grief=("Work and provision", 3, False), work=("Grief and loss", 4, False))
    assert admin.post("/admin/settings/categories", _category_form(rows)).status_code == 303
    assert scalar("SELECT category FROM post WHERE public_id = ?", grief) == "Work and provision"
    assert scalar("SELECT category FROM post WHERE public_id = ?", work) == "Grief and loss"


def test_a_retired_category_keeps_its_posts_and_filter_but_is_not_offered(admin, author, visitor):
    post_id = author.create_post(title="Church roof", category="Church and mission", visibility="public")
    rows = _unchanged(church=("Church and mission", 7, True))
    assert admin.post("/admin/settings/categories", _category_form(rows)).status_code == 303
    form = author.get("/posts/new").text
    assert "Church and mission" not in _options(form, "category")
    refused = author.post(
        "/posts",
        {"kind": "request", "title": "Late", "body": "x", "category": "Church and mission", "visibility": "public"},
    )
    assert refused.status_code == 422
    assert scalar("SELECT category FROM post WHERE public_id = ?", post_id) == "Church and mission"
    board = visitor.get("/").text
    assert "Church and mission" in _options(board, "filter-category")
    assert "Church roof" in visitor.get("/", params={"category": "Church and mission"}).text
    assert "Church roof" in visitor.get(f"/posts/{post_id}").text
    # Its author may still edit the post and keep its category.
    edit = author.get(f"/posts/{post_id}/edit").text
    assert "Church and mission" in _options(edit, "category")
    saved = author.post(
        f"/posts/{post_id}/edit",
        {
            "kind": "request",
            "title": "Church roof, fixed",
            "body": "x",
            "category": "Church and mission",
            "visibility": "public",
        },
    )
    assert saved.status_code == 303
    # And brought back, it is offered again.
    rows = _unchanged(church=("Church and mission", 7, False))
    assert admin.post("/admin/settings/categories", _category_form(rows)).status_code == 303
    assert "Church and mission" in _options(author.get("/posts/new").text, "category")


def test_categories_are_reordered_and_added(admin, author):
    rows = _unchanged(other=("Other", 1, False), thanksgiving=("Thanksgiving", 2, False))
    assert admin.post("/admin/settings/categories", _category_form(rows, new="  Students  ")).status_code == 303
    offered = _options(author.get("/posts/new").text, "category")
    assert offered[:2] == ["Other", "Thanksgiving"]
    assert offered[-1] == "Students"
    assert len(offered) == len(CATEGORIES) + 1
    post_id = author.create_post(title="Exams", category="Students")
    assert scalar("SELECT category FROM post WHERE public_id = ?", post_id) == "Students"


@pytest.mark.parametrize(
    "rows, new, message",
    [
        (_unchanged(grief=("Health and healing", 3, False)), "", "Two categories cannot have the same name."),
        (_unchanged(), "other", "Two categories cannot have the same name."),
        ([(n, n, i, True) for i, n in enumerate(CATEGORIES, start=1)], "", "Keep at least one category for new posts."),
        (_unchanged(grief=("   ", 3, False)), "", "A category needs a name of at most 60 characters."),
        (_unchanged()[:-1], "", "The list of categories changed while you edited it. Please look again."),
        (_unchanged(), "y" * 61, "A category needs a name of at most 60 characters."),
    ],
)
def test_a_refused_category_change_says_why_and_changes_nothing(admin, author, rows, new, message):
    response = admin.post("/admin/settings/categories", _category_form(rows, new))
    assert response.status_code == 422
    assert message in response.text
    assert scalar("SELECT COUNT(*) FROM site_setting WHERE key = 'categories'") == 0
    assert _options(author.get("/posts/new").text, "category") == list(CATEGORIES)


def test_a_garbled_place_is_read_as_the_rows_own(admin, author):
    rows = _unchanged()
    form = _category_form(rows)
    form["category_position_0"] = "first!"
    form["category_position_1"] = "9" * 40
    assert admin.post("/admin/settings/categories", form).status_code == 303
    assert _options(author.get("/posts/new").text, "category") == list(CATEGORIES)


# ---------------------------------------------------------------------------------------------
# Thresholds and limits


def _limits(**values: str) -> dict[str, str]:
    form = {
        "flag_threshold": "3",
        "approve_first_posts": "0",
        "posts_per_hour": "10000",
        "replies_per_hour": "10000",
        "reports_per_hour": "10000",
    }
    form.update(values)
    return form


def test_an_hourly_limit_applies_at_once(admin, author):
    assert admin.post("/admin/settings/limits", _limits(posts_per_hour="1")).status_code == 303
    author.create_post(title="One")
    refused = author.post(
        "/posts", {"kind": "request", "title": "Two", "body": "x", "category": "Other", "visibility": "public"}
    )
    assert refused.status_code == 429
    assert scalar("SELECT COUNT(*) FROM post") == 1


def test_first_post_approval_applies_at_once(admin, new_browser, visitor):
    assert admin.post("/admin/settings/limits", _limits(approve_first_posts="1")).status_code == 303
    newcomer = new_browser()
    assert newcomer.register("newcomer").status_code == 303
    post_id = newcomer.create_post(title="Waiting")
    assert scalar("SELECT moderation FROM post WHERE public_id = ?", post_id) == "pending"
    assert "Waiting" in admin.get("/mod").text


@pytest.mark.parametrize(
    "field, value",
    [
        ("flag_threshold", "0"),
        ("posts_per_hour", "abc"),
        ("replies_per_hour", ""),
        ("approve_first_posts", "-1"),
        ("reports_per_hour", "1e9"),
    ],
)
def test_a_limit_must_be_a_whole_number_in_its_range(admin, field, value):
    response = admin.post("/admin/settings/limits", _limits(**{field: value}))
    assert response.status_code == 422
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', response.text)
    assert "Give a whole number from" in response.text
    assert scalar("SELECT COUNT(*) FROM site_setting") == 0


# ---------------------------------------------------------------------------------------------
# Every process


def test_a_change_reaches_every_process_at_once(admin, server):
    other = Server()
    try:
        elsewhere = Browser(other.url)
        assert "Prayer Board" in elsewhere.get("/").text  # this process has read the settings once
        assert (
            admin.post(
                "/admin/settings/board", {"board_name": "Valley Prayer", "hide_from_search_engines": "on"}
            ).status_code
            == 303
        )
        assert 'class="brand" href="/">Valley Prayer</a>' in elsewhere.get("/").text
        elsewhere.close()
    finally:
        output = other.log()
        other.stop()
    assert "unhandled error" not in output
