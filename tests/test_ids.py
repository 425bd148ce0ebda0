"""Nothing outlives its owner (issue 7, section 1): ids, sessions, what goes with a deleted object,
retired usernames, and sign-in that costs the same for any account.

For each kind of object the tests delete it, create another, and check that nothing of the
first shows anywhere. They run on both engines (``PRAYERBOARD_TEST_ENGINE``); the SQLite
schema tests skip on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from conftest import ENGINE, PASSWORD, Browser, query, row_id, scalar
from prayerboard import db, passwords
from prayerboard.services.accounts import USERNAME_RETIRED_DAYS

sqlite_only = pytest.mark.skipif(ENGINE != "sqlite", reason="a SQLite schema detail")


# ---------------------------------------------------------------------------------------------
# People and helpers


def member_id(username: str) -> int:
    return scalar("SELECT id FROM member WHERE username_key = ?", username.casefold())


def signed_in(new_browser: Any, username: str) -> Browser:
    """Another device of an existing member."""
    browser = new_browser()
    assert browser.login(username).status_code == 303
    return browser


def is_visitor(browser: Browser) -> bool:
    """Whether the browser's session is a visitor's: member pages send it to sign in."""
    for path in ("/settings", "/settings/export", "/notifications"):
        response = browser.get(path)
        if response.status_code != 303 or not response.headers["location"].startswith("/login"):
            return False
    return "Sign out" not in browser.get("/").text


def delete_account(browser: Browser, content: str) -> None:
    assert browser.post("/settings/delete", {"content": content, "password": PASSWORD}).status_code == 303


def reply(browser: Browser, post_id: str, body: str) -> str:
    response = browser.post(f"/posts/{post_id}/replies", {"body": body})
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("-", 1)[1]


def act(moderator: Browser, kind: str, target_id: int, action: str, **fields: str) -> None:
    response = moderator.post(f"/mod/{kind}/{target_id}/{action}", {"reason": "a moderator's reason", **fields})
    assert response.status_code == 303, response.text


def keyed_rows(kind: str, target_id: int) -> dict[str, int]:
    """Rows that name this post or reply by kind and id, table by table."""
    return {
        table: scalar(f"SELECT COUNT(*) FROM {table} WHERE target_kind = ? AND target_id = ?", kind, target_id)
        for table in ("flag", "revision", "moderation_log")
    }


def links_to_post(post_id: int) -> int:
    return scalar(
        "SELECT COUNT(*) FROM notification WHERE link = ? OR link LIKE ?", f"/posts/{post_id}", f"/posts/{post_id}#%"
    )


@pytest.fixture
def moderator(new_browser: Any) -> Browser:
    browser = new_browser()
    assert browser.register("mira", "Mira Moderator").status_code == 303
    query("UPDATE member SET role = 'moderator' WHERE username_key = 'mira'")
    return browser


def restrict_as_author_of_post(username: str, post_id: int | None, action: str, status: str = "active") -> None:
    """Place a restriction on "the author of post N", as the moderation service records one."""
    query(
        "INSERT INTO author_restriction (post, post_public_id, member, action, status, reason, created_at)"
        " VALUES (?, ?, ?, ?, ?, 'a reason', ?)",
        post_id,
        "k3xq9vd2ma",
        member_id(username),
        action,
        status,
        dt.datetime.now(dt.UTC),
    )


# ---------------------------------------------------------------------------------------------
# Sessions belong to one member for good


@pytest.mark.parametrize("content", ["remove", "anonymise"])
def test_session_of_deleted_member_on_another_device_never_becomes_the_next_member(author, new_browser, content):
    second_device = signed_in(new_browser, "author")
    old_id = member_id("author")
    delete_account(author, content)
    assert is_visitor(second_device)

    newcomer = new_browser()
    assert newcomer.register("newcomer", "Nell Newcomer").status_code == 303
    secret = newcomer.create_post(title="Only the team may read this", visibility="team", anonymous="on")
    newcomer.post("/settings", {"default_visibility": "members"})

    assert member_id("newcomer") != old_id
    assert is_visitor(second_device)
    # The old session reads the team's post as any visitor would: sent to sign in, as for a post
    # that does not exist.
    page = second_device.get(f"/posts/{secret}")
    assert page.status_code == 303 and page.headers["location"] == f"/login?next=/posts/{secret}"
    assert "Only the team may read this" not in page.text
    assert "Only the team may read this" not in second_device.get("/").text
    assert "Nell Newcomer" not in second_device.get("/").text


def test_session_of_deleted_member_does_not_resolve_even_if_its_id_came_back(author, new_browser):
    second_device = signed_in(new_browser, "author")
    old_id = member_id("author")
    delete_account(author, "remove")
    newcomer = new_browser()
    assert newcomer.register("newcomer").status_code == 303
    # Force what the engines no longer do: the next member holding the deleted member's id.
    query("UPDATE member SET id = ? WHERE username_key = 'newcomer'", old_id)
    assert is_visitor(second_device)
    assert newcomer.login("newcomer").status_code == 303  # the account itself is fine
    assert not is_visitor(newcomer) and is_visitor(second_device)


def test_suspension_ends_the_members_sessions_on_every_device(member, moderator, new_browser):
    second_device = signed_in(new_browser, "member")
    response = moderator.post(f"/mod/members/{member_id('member')}/suspend", {"reason": "abuse"})
    assert response.status_code == 303
    assert is_visitor(member) and is_visitor(second_device)


def test_suspension_as_author_of_a_post_ends_sessions_and_refuses_sign_in(author, new_browser):
    post_id = author.create_post()
    second_device = signed_in(new_browser, "author")
    restrict_as_author_of_post("author", row_id(post_id), "suspend")
    assert is_visitor(author) and is_visitor(second_device)
    unknown = new_browser().login("nobody-here")
    refused = new_browser().login("author")
    assert refused.status_code == unknown.status_code == 422
    assert "That username and password do not match." in refused.text


def test_silence_as_author_of_a_post_still_lets_the_member_sign_in(author, new_browser):
    restrict_as_author_of_post("author", row_id(author.create_post()), "silence")
    assert new_browser().login("author").status_code == 303


# ---------------------------------------------------------------------------------------------
# Everything keyed by a post or a reply goes with it


def test_deleted_post_takes_its_reports_revisions_notifications_and_prayers(author, member, moderator):
    post_id = author.create_post(title="First words", body="My phone is 555-0199")
    reply_id = reply(member, post_id, "Call me at 12 Elm Street")
    post_row, reply_row = row_id(post_id), row_id(reply_id, "reply")
    member.post(f"/posts/{post_id}/pray")
    assert member.post(f"/posts/{post_id}/flag", {"reason": "private_details"}).status_code == 303
    assert author.post(f"/posts/{post_id}/replies/{reply_id}/flag", {"reason": "private_details"}).status_code == 303
    act(moderator, "posts", post_id, "redact", body="My phone is private")
    act(moderator, "replies", reply_id, "redact", body="My address is private")
    assert links_to_post(post_id) == 2  # a notice to each author
    assert keyed_rows("post", post_row) == {"flag": 1, "revision": 1, "moderation_log": 1}
    assert keyed_rows("reply", reply_row) == {"flag": 1, "revision": 1, "moderation_log": 1}

    assert author.post(f"/posts/{post_id}/delete").status_code == 303

    assert keyed_rows("post", post_row) == {"flag": 0, "revision": 0, "moderation_log": 1}  # the log keeps its entry
    assert keyed_rows("reply", reply_row) == {"flag": 0, "revision": 0, "moderation_log": 1}
    assert links_to_post(post_id) == 0
    assert scalar("SELECT COUNT(*) FROM prayer") == 0
    for browser in (author, member):
        assert f"/posts/{post_id}" not in browser.get("/notifications").text


def test_new_post_shows_nothing_of_a_deleted_one_to_moderators(author, moderator):
    old = author.create_post(title="First words", body="My phone is 555-0199")
    act(moderator, "posts", old, "redact", body="My phone is private")
    assert author.post(f"/posts/{old}/delete").status_code == 303
    new = author.create_post(title="Second words", body="Nothing private here")
    assert new != old
    page = moderator.get(f"/mod/posts/{new}").text
    assert "555-0199" not in page and "First words" not in page
    assert moderator.get(f"/mod/posts/{old}").status_code == 404
    assert "555-0199" not in moderator.get("/mod").text


def test_report_on_deleted_reply_does_not_reattach_to_a_new_reply(author, member, moderator):
    post_id = author.create_post()
    old = reply(member, post_id, "A reply that goes")
    old_row = row_id(old, "reply")
    assert (
        author.post(f"/posts/{post_id}/replies/{old}/flag", {"reason": "unkind", "note": "a sharp word"}).status_code
        == 303
    )
    assert keyed_rows("reply", old_row)["flag"] == 1
    assert member.post(f"/posts/{post_id}/replies/{old}/delete").status_code == 303
    assert keyed_rows("reply", old_row)["flag"] == 0

    new = reply(member, post_id, "A reply that stays")
    assert new != old
    assert "a sharp word" not in moderator.get(f"/mod/replies/{new}").text
    assert "a sharp word" not in moderator.get("/mod").text
    assert scalar("SELECT COUNT(*) FROM flag") == 0


def test_deleted_reply_takes_its_revision_and_notification(author, member, moderator):
    post_id = author.create_post()
    old = reply(member, post_id, "My address is 12 Elm Street")
    old_row = row_id(old, "reply")
    act(moderator, "replies", old, "redact", body="My address is private")
    assert keyed_rows("reply", old_row)["revision"] == 1
    assert member.post(f"/posts/{post_id}/replies/{old}/delete").status_code == 303
    assert keyed_rows("reply", old_row) == {"flag": 0, "revision": 0, "moderation_log": 1}
    assert f"#reply-{old}" not in member.get("/notifications").text

    new = reply(member, post_id, "Praying for you")
    assert "12 Elm Street" not in moderator.get(f"/mod/replies/{new}").text


def test_prayer_on_a_deleted_post_does_not_carry_to_a_new_post(author, member):
    old = author.create_post(title="Old request")
    member.post(f"/posts/{old}/pray")
    assert author.post(f"/posts/{old}/delete").status_code == 303
    new = author.create_post(title="New request")
    assert scalar("SELECT praying_count FROM post WHERE public_id = ?", new) == 0
    assert member.get("/settings/export").json()["prayers"] == []


def test_author_restriction_keeps_its_row_when_the_post_goes(author):
    post_id = author.create_post()
    restrict_as_author_of_post("author", row_id(post_id), "silence", status="lifted")
    assert author.post(f"/posts/{post_id}/delete").status_code == 303
    rows = query("SELECT post, post_public_id FROM author_restriction")
    assert rows == [{"post": None, "post_public_id": "k3xq9vd2ma"}]


def test_removed_account_takes_what_is_keyed_by_its_posts_and_replies(author, member, moderator):
    own = author.create_post(title="Mine")
    others = member.create_post(title="Theirs")
    on_own = reply(member, own, "A reply on the author's post")
    on_others = reply(author, others, "The author's reply elsewhere")
    member.post(f"/posts/{own}/flag", {"reason": "spam"})
    member.post(f"/posts/{others}/replies/{on_others}/flag", {"reason": "unkind"})
    act(moderator, "posts", own, "redact", body="Redacted")
    act(moderator, "replies", on_own, "redact", body="Redacted reply")
    act(moderator, "replies", on_others, "redact", body="Redacted elsewhere")
    targets = [("post", row_id(own)), ("reply", row_id(on_own, "reply")), ("reply", row_id(on_others, "reply"))]
    for kind, target in targets:
        assert keyed_rows(kind, target)["revision"] == 1, (kind, target)

    delete_account(author, "remove")

    for kind, target in targets:
        assert keyed_rows(kind, target)["flag"] == keyed_rows(kind, target)["revision"] == 0, (kind, target)
    assert links_to_post(own) == 0
    assert f"#reply-{on_others}" not in member.get("/notifications").text
    assert "Theirs" in member.get(f"/posts/{others}").text


def test_removed_account_leaves_reply_counts_exact_when_a_reply_was_hidden(author, member, moderator):
    theirs = member.create_post(title="Theirs")
    reply(member, theirs, "Naomi's own word")
    hidden = reply(author, theirs, "A reply a moderator hid")
    reply(author, theirs, "A reply that was shown")
    act(moderator, "replies", hidden, "hide")
    delete_account(author, "remove")
    assert scalar("SELECT reply_count FROM post WHERE public_id = ?", theirs) == 1


def test_new_member_sees_nothing_of_a_deleted_member(author, member, moderator, new_browser):
    author.post("/settings", {"default_visibility": "team", "default_anonymous": "on"})
    author.create_post(title="The author's own request")
    moderator.post(f"/mod/members/{member_id('author')}/silence", {"reason": "a quiet week"})
    member.post(f"/posts/{member.create_post(title='Naomi asks')}/pray")
    delete_account(author, "remove")

    newcomer = new_browser()
    assert newcomer.register("newcomer").status_code == 303
    assert "a quiet week" not in newcomer.get("/notifications").text
    export = newcomer.get("/settings/export").json()
    assert export["posts"] == [] and export["replies"] == [] and export["prayers"] == []
    assert export["account"]["default_visibility"] == "members"  # a new member's default
    assert export["account"]["default_anonymous"] is False


def test_anonymised_account_keeps_no_notifications(author, moderator):
    moderator.post(f"/mod/members/{member_id('author')}/silence", {"reason": "a quiet week"})
    old_id = member_id("author")
    delete_account(author, "anonymise")
    assert scalar("SELECT COUNT(*) FROM notification WHERE member = ?", old_id) == 0


# ---------------------------------------------------------------------------------------------
# The export holds nothing of a deleted object and nothing about other members


def test_export_holds_nothing_deleted_and_nothing_of_other_members(author, member):
    gone = author.create_post(title="A request I took back", body="words that are gone")
    kept = author.create_post(title="A request I kept")
    reply(member, kept, "Naomi's encouragement")
    theirs = member.create_post(title="Naomi's request")
    author.post(f"/posts/{theirs}/pray")
    old_reply = reply(author, theirs, "A reply I took back")
    author.post(f"/posts/{theirs}/replies/{old_reply}/delete")
    author.post(f"/posts/{gone}/delete")
    member.post(f"/posts/{theirs}/delete")

    text = author.get("/settings/export").text
    for absent in (
        "A request I took back",
        "words that are gone",
        "A reply I took back",
        "Naomi",
        "member@example.org",
        "Naomi's request",
        "Naomi's encouragement",
    ):
        assert absent not in text, absent
    export = author.get("/settings/export").json()
    assert [p["title"] for p in export["posts"]] == ["A request I kept"]
    assert export["prayers"] == [] and export["replies"] == []


# ---------------------------------------------------------------------------------------------
# Ids are never handed out twice


def test_deleting_the_newest_post_and_posting_again_gives_a_new_id(author):
    old = author.create_post(title="Newest")
    old_row = row_id(old)
    assert author.post(f"/posts/{old}/delete").status_code == 303
    assert row_id(author.create_post(title="Next")) > old_row


def test_deleting_the_newest_member_and_registering_gives_a_new_id(author, new_browser):
    old = member_id("author")
    delete_account(author, "remove")
    assert new_browser().register("someone").status_code == 303
    assert member_id("someone") > old


def test_deleting_the_newest_row_of_any_table_and_inserting_gives_a_new_id(migrated_database):
    query("INSERT INTO watched_word (word, action) VALUES ('first', 'block')")
    old = scalar("SELECT id FROM watched_word WHERE word = 'first'")
    query("DELETE FROM watched_word WHERE id = ?", old)
    query("INSERT INTO watched_word (word, action) VALUES ('second', 'block')")
    assert scalar("SELECT id FROM watched_word WHERE word = 'second'") > old


@sqlite_only
def test_every_sqlite_table_with_an_integer_id_has_autoincrement_after_migrate(migrated_database):
    tables = query("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    with_ids = [t for t in tables if '"id" INTEGER PRIMARY KEY' in t["sql"]]
    assert {t["name"] for t in with_ids} >= {"member", "post", "reply", "prayer", "flag", "revision", "notification"}
    assert [t["name"] for t in with_ids if "AUTOINCREMENT" not in t["sql"].upper()] == []


def _old_style_database(path: Path) -> sqlite3.Connection:
    """A database as Piccolo made it before ids were kept: plain INTEGER PRIMARY KEY ids."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.executescript(
        """
        CREATE TABLE "member" ("id" INTEGER PRIMARY KEY NOT NULL, "name" VARCHAR(32) NOT NULL);
        CREATE TABLE "post" (
            "id" INTEGER PRIMARY KEY NOT NULL,
            "author" INTEGER NOT NULL REFERENCES "member" ("id") ON DELETE CASCADE,
            "title" TEXT NOT NULL
        );
        CREATE INDEX "post_author" ON "post" ("author");
        CREATE TABLE "audit" ("what" TEXT NOT NULL);
        CREATE TRIGGER "post_audit" AFTER INSERT ON "post" BEGIN INSERT INTO "audit" VALUES (NEW.title); END;
        INSERT INTO "member" VALUES (1, 'ruth'), (2, 'naomi'), (3, 'boaz');
        INSERT INTO "post" ("id", "author", "title") VALUES (10, 1, 'one'), (11, 2, 'two');
        DELETE FROM "member" WHERE "id" = 3;
        """
    )
    return connection


