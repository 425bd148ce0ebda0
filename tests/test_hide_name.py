""" "Hide my name" means hidden: everything new is anonymous, and showing the name again never
names anything written or edited while it was hidden (docs/privacy.md, "Hide my name")."""

from __future__ import annotations

import pytest

from conftest import query, scalar

NAME = "Ruth Author"


@pytest.fixture
def hidden_author(author):
    """The author, with "hide my name" on."""
    assert author.post("/settings/hide-name").status_code == 303
    return author


def shows_name(browser, path: str) -> bool:
    return NAME in browser.get(path).text


def reply_id_for(body: str) -> str:
    return scalar("SELECT public_id FROM reply WHERE body = ?", body)


def is_true(value) -> bool:
    return value in (1, True)


def test_post_written_while_name_hidden_is_anonymous_whatever_the_form_says(hidden_author, member, visitor):
    post_id = hidden_author.create_post(title="Written while hidden")  # no "anonymous" in the form
    for browser in (visitor, member):
        assert not shows_name(browser, f"/posts/{post_id}")
        assert not shows_name(browser, "/")
        assert not shows_name(browser, "/api/v1/posts")
    assert "posted anonymously" in hidden_author.get(f"/posts/{post_id}").text

    assert hidden_author.post("/settings/show-name").status_code == 303
    assert not shows_name(visitor, f"/posts/{post_id}")
    assert is_true(scalar("SELECT anonymous FROM post WHERE public_id = ?", post_id))


def test_reply_written_while_name_hidden_stays_anonymous_after_showing_the_name(hidden_author, member, visitor):
    other = member.create_post(title="Naomi's request")
    assert hidden_author.post(f"/posts/{other}/replies", {"body": "Written while hidden"}).status_code == 303
    assert not shows_name(visitor, f"/posts/{other}")
    assert not shows_name(member, f"/posts/{other}")

    hidden_author.post("/settings/show-name")
    assert not shows_name(visitor, f"/posts/{other}")
    assert is_true(scalar("SELECT anonymous FROM reply WHERE public_id = ?", reply_id_for("Written while hidden")))


def test_post_edited_while_hidden_to_add_a_diagnosis_stays_anonymous_after_showing_the_name(author, member, visitor):
    """The issue's own scenario."""
    edited = author.create_post(title="Prayer for my health", body="Tests next week.")
    untouched = author.create_post(title="Thanks for the meals")
    author.post("/settings/hide-name")
    response = author.post(
        f"/posts/{edited}/edit",
        {
            "kind": "request",
            "title": "Prayer for my health",
            "body": "The tests say it is cancer.",
            "category": "Health and healing",
            "visibility": "public",
        },  # the form's box left unticked
    )
    assert response.status_code == 303
    assert not shows_name(visitor, f"/posts/{edited}")

    author.post("/settings/show-name")
    page = visitor.get(f"/posts/{edited}").text
    assert "The tests say it is cancer." in page and NAME not in page
    assert NAME not in member.get(f"/posts/{edited}").text
    assert not is_true(scalar("SELECT named_before_hiding FROM post WHERE public_id = ?", edited))
    # What was not touched while hidden gets its name back, as before.
    assert shows_name(visitor, f"/posts/{untouched}")


def test_update_added_while_hidden_keeps_the_post_anonymous_after_showing_the_name(author, visitor):
    post_id = author.create_post(title="Named at first")
    author.post("/settings/hide-name")
    assert author.post(f"/posts/{post_id}/updates", {"body": "The scan found a tumour."}).status_code == 303
    author.post("/settings/show-name")
    page = visitor.get(f"/posts/{post_id}").text
    assert "The scan found a tumour." in page and NAME not in page


def test_reply_edited_while_hidden_stays_anonymous_after_showing_the_name(author, member, visitor):
    other = member.create_post(title="Naomi's request")
    author.post(f"/posts/{other}/replies", {"body": "Praying for you"})
    reply_id = reply_id_for("Praying for you")
    author.post("/settings/hide-name")
    response = author.post(f"/posts/{other}/replies/{reply_id}/edit", {"body": "I had the same illness"})
    assert response.status_code == 303

    author.post("/settings/show-name")
    page = visitor.get(f"/posts/{other}").text
    assert "I had the same illness" in page and NAME not in page


def test_reply_untouched_while_hidden_gets_its_name_back(author, member, visitor):
    other = member.create_post(title="Naomi's request")
    author.post(f"/posts/{other}/replies", {"body": "Praying for you"})
    author.post("/settings/hide-name")
    assert not shows_name(visitor, f"/posts/{other}")
    author.post("/settings/show-name")
    assert shows_name(visitor, f"/posts/{other}")


def test_new_post_form_says_the_name_is_hidden_and_ticks_anonymous(hidden_author):
    form = hidden_author.get("/posts/new").text
    assert "Your name is hidden" in form
    assert 'id="anonymous" name="anonymous" checked disabled' in form


def test_edit_and_reply_forms_say_the_name_is_hidden(hidden_author, member):
    own = hidden_author.create_post(title="Mine")
    other = member.create_post(title="Naomi's request")
    hidden_author.post(f"/posts/{other}/replies", {"body": "With you"})
    reply_id = reply_id_for("With you")
    assert "Your name is hidden" in hidden_author.get(f"/posts/{own}/edit").text
    assert "so your reply will show as Anonymous" in hidden_author.get(f"/posts/{other}").text
    assert "Your name is hidden" in hidden_author.get(f"/posts/{other}/replies/{reply_id}/edit").text


def test_forms_say_nothing_about_a_hidden_name_when_it_is_shown(author, member):
    other = member.create_post(title="Naomi's request")
    assert "Your name is hidden" not in author.get("/posts/new").text
    assert "Your name is hidden" not in author.get(f"/posts/{other}").text


def test_post_form_with_errors_still_says_the_name_is_hidden(hidden_author):
    response = hidden_author.post(
        "/posts", {"kind": "request", "title": "", "body": "x", "category": "Health and healing"}
    )
    assert response.status_code == 422
    assert "Your name is hidden" in response.text


def test_post_form_says_who_can_ever_learn_who_wrote_an_anonymous_post(author):
    for path in ("/posts/new", f"/posts/{author.create_post()}/edit"):
        form = author.get(path).text
        assert "Only an admin can ever learn who wrote an anonymous post" in form
        assert "moderators and other members never can" in form


def test_settings_say_that_new_writing_is_anonymous_while_hidden(hidden_author):
    page = hidden_author.get("/settings").text
    assert "everything you write or change now" in page


def test_hiding_the_name_leaves_other_members_alone(hidden_author, member, visitor):
    post_id = member.create_post(title="Naomi's own")
    assert "Naomi Member" in visitor.get(f"/posts/{post_id}").text
    rows = query("SELECT anonymous FROM post WHERE public_id = ?", post_id)
    assert not is_true(rows[0]["anonymous"])
