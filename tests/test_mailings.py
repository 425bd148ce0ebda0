"""Mail by each member's choice: news as it happens, daily and weekly digests, the daily prayer
list, urgent reports and posts waiting for moderators; and what mail may say about a post.

Digests run on each member's clock (``news_mailed_at`` and its kin): a test makes one due by
setting the clock back a day, as a day passing would; the server's sender starts it at its
next round (every poll, 0.2 s in the tests).
"""

from __future__ import annotations

import datetime as dt
import re
from email.message import EmailMessage
from mailbox import Mailbox, link, text_of, wait_until
from typing import Any

import httpx
import pytest

from conftest import query, row_id, scalar

TITLE = "Surgery on Tuesday"
BODY = "My husband goes in at eight; the doctors are hopeful but we are afraid."


def ago(**delta: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(**delta)


def choose(username: str, **columns: Any) -> None:
    """Set a member's mail choices (the settings form is tested in test_unsubscribe.py)."""
    for column, value in columns.items():
        query(f"UPDATE member SET {column} = ? WHERE username = ?", value, username)


def hold_clock(username: str, column: str = "news_mailed_at") -> None:
    """The member's digest clock started an hour ago: not due yet."""
    choose(username, **{column: ago(hours=1)})


def clock_moved(username: str, column: str = "news_mailed_at") -> bool:
    """Whether the member's digest clock was moved on within the last hour (a round ran)."""
    return bool(scalar(f"SELECT COUNT(*) FROM member WHERE username = ? AND {column} > ?", username, ago(hours=1)))


def a_day_passes(username: str, column: str = "news_mailed_at", days: float = 1) -> None:
    choose(username, **{column: ago(days=days, minutes=5)})


def everything(message: EmailMessage) -> str:
    """All a reader could see of a message: its headers, its text and its HTML."""
    headers = "\n".join(f"{name}: {value}" for name, value in message.items())
    return "\n".join((headers, text_of(message), text_of(message, "html")))


def mails_to(mailbox: Mailbox, username: str) -> list[EmailMessage]:
    return mailbox.to(f"{username}@example.org")


def outbox_rows(username: str) -> list[dict[str, Any]]:
    return query(
        "SELECT o.kind, o.status FROM outbox o JOIN member m ON m.id = o.member WHERE m.username = ? ORDER BY o.id",
        username,
    )


@pytest.fixture
def moderator(new_browser):
    browser = new_browser()
    assert browser.register("keeper", "Mod Keeper").status_code == 303
    query("UPDATE member SET role = 'moderator' WHERE username = 'keeper'")
    return browser


# ---------------------------------------------------------------------------------------------
# As it happens


def test_each_piece_of_news_is_mailed_as_it_happens_naming_a_public_post(author, member, mailbox):
    choose("author", mail_news="each")
    post_id = author.create_post(title=TITLE, body=BODY)
    assert member.post(f"/posts/{post_id}/replies", {"body": "Holding you both close"}).status_code == 303

    [message] = mailbox.wait_for(1)
    assert message["To"] == "author@example.org"
    assert message["Subject"] == f"A new reply on \u201c{TITLE}\u201d"
    text = text_of(message)
    assert BODY[:40] in text  # a short excerpt of a public, named post
    assert link(message, "/posts/").endswith(f"/posts/{post_id}")
    assert link(message, "/settings#email")
    assert "Naomi" not in everything(message)  # no replier is ever named
    assert "Holding you" not in everything(message)  # nor the reply's words
    assert wait_until(lambda: [r["status"] for r in outbox_rows("author")] == ["sent"], what="the news marked sent")


@pytest.mark.parametrize(
    ("visibility", "anonymous"), [("members", False), ("team", False), ("public", True), ("members", True)]
)
def test_news_of_a_restricted_or_anonymous_post_says_only_that_there_is_news(
    author, member, mailbox, visibility, anonymous
):
    query("UPDATE member SET role = 'team' WHERE username = 'member'")
    choose("member", mail_news="each")
    post_id = author.create_post(title=TITLE, body=BODY, visibility=visibility, anonymous="on" if anonymous else "")
    assert member.post(f"/posts/{post_id}/follow").status_code == 303
    assert author.post(f"/posts/{post_id}/updates", {"body": "Out of surgery, resting"}).status_code == 303
    if anonymous:
        # What an anonymous author did is told no finer than the hour: the mail waits for it to end.
        waiting = query("SELECT next_attempt_at FROM outbox WHERE kind = 'news'")
        assert len(waiting) == 1 and mailbox.messages == []
        query("UPDATE outbox SET next_attempt_at = ? WHERE kind = 'news'", ago(minutes=1))

    [message] = mailbox.wait_for(1)
    seen = everything(message)
    assert message["Subject"] == "There is news on Prayer Board"
    if anonymous:  # no link to it: whoever else reads the mailbox must not learn which post
        assert link(message, "/notifications") and post_id not in seen
    else:
        assert link(message, "/posts/").endswith(f"/posts/{post_id}")
    for secret in (TITLE, BODY[:30], "Out of surgery", "Ruth", "author"):
        assert secret not in seen.replace("author@", "").replace("To: member@", ""), secret


def test_news_about_a_post_hidden_before_its_mail_went_is_not_sent(author, member, moderator, mailbox):
    choose("author", mail_news="each")
    post_id = author.create_post(title=TITLE)
    mailbox.stop()
    try:
        member.post(f"/posts/{post_id}/pray")
        wait_until(lambda: scalar("SELECT attempts FROM outbox WHERE kind = 'news'"), what="a failed attempt")
        query("UPDATE post SET moderation = 'hidden' WHERE id = ?", row_id(post_id))
        # Waited for while the server is still down: an attempt already past its check when the
        # post was hidden could otherwise go.
        wait_until(lambda: scalar("SELECT status FROM outbox WHERE kind = 'news'") == "skipped", what="skipped")
    finally:
        mailbox.start()
    assert mails_to(mailbox, "author") == []


def test_members_who_chose_a_digest_or_nothing_get_no_mail_as_it_happens(author, member, new_browser, mailbox):
    third = new_browser()
    assert third.register("boaz", "Boaz Third").status_code == 303
    choose("boaz", mail_news="each")
    choose("member", mail_news="never")  # the author keeps the default, a daily digest
    post_id = author.create_post(title=TITLE)
    member.post(f"/posts/{post_id}/pray")  # the author hears of it; the member now follows
    third.post(f"/posts/{post_id}/replies", {"body": "Praying"})  # author and member hear; boaz follows
    member.post(f"/posts/{post_id}/replies", {"body": "Amen"})  # author and boaz hear

    [message] = mailbox.wait_for(1)
    assert message["To"] == "boaz@example.org"
    assert wait_until(lambda: outbox_rows("boaz") == [{"kind": "news", "status": "sent"}], what="boaz's mail sent")
    assert outbox_rows("author") == [] and outbox_rows("member") == []
    assert "2 new replies" in author.get("/notifications").text  # told in the app all the same
    assert "A new reply" in member.get("/notifications").text


def test_an_unconfirmed_address_gets_no_mail(author, member, mailbox):
    choose("author", mail_news="each", email_confirmed=False)
    post_id = author.create_post(title=TITLE)
    member.post(f"/posts/{post_id}/pray")
    assert "Someone is praying" in author.get("/notifications").text
    assert outbox_rows("author") == []


# ---------------------------------------------------------------------------------------------
# Digests


def test_a_daily_digest_gathers_the_days_news_once(author, member, new_browser, mailbox):
    third = new_browser()
    assert third.register("boaz", "Boaz Third").status_code == 303
    hold_clock("author")  # the default choice: a daily digest
    post_id = author.create_post(title=TITLE, body=BODY)
    members_only = author.create_post(title="A private worry", visibility="members")
    member.post(f"/posts/{post_id}/pray")
    third.post(f"/posts/{post_id}/pray")
    member.post(f"/posts/{members_only}/replies", {"body": "With you"})
    assert mails_to(mailbox, "author") == [] and outbox_rows("author") == []

    a_day_passes("author")
    [digest] = mailbox.wait_for(1)
    assert digest["To"] == "author@example.org"
    assert digest["Subject"] == "Your daily digest from Prayer Board: news about your posts and posts you follow"
    text = text_of(digest)
    assert f"2 people are praying for \u201c{TITLE}\u201d" in text
    assert "There is news about your post" in text  # the members-only one, unnamed
    assert "A private worry" not in everything(digest) and "With you" not in everything(digest)
    assert "Naomi" not in everything(digest) and "Boaz" not in everything(digest)
    assert link(digest, "/settings#email")

    # The clock moved on: the next round finds it not due, and sends nothing more.
    clock = scalar("SELECT news_mailed_at FROM member WHERE username = 'author'")
    assert clock is not None
    member.post(f"/posts/{post_id}/replies", {"body": "Still praying"})
    wait_until(lambda: scalar("SELECT COUNT(*) FROM outbox WHERE status = 'sent'") == 1, what="the digest sent")
    assert outbox_rows("author") == [{"kind": "news_digest", "status": "sent"}]


def test_news_read_in_the_app_is_not_mailed_again_and_a_quiet_day_sends_nothing(author, member, mailbox):
    hold_clock("author")
    hold_clock("member")
    post_id = author.create_post(title=TITLE)
    member.post(f"/posts/{post_id}/pray")
    assert author.post("/notifications/read").status_code == 303  # all read
    a_day_passes("author")
    a_day_passes("member")  # nothing happened for her
    wait_until(lambda: clock_moved("author") and clock_moved("member"), what="both clocks moved on")
    assert outbox_rows("author") == [] and outbox_rows("member") == []


def test_a_weekly_digest_waits_for_the_week(author, member, mailbox):
    choose("author", mail_news="weekly")
    hold_clock("author")
    post_id = author.create_post(title=TITLE)
    member.post(f"/posts/{post_id}/pray")
    a_day_passes("author", days=2)
    a_day_passes("member", days=2)  # a daily member's round runs at the same time
    wait_until(lambda: clock_moved("member"), what="the daily round")
    assert outbox_rows("author") == []
    a_day_passes("author", days=7)
    [digest] = mailbox.wait_for(1)
    assert digest["Subject"].startswith("Your weekly digest from Prayer Board")
    assert f"Someone is praying for \u201c{TITLE}\u201d" in text_of(digest)


def test_a_digest_whose_news_was_hidden_while_the_mail_server_was_down_is_not_sent(author, member, mailbox):
    hold_clock("author")
    post_id = author.create_post(title=TITLE)
    member.post(f"/posts/{post_id}/pray")
    mailbox.stop()
    try:
        a_day_passes("author")
        wait_until(lambda: scalar("SELECT attempts FROM outbox WHERE kind = 'news_digest'"), what="a failed attempt")
        query("UPDATE post SET moderation = 'hidden' WHERE id = ?", row_id(post_id))
        # The next attempt finds nothing left to tell. (Waited for while the server is still
        # down: an attempt already past its check when the post was hidden could otherwise go.)
        wait_until(
            lambda: scalar("SELECT status FROM outbox WHERE kind = 'news_digest'") == "skipped",
            what="the digest skipped",
        )
    finally:
        mailbox.start()
    assert mails_to(mailbox, "author") == []


# ---------------------------------------------------------------------------------------------
# The prayer list


def test_the_daily_prayer_list_names_public_requests_and_only_counts_the_rest(author, member, mailbox):
    choose("member", mail_prayer_list=True)
    hold_clock("member", "prayer_list_mailed_at")
    hold_clock("member")
    author.create_post(title="New job interview", body="On Thursday, for a job near my mother.")
    author.create_post(title="Members only worry", visibility="members")
    author.create_post(title="A secret sorrow", anonymous="on")
    author.create_post(title="Team only matter", visibility="team")  # she may not see it at all
    member.create_post(title="Her own request")
    a_day_passes("member", "prayer_list_mailed_at")

    [message] = mailbox.wait_for(1)
    assert message["To"] == "member@example.org"
    assert message["Subject"] == "Today's prayer list from Prayer Board"
    seen = everything(message)
    assert "\u201cNew job interview\u201d" in seen and "a job near my mother" in seen
    assert "2 more new requests to read on the board" in text_of(message)
    for secret in ("Members only worry", "A secret sorrow", "Team only matter", "Her own request", "Ruth"):
        assert secret not in seen, secret
    assert link(message, "/settings#email")


def test_no_prayer_list_unless_asked_and_none_on_a_day_without_requests(author, member, mailbox):
    hold_clock("member", "prayer_list_mailed_at")  # not asked for: the default
    choose("author", mail_prayer_list=True)
    hold_clock("author", "prayer_list_mailed_at")
    author.create_post(title="Only mine")  # her own: not on her list
    a_day_passes("member", "prayer_list_mailed_at")
    a_day_passes("author", "prayer_list_mailed_at")
    wait_until(lambda: clock_moved("author", "prayer_list_mailed_at"), what="the author's round")
    assert outbox_rows("author") == [] and outbox_rows("member") == []


# ---------------------------------------------------------------------------------------------
# Moderators


def test_an_urgent_report_emails_every_moderator_at_once_whatever_their_digest_choice(
    author, member, moderator, new_browser, mailbox
):
    admin = new_browser()
    assert admin.register("elder", "Elder Admin").status_code == 303
    query("UPDATE member SET role = 'admin' WHERE username = 'elder'")
    choose("keeper", mail_review="never", mail_news="never")
    post_id = author.create_post(title=TITLE, body=BODY, visibility="members")
    assert member.post(f"/posts/{post_id}/flag", {"reason": "danger", "note": "She sounds unsafe"}).status_code == 303

    messages = mailbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["elder@example.org", "keeper@example.org"]
    for message in messages:
        assert message["Subject"] == "Urgent: someone may be in danger (Prayer Board)"
        assert link(message, "/mod/").endswith(f"/mod/posts/{post_id}")
        for secret in (TITLE, BODY[:30], "She sounds unsafe", "Naomi", "Ruth"):
            assert secret not in everything(message), secret
    assert mails_to(mailbox, "author") == [] and mails_to(mailbox, "member") == []


def test_a_moderator_who_turned_urgent_mail_off_is_told_in_the_app_only(author, member, moderator, mailbox):
    choose("keeper", mail_urgent=False)
    post_id = author.create_post(title=TITLE)
    member.post(f"/posts/{post_id}/flag", {"reason": "danger", "note": "unsafe"})
    assert "An urgent report" in moderator.get("/notifications").text
    assert outbox_rows("keeper") == []


def test_posts_waiting_for_approval_reach_moderators_by_their_choice(author, moderator, new_browser, mailbox):
    second = new_browser()
    assert second.register("warden", "Second Mod").status_code == 303
    query("UPDATE member SET role = 'moderator' WHERE username = 'warden'")
    choose("warden", mail_review="each")
    hold_clock("keeper", "review_mailed_at")  # the default: a daily digest
    query("INSERT INTO watched_word (word, action) VALUES ('lottery', 'review')")
    held = author.create_post(title="Lottery worries", body="About the lottery", visibility="members")

    [message] = mailbox.wait_for(1)
    assert message["To"] == "warden@example.org"
    assert message["Subject"] == "A post is waiting for approval on Prayer Board"
    assert link(message, "/mod/").endswith(f"/mod/posts/{held}")
    assert "Lottery" not in everything(message)
    mailbox.clear()

    a_day_passes("keeper", "review_mailed_at")
    [digest] = mailbox.wait_for(1)
    assert digest["To"] == "keeper@example.org"
    assert digest["Subject"] == "Your daily digest from Prayer Board: posts waiting for approval"
    assert link(digest, "/mod/").endswith(f"/mod/posts/{held}")


# ---------------------------------------------------------------------------------------------
# After review


def test_news_of_an_anonymous_post_links_to_the_notifications_not_to_the_post(author, member, mailbox):
    choose("author", mail_news="each")
    post_id = author.create_post(title=TITLE, body=BODY, anonymous="on")
    member.post(f"/posts/{post_id}/pray")
    wait_until(lambda: scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'news'"), what="the news queued")
    query("UPDATE outbox SET next_attempt_at = ? WHERE kind = 'news'", ago(minutes=1))
    [message] = mailbox.wait_for(1)
    # Whoever else reads her mail must not learn which anonymous post is hers.
    assert post_id not in everything(message)
    assert link(message, "/notifications")


def test_mail_names_nobody_praying_even_one_who_lets_authors_see_their_name(author, member, mailbox):
    choose("author", mail_news="each")
    choose("member", show_name_when_praying=True, display_name="Visit https://evil.example/pw")
    post_id = author.create_post(title=TITLE)
    member.post(f"/posts/{post_id}/pray")
    assert "Visit https://evil.example/pw is praying" in author.get("/notifications").text  # in the app, as chosen
    [message] = mailbox.wait_for(1)
    assert message["Subject"] == f"Someone is praying for \u201c{TITLE}\u201d"
    assert "evil.example" not in everything(message)


def test_a_member_suspended_through_a_post_gets_no_more_mail(author, member, moderator, mailbox):
    choose("member", mail_prayer_list=True)
    hold_clock("member", "prayer_list_mailed_at")
    own = member.create_post(title="Her own words")
    assert moderator.post(f"/mod/posts/{own}/suspend_author", {"reason": "threats"}).status_code == 303
    author.create_post(title="New job interview")
    a_day_passes("member", "prayer_list_mailed_at")
    wait_until(
        lambda: scalar("SELECT status FROM outbox WHERE kind = 'prayer_list'") == "skipped", what="the list skipped"
    )
    assert mails_to(mailbox, "member") == []


def test_deleting_an_account_deletes_its_mail(author, member, mailbox):
    choose("author", mail_news="each")
    post_id = author.create_post(title=TITLE)
    member.post(f"/posts/{post_id}/pray")
    mailbox.wait_for(1)
    wait_until(lambda: outbox_rows("author") == [{"kind": "news", "status": "sent"}], what="the mail sent")
    deleted = author.post("/settings/delete", {"password": "a gentle password 42", "content": "anonymise"})
    assert deleted.status_code == 303
    assert scalar("SELECT COUNT(*) FROM outbox WHERE to_address = 'author@example.org'") == 0


def test_a_mail_programs_unsubscribe_button_works_from_the_raw_headers(author, member, mailbox, server):
    choose("author", mail_news="each")
    post_id = author.create_post(title=TITLE)
    member.post(f"/posts/{post_id}/pray")
    mailbox.wait_for(1)
    raw = mailbox.raw[0].decode("ascii")
    # As RFC 8058 asks: the header holds the link itself, on one line, not encoded words.
    found = re.search(r"^List-Unsubscribe: <(http://[^>\s]+/mail/unsubscribe/[^>\s]+)>\r?$", raw, re.MULTILINE)
    assert found, raw[:800]
    assert re.search(r"^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$", raw, re.MULTILINE)
    # The mail program POSTs there with no cookie and no form token; the news stops.
    pressed = httpx.post(found.group(1), data={"List-Unsubscribe": "One-Click"})
    assert pressed.status_code == 200
    assert scalar("SELECT mail_news FROM member WHERE username = 'author'") == "never"