def test_sqlite_rebuild_keeps_rows_indexes_triggers_and_foreign_keys(tmp_path):
    path = tmp_path / "old.sqlite3"
    _old_style_database(path).close()

    assert sorted(db.sqlite_ids_never_reused(str(path))) == ["member", "post"]

    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    assert connection.execute('SELECT * FROM "member" ORDER BY id').fetchall() == [(1, "ruth"), (2, "naomi")]
    assert connection.execute('SELECT id, author, title FROM "post" ORDER BY id').fetchall() == [
        (10, 1, "one"),
        (11, 2, "two"),
    ]
    names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')")}
    assert {"post_author", "post_audit"} <= names
    assert connection.execute('PRAGMA foreign_key_list("post")').fetchone()[2:4] == ("member", "author")
    with pytest.raises(sqlite3.IntegrityError):
        connection.execute('INSERT INTO "post" ("author", "title") VALUES (99, "nobody wrote this")')
    connection.execute('INSERT INTO "post" ("author", "title") VALUES (1, \'three\')')
    # The trigger still fires, and did not fire again while the rows were copied.
    assert connection.execute('SELECT "what" FROM "audit"').fetchall() == [("one",), ("two",), ("three",)]
    connection.execute('DELETE FROM "member" WHERE id = 1')  # the cascade still works
    assert connection.execute('SELECT COUNT(*) FROM "post"').fetchone() == (1,)
    connection.close()


