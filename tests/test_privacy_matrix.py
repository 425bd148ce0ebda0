"""The privacy matrix: viewers × post settings × surfaces, each cell asserting what shows and what must not.

One world per cell: an author with exactly one post in the setting under test, and the five
viewers. Each post carries a word found nowhere else, so "shown" and "not shown" are exact, and
for an anonymous post the author's username and display name must appear nowhere in the answer
to anyone but the author.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from mailbox import wait_until

import pytest

from conftest import query, scalar

AUTHOR_USERNAME = "hannahw"
AUTHOR_NAME = "Hannah Whisper"
VIEWERS = ("visitor", "member", "author", "team", "moderator")

# Who may read a post in each setting on a page of its own (docs/privacy.md, "The policy": visibility, and hidden content).
READERS = {
    "public_named": {"visitor", "member", "author", "team", "moderator"},
    "public_anonymous": {"visitor", "member", "author", "team", "moderator"},
    "members": {"member", "author", "team", "moderator"},
    "team": {"author", "team", "moderator"},
    "hidden": {"author", "moderator"},
}
POST_FIELDS = {
    "public_named": {"visibility": "public"},
    "public_anonymous": {"visibility": "public", "anonymous": "on"},
    "members": {"visibility": "members"},
    "team": {"visibility": "team"},
    "hidden": {"visibility": "public"},
}


def word_for(setting: str) -> str:
    return "Zephyrine" + setting.replace("_", "").capitalize()


def expected_in_list(surface: str, setting: str, viewer: str) -> bool:
    """Lists never show hidden posts; the feed shows what a visitor may see, to everyone."""
    if setting == "hidden":
        return False
    if surface == "feed":
        return setting.startswith("public")
    if surface == "profile" and setting == "public_anonymous":
        return viewer == "author"  # the author's own profile lists it, marked; nobody else's view does
    return viewer in READERS[setting]


SURFACES = {
    # name: (is a list, path for post id / word)
    "board": (True, lambda post_id, word: "/"),
    "post_page": (False, lambda post_id, word: f"/posts/{post_id}"),
    "api_list": (True, lambda post_id, word: "/api/v1/posts"),
    "api_item": (False, lambda post_id, word: f"/api/v1/posts/{post_id}"),
    "profile": (True, lambda post_id, word: f"/members/{AUTHOR_USERNAME}"),
    "search": (True, lambda post_id, word: f"/search?q={word}"),
    "feed": (True, lambda post_id, word: "/feed.atom"),
}


@pytest.fixture
def world(new_browser):
    browsers = {"visitor": new_browser()}
    for viewer, username, name in (
        ("author", AUTHOR_USERNAME, AUTHOR_NAME),
        ("member", "plainmember", "Plain Member"),
        ("team", "teamhelper", "Team Helper"),
        ("moderator", "modkeeper", "Mod Keeper"),
    ):
        browsers[viewer] = new_browser()
        assert browsers[viewer].register(username, name).status_code == 303
    query("UPDATE member SET role = 'team' WHERE username = 'teamhelper'")
    query("UPDATE member SET role = 'moderator' WHERE username = 'modkeeper'")
    return browsers


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("setting", READERS)
def test_privacy_cell(world, setting, surface):
    word = word_for(setting)
    title, story = f"Please pray {word}", f"The story {word} in full."
    post_id = world["author"].create_post(title=title, body=story, **POST_FIELDS[setting])
    world["member"].post(f"/posts/{post_id}/replies", {"body": "Holding you close"}) if setting != "hidden" else None
    if setting == "hidden":
        query("UPDATE post SET moderation = 'hidden' WHERE public_id = ?", post_id)
    is_list, path_for = SURFACES[surface]
    failures = []
    for viewer in VIEWERS:
        response = world[viewer].get(path_for(post_id, word))
        text = response.text
        should_show = expected_in_list(surface, setting, viewer) if is_list else viewer in READERS[setting]
        # The title or the story, not the bare word: the search page repeats the query itself.
        shown = title in text or story.split(" in full")[0] in text
        if should_show and (title not in text or response.status_code != 200):
            failures.append(f"{viewer}: expected the post, got {response.status_code} without it")
        if not should_show:
            if shown:
                failures.append(f"{viewer}: the restricted text leaked")
            # A visitor is sent to sign in, as for a post that does not exist (test_first_run.py).
            sent_to_sign_in = viewer == "visitor" and response.status_code == 303
            if sent_to_sign_in and response.headers["location"] != f"/login?next=/posts/{post_id}":
                failures.append(f"{viewer}: sent to {response.headers['location']!r}, not to sign in")
            if not is_list and response.status_code not in (401, 403, 404) and not sent_to_sign_in:
                failures.append(f"{viewer}: expected a refusal, got {response.status_code}")
        # The author's own profile shows her name by nature; there the check is that the
        # anonymous post is not listed (the restricted-text check above).
        if setting == "public_anonymous" and viewer != "author" and surface != "profile":
            for secret in (AUTHOR_NAME, AUTHOR_USERNAME, f"/members/{AUTHOR_USERNAME}"):
                if secret in text:
                    failures.append(f"{viewer}: the anonymous author's {secret!r} appears")
            if surface.startswith("api") and response.status_code == 200:
                payload = json.loads(text)
                posts = payload.get("posts", [payload])
                for post in posts:
                    if post["id"] == post_id and post["author"] is not None:
                        failures.append(f"{viewer}: API author is {post['author']!r}")
                    if {"author_id", "author_username"} & set(post):
                        failures.append(f"{viewer}: API exposes an author identifier")
        named_here = should_show and setting == "public_named" and surface in ("board", "post_page", "api_item")
        if named_here and AUTHOR_NAME not in text:
            failures.append(f"{viewer}: the named author is missing")
        own_anonymous_page = setting == "public_anonymous" and viewer == "author" and surface == "post_page"
        if own_anonymous_page and "posted anonymously" not in text:
            failures.append("author: own anonymous post is not marked 'posted anonymously'")
        edit_link = f"/posts/{post_id}/edit"
        if viewer != "author" and edit_link in text:
            failures.append(f"{viewer}: sees the author's edit link")
    assert not failures, f"{setting} on {surface}:\n" + "\n".join(failures)


# ---------------------------------------------------------------------------------------------
# The new surfaces of "acting on an anonymous author": who reaches them, and who learns what.
# (Invitations and the approval of new members have their matrix in test_joining.py.)

RESTRICTION_VIEWERS = ("visitor", "member", "author", "team", "moderator", "admin")
RESTRICTION_MATRIX = {
    # surface: what each viewer gets (visitor, member, author, team, moderator, admin)
    ("GET", "/mod/restrictions"): (303, 403, 403, 403, 403, 200),
    ("POST", "/mod/posts/{post}/silence_author"): (303, 403, 403, 403, 303, 303),
    ("POST", "/mod/posts/{post}/lift"): (303, 403, 403, 403, 303, 303),
    ("POST", "/mod/restrictions/{restriction}/confirm"): (303, 403, 403, 403, 403, 303),
    ("GET", "/mod/posts/{post}"): (303, 403, 403, 403, 200, 200),
}


@pytest.fixture
def restriction_world(world, new_browser):
    admin = new_browser()
    assert admin.register("boardadmin", "Board Admin").status_code == 303
    query("UPDATE member SET role = 'admin' WHERE username = 'boardadmin'")
    return {**world, "admin": admin}


@pytest.mark.parametrize("surface", list(RESTRICTION_MATRIX), ids=" ".join)
def test_who_reaches_the_author_restriction_surfaces(restriction_world, surface):
    method, template = surface
    for viewer, expected in zip(RESTRICTION_VIEWERS, RESTRICTION_MATRIX[surface], strict=True):
        # A fresh anonymous post by a moderator for each viewer, so a restriction waits for an admin.
        post_id = restriction_world["moderator"].create_post(title=f"Quiet {viewer}", anonymous="on")
        placed = restriction_world["admin"].post(f"/mod/posts/{post_id}/silence_author", {"reason": "setup"})
        assert placed.status_code == 303
        restriction = scalar(
            "SELECT max(id) FROM author_restriction WHERE post = (SELECT id FROM post WHERE public_id = ?)", post_id
        )
        query("UPDATE author_restriction SET status = 'awaiting_admin' WHERE id = ?", restriction)
        path = template.format(post=post_id, restriction=restriction)
        browser = restriction_world[viewer]
        form = {"reason": "a reason", "restriction": str(restriction)}
        response = browser.get(path) if method == "GET" else browser.post(path, form)
        assert response.status_code == expected, (viewer, method, path, response.status_code)
        if expected == 303 and viewer == "visitor":
            assert response.headers["location"].startswith("/login")


def test_a_restriction_through_a_post_names_nobody_to_anyone_but_the_author(restriction_world):
    post_id = restriction_world["author"].create_post(title="Please pray quietly", anonymous="on")
    assert (
        restriction_world["moderator"]
        .post(f"/mod/posts/{post_id}/silence_author", {"reason": "Heated words"})
        .status_code
        == 303
    )
    for viewer in RESTRICTION_VIEWERS:
        browser = restriction_world[viewer]
        for path in ("/", f"/posts/{post_id}", "/api/v1/posts", "/mod", "/mod/log", "/notifications"):
            text = browser.get(path).text
            if viewer != "author":
                assert AUTHOR_NAME not in text and AUTHOR_USERNAME not in text, (viewer, path)
        # Her profile stays as it was, and the log filtered by her name does not list the action.
        assert "Heated words" not in browser.get(f"/members/{AUTHOR_USERNAME}").text
        assert "Heated words" not in browser.get(f"/mod/log?member={AUTHOR_USERNAME}").text
    # The author alone is told, in their own notifications.
    assert "Heated words" in restriction_world["author"].get("/notifications").text
    assert "Heated words" not in restriction_world["member"].get("/notifications").text


# ---------------------------------------------------------------------------------------------
# Notifications: worded when shown, from the post as the reader may see it then. "hidden" and
# "narrowed" change the post after everything was recorded.

NOTIFICATION_READERS = {**READERS, "narrowed": {"author", "team", "moderator"}}


def notification_times(path: str, text: str) -> list[dt.datetime]:
    """Every time a notifications page or API answer shows; asserted to be there at all."""
    if path.startswith("/api/"):
        found = [n["at"] for n in json.loads(text)["notifications"]]
    else:
        found = re.findall(r'<time datetime="([^"]+)"', text)
    assert found, path
    return [dt.datetime.fromisoformat(value.replace("Z", "+00:00")) for value in found]


@pytest.mark.parametrize("setting", NOTIFICATION_READERS)
def test_notifications_name_no_post_the_reader_may_not_see_and_no_anonymous_author(world, setting):
    word = word_for(setting)
    title = f"Please pray {word}"
    post_id = world["author"].create_post(title=title, body=f"The story {word}.", **POST_FIELDS.get(setting, {}))
    for viewer in ("member", "team", "moderator"):
        world[viewer].post(f"/posts/{post_id}/pray")  # refused where the viewer may not see it
        world[viewer].post(f"/posts/{post_id}/replies", {"body": "Holding you close"})
    world["author"].post(f"/posts/{post_id}/replies", {"body": "Thank you all"})  # anonymous in their own thread
    world["author"].post(f"/posts/{post_id}/updates", {"body": f"An update {word}"})
    world["author"].post(f"/posts/{post_id}/answered")
    if setting == "hidden":
        query("UPDATE post SET moderation = 'hidden' WHERE public_id = ?", post_id)
    if setting == "narrowed":
        query("UPDATE post SET visibility = 'team' WHERE public_id = ?", post_id)
    readers = NOTIFICATION_READERS[setting]
    failures = []
    for viewer in ("member", "team", "moderator", "author"):
        for path in ("/notifications", "/api/v1/notifications"):
            text = world[viewer].get(path).text
            if viewer in readers and title not in text:
                failures.append(f"{viewer} {path}: the post it may see is not named")
            if viewer not in readers and word in text:
                failures.append(f"{viewer} {path}: the restricted title leaked")
            anonymous_to_them = setting == "public_anonymous" and viewer != "author"
            if anonymous_to_them and (AUTHOR_NAME in text or AUTHOR_USERNAME in text):
                failures.append(f"{viewer} {path}: the anonymous author is named")
            # What an anonymous author did is told no finer than the hour (docs/privacy.md, "Times").
            if anonymous_to_them:
                for moment in notification_times(path, text):
                    if (moment.minute, moment.second, moment.microsecond) != (0, 0, 0):
                        failures.append(f"{viewer} {path}: a time finer than the hour, {moment}")
    # A member who followed a post since narrowed is told only that it is gone.
    if setting in ("narrowed", "hidden"):
        assert "A post you followed is no longer available" in world["member"].get("/notifications").text
    assert scalar("SELECT COUNT(*) FROM notification WHERE kind <> 'notice'") > 0
    assert not failures, f"{setting}:\n" + "\n".join(failures)


# ---------------------------------------------------------------------------------------------
# Email: written when sent, from the post as its reader may see it then. Mail names a post (its
# title and an excerpt) only when it is public, named and visible; about any other it says that
# there is news and links to it. No author is ever named in mail, and no reply is quoted.


def _every_mail_goes() -> bool:
    return not scalar("SELECT COUNT(*) FROM outbox WHERE status = 'waiting'")


@pytest.mark.parametrize("setting", NOTIFICATION_READERS)
def test_mail_names_only_a_public_named_post_and_never_an_author(world, setting, mailbox):
    word = word_for(setting)
    title = f"Please pray {word}"
    everyone = ("plainmember", "teamhelper", "modkeeper", AUTHOR_USERNAME)
    for username in everyone:
        query(
            "UPDATE member SET mail_news = 'each', mail_review = 'each', mail_prayer_list = ?,"
            " prayer_list_mailed_at = ? WHERE username = ?",
            True,
            dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
            username,
        )
    mailbox.stop()  # nothing goes until every change below is made
    try:
        post_id = world["author"].create_post(title=title, body=f"The story {word}.", **POST_FIELDS.get(setting, {}))
        for viewer in ("member", "team", "moderator"):
            world[viewer].post(f"/posts/{post_id}/pray")
            world[viewer].post(f"/posts/{post_id}/replies", {"body": f"Holding you close {word}"})
        world["author"].post(f"/posts/{post_id}/updates", {"body": f"An update {word}"})
        # (Not marked answered: the prayer list gathers open requests.)
        world["member"].post(f"/posts/{post_id}/flag", {"reason": "danger", "note": f"Worried {word}"})
        if setting == "hidden":
            query("UPDATE post SET moderation = 'hidden' WHERE public_id = ?", post_id)
        if setting == "narrowed":
            query("UPDATE post SET visibility = 'team' WHERE public_id = ?", post_id)
        # News of anonymous content waits for its hour to end; and every digest and prayer list
        # falls due as a day passes.
        query("UPDATE outbox SET next_attempt_at = ?", dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        query(
            "UPDATE member SET mail_news = 'daily', news_mailed_at = ?, prayer_list_mailed_at = ?",
            dt.datetime.now(dt.UTC) - dt.timedelta(days=1, minutes=5),
            dt.datetime.now(dt.UTC) - dt.timedelta(days=1, minutes=5),
        )
        wait_until(
            lambda: (
                scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'news_digest'")
                and scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'prayer_list'") >= (setting != "hidden")
            ),
            what="the digests and prayer lists",
        )
    finally:
        mailbox.start()
    wait_until(_every_mail_goes, what="every message sent or skipped")
    messages = list(mailbox.messages)
    assert messages
    failures = []
    named = 0
    for message in messages:
        parts = [f"{name}: {value}" for name, value in message.items()]
        parts += [str(part.get_content()) for part in message.walk() if part.get_content_maintype() == "text"]
        seen = "\n".join(parts)
        to = message["To"]
        if word in seen:
            if setting != "public_named" or "Holding you close" in seen or "Worried" in seen:
                failures.append(f"to {to}, {message['Subject']!r}: more than mail may say")
            named += 1
        if AUTHOR_NAME in seen or f"{AUTHOR_USERNAME}@" in seen.replace(f"To: {AUTHOR_USERNAME}@", ""):
            failures.append(f"to {to}, {message['Subject']!r}: the author is named")
    assert not failures, f"{setting}:\n" + "\n".join(failures)
    if setting == "public_named":
        assert named, "a public, named post is named in its mail"
