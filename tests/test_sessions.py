"""A session belongs to one member for good, and a suspension ends it for good.

A suspension placed through a post ("suspend the author of post N") never touches the
member's own row, so it cannot bump their session epoch; sessions remember when they were
signed in instead, and a suspension placed after that ends them even once it is lifted.
"""

from __future__ import annotations

from conftest import query, scalar


def make_moderator(new_browser):
    moderator = new_browser()
    assert moderator.register("mo").status_code == 303
    query("UPDATE member SET role = 'moderator' WHERE username = 'mo'")
    return moderator


def test_lifted_author_suspension_does_not_revive_a_session_that_slept_through_it(author, new_browser):
    address = author.create_post(title="Quiet", anonymous="on")
    moderator = make_moderator(new_browser)
    assert moderator.post(f"/mod/posts/{address}/suspend_author", {"reason": "Threats"}).status_code == 303
    restriction = scalar("SELECT id FROM author_restriction")
    lifted = moderator.post(f"/mod/posts/{address}/lift", {"restriction": restriction, "reason": "Appeal heard"})
    assert lifted.status_code == 303
    # The author made no request while suspended: their old session must still be dead.
    settings = author.get("/settings")
    assert settings.status_code == 303 and settings.headers["location"].startswith("/login")
    assert author.login("author").status_code == 303
    assert author.get("/settings").status_code == 200


def test_lifted_author_silence_keeps_the_session(author, new_browser):
    address = author.create_post(title="Quiet", anonymous="on")
    moderator = make_moderator(new_browser)
    assert moderator.post(f"/mod/posts/{address}/silence_author", {"reason": "Heated"}).status_code == 303
    restriction = scalar("SELECT id FROM author_restriction")
    assert (
        moderator.post(f"/mod/posts/{address}/lift", {"restriction": restriction, "reason": "Calm"}).status_code == 303
    )
    assert author.get("/settings").status_code == 200