def test_sqlite_rebuild_is_idempotent_and_never_reuses_ids_afterwards(tmp_path):
    path = tmp_path / "old.sqlite3"
    _old_style_database(path).close()
    db.sqlite_ids_never_reused(str(path))
    assert db.sqlite_ids_never_reused(str(path)) == []

    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute('DELETE FROM "member" WHERE id = 2')
    new_id = connection.execute('INSERT INTO "member" ("name") VALUES (\'orpah\') RETURNING id').fetchone()[0]
    assert new_id == 3  # past every id the table held at the rebuild, and never 2 again
    connection.close()


# ---------------------------------------------------------------------------------------------
# A deleted member's username is not handed to someone else


@pytest.mark.parametrize("content", ["remove", "anonymise"])
def test_deleted_members_username_is_refused_like_a_taken_one(author, new_browser, content):
    delete_account(author, content)
    response = new_browser().register("AUTHOR", "Someone Else")
    assert response.status_code == 422
    assert "That username is taken. Please choose another." in response.text
    assert new_browser().get("/members/author").status_code == 404


def test_retired_username_is_free_again_after_the_retirement_period(new_browser, migrated_database):
    now = dt.datetime.now(dt.UTC)
    query(
        "INSERT INTO retired_username (username_key, retired_at) VALUES ('recent', ?), ('long-ago', ?)",
        now - dt.timedelta(days=USERNAME_RETIRED_DAYS - 1),
        now - dt.timedelta(days=USERNAME_RETIRED_DAYS + 1),
    )
    refused = new_browser().register("recent")
    assert refused.status_code == 422
    assert "That username is taken. Please choose another." in refused.text
    assert new_browser().register("long-ago").status_code == 303
    assert scalar("SELECT username FROM member") == "long-ago"


def test_a_name_taken_again_and_deleted_again_is_retired_again(new_browser, migrated_database):
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=USERNAME_RETIRED_DAYS + 1)
    query("INSERT INTO retired_username (username_key, retired_at) VALUES ('ruth', ?)", long_ago)
    second_owner = new_browser()
    assert second_owner.register("ruth").status_code == 303
    delete_account(second_owner, "remove")
    refused = new_browser().register("ruth")
    assert refused.status_code == 422
    assert "That username is taken. Please choose another." in refused.text
    assert scalar("SELECT COUNT(*) FROM member WHERE username_key = 'ruth'") == 0


# ---------------------------------------------------------------------------------------------
# Sign-in costs one full verification, whatever the account


@pytest.mark.parametrize("stored", [None, "!", "", "not an argon2 hash"])
def test_password_check_without_a_usable_hash_runs_one_full_verification(stored):
    before = passwords.verifications_run()
    assert passwords.verify_password_sync(stored, PASSWORD) is False
    assert passwords.verifications_run() == before + 1


def test_password_check_runs_one_full_verification_right_or_wrong():
    stored = passwords.hash_password_sync(PASSWORD)
    before = passwords.verifications_run()
    assert passwords.verify_password_sync(stored, PASSWORD) is True
    assert passwords.verify_password_sync(stored, "not the password") is False
    assert passwords.verifications_run() == before + 2


def test_password_check_without_a_usable_hash_pays_todays_full_price():
    dummy, may_match = passwords.hash_to_verify("!")
    assert not may_match and dummy.startswith("$argon2id$")
    assert not passwords.needs_rehash(dummy)  # today's parameters: the same cost as a real account
    assert passwords.hash_to_verify(None) == (dummy, False)


@pytest.mark.parametrize("content", ["remove", "anonymise"])
def test_sign_in_to_a_deleted_account_gets_the_answer_of_an_unknown_name(author, new_browser, content):
    old_key = f"~deleted-{member_id('author')}"
    delete_account(author, content)
    unknown = new_browser().login("nobody-here")
    for username in ("author", old_key):
        response = new_browser().login(username)
        assert response.status_code == unknown.status_code == 422
        assert "That username and password do not match." in response.text
