"""Email choices on /settings, and the signed one-click unsubscribe link that needs no sign-in."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from conftest import query, scalar

ONE_CLICK = "List-Unsubscribe=One-Click"
FORM = {"content-type": "application/x-www-form-urlencoded"}
SETTINGS_LINK = 'href="/settings#email"'
NOT_VALID = "This link is not valid"


def checked(page: str, name: str, value: str | None = None) -> bool:
    """Whether the settings page's input ``name`` (with ``value``, for a radio) is checked."""
    for tag in re.findall(r"<input [^>]*>", page):
        if f'name="{name}"' in tag and (value is None or f'value="{value}"' in tag):
            return " checked" in tag
    raise AssertionError(f"no input {name}={value} on the page")


def member_id(username: str) -> int:
    return scalar("SELECT id FROM member WHERE username = ?", username)


def mail_columns(username: str) -> dict:
    row = query(
        "SELECT mail_news, mail_review, mail_urgent, mail_prayer_list FROM member WHERE username = ?", username
    )[0]
    return {**row, "mail_urgent": bool(row["mail_urgent"]), "mail_prayer_list": bool(row["mail_prayer_list"])}


DEFAULTS = {"mail_news": "daily", "mail_review": "daily", "mail_urgent": True, "mail_prayer_list": False}


def unsubscribe_path(username: str, stream: str = "news") -> str:
    """The path of the link the board mails ``username`` for ``stream``, signed with its secret key."""
    from prayerboard.services import unsubscribe
    from prayerboard.settings import Settings

    token = unsubscribe.token(Settings.from_env().secret_key, member_id(username), unsubscribe.STREAMS[stream])
    return f"/mail/unsubscribe/{token}"


def one_click(server, path: str, **kwargs) -> httpx.Response:
    """What a mail program sends (RFC 8058): a POST with no cookie and no form token."""
    kwargs.setdefault("content", ONE_CLICK.encode())
    kwargs.setdefault("headers", FORM)
    with httpx.Client(base_url=server.url) as bare:
        return bare.post(path, **kwargs)


@pytest.fixture
def moderator(new_browser):
    browser = new_browser()
    assert browser.register("mira", "Mira Moderator").status_code == 303
    query("UPDATE member SET role = 'moderator' WHERE username = 'mira'")
    return browser


# ---------------------------------------------------------------------------------------------
# The link


def test_opening_the_link_only_asks_and_changes_nothing(member, visitor):
    path = unsubscribe_path("member")
    page = visitor.get(path)
    assert page.status_code == 200
    assert "Stop news emails?" in page.text
    assert "You will no longer get emails with news about your posts and posts you follow." in page.text
    assert f'action="{path}"' in page.text and SETTINGS_LINK in page.text
    assert page.headers["cache-control"] == "no-store"
    # Mail scanners open links: opening it, any number of times, stops nothing.
    assert visitor.get(path).status_code == 200
    assert mail_columns("member") == DEFAULTS
    # Nothing on the page says whose link it is.
    assert "Naomi" not in page.text and "member@example.org" not in page.text


@pytest.mark.parametrize(
    ("stream", "column", "stopped", "heading"),
    [
        ("news", "mail_news", "never", "Stop news emails?"),
        ("review", "mail_review", "never", "Stop approval emails?"),
        ("urgent", "mail_urgent", False, "Stop urgent report emails?"),
        ("prayer_list", "mail_prayer_list", False, "Stop prayer list emails?"),
    ],
)
def test_one_click_without_cookies_or_token_stops_that_stream_only(
    moderator, visitor, server, stream, column, stopped, heading
):
    moderator.post(
        "/settings/mail", {"mail_news": "daily", "mail_review": "daily", "mail_urgent": "on", "mail_prayer_list": "on"}
    )
    before = mail_columns("mira")
    path = unsubscribe_path("mira", stream)
    assert heading in visitor.get(path).text

    done = one_click(server, path)
    assert done.status_code == 200
    assert "You will no longer get" in done.text and "You can change this any time in" in done.text
    assert SETTINGS_LINK in done.text
    assert mail_columns("mira") == {**before, column: stopped}
    # Again (a mail program retries): the same answer, nothing more changed.
    again = one_click(server, path)
    assert again.status_code == 200 and again.text == done.text
    assert mail_columns("mira") == {**before, column: stopped}


def test_one_click_as_multipart_works_too(member, server):
    # RFC 8058 lets the mail program send multipart/form-data as well.
    done = one_click(
        server, unsubscribe_path("member"), content=None, headers=None, files={"List-Unsubscribe": (None, "One-Click")}
    )
    assert done.status_code == 200
    assert mail_columns("member")["mail_news"] == "never"


def test_the_pages_own_button_stops_the_emails_and_settings_show_it(member, visitor):
    path = unsubscribe_path("member")
    page = visitor.get(path).text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]+)"', page))
    assert fields == {"List-Unsubscribe": "One-Click"}
    done = visitor.post(path, fields, csrf=False)
    assert done.status_code == 200
    assert "You will no longer get emails with news about your posts and posts you follow." in done.text
    assert checked(member.get("/settings").text, "mail_news", "never")


def test_the_link_needs_no_sign_in_on_a_members_only_board(member, visitor, server, new_browser):
    admin = new_browser()
    assert admin.register("abe", "Abe Admin").status_code == 303
    query("UPDATE member SET role = 'admin' WHERE username = 'abe'")
    assert admin.post("/admin/settings", {"join_policy": "open", "members_only": "on"}).status_code == 303
    assert visitor.get("/").status_code == 303  # the board itself stays closed to visitors

    path = unsubscribe_path("member")
    page = visitor.get(path)
    assert page.status_code == 200 and "Stop news emails?" in page.text
    assert one_click(server, path).status_code == 200
    assert mail_columns("member")["mail_news"] == "never"


def test_a_signed_in_member_can_use_the_link_too(member):
    path = unsubscribe_path("member", "prayer_list")
    member.post("/settings/mail", {"mail_news": "weekly", "mail_prayer_list": "on"})
    assert member.get(path).status_code == 200
    assert member.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert mail_columns("member") == {**DEFAULTS, "mail_news": "weekly", "mail_prayer_list": False}


def _altered_tokens() -> list[str]:
    return [
        "1.1.not-a-signature",
        "nonsense",
        "a" * 1000,
        "%00",
        "%FF",
        "%E2%80%AE42.news.x",
    ]


@pytest.mark.parametrize("token", _altered_tokens())
def test_a_link_the_board_did_not_sign_is_a_clear_400(member, visitor, server, token):
    path = f"/mail/unsubscribe/{token}"
    for answer in (visitor.get(path), one_click(server, path), visitor.post(path, {}, csrf=False)):
        assert answer.status_code == 400
        assert NOT_VALID in answer.text and SETTINGS_LINK in answer.text
    assert mail_columns("member") == DEFAULTS


def test_a_signature_moved_to_another_member_or_stream_is_refused(author, member, visitor, server):
    good = unsubscribe_path("member").removeprefix("/mail/unsubscribe/")
    _, stream, signature = good.split(".")
    for token in (f"{member_id('author')}.news.{signature}", f"{member_id('member')}.prayer_list.{signature}"):
        path = f"/mail/unsubscribe/{token}"
        assert visitor.get(path).status_code == 400
        assert one_click(server, path).status_code == 400
    assert mail_columns("author") == DEFAULTS and mail_columns("member") == DEFAULTS


def test_a_deleted_members_link_is_not_valid(member, visitor, server):
    from conftest import PASSWORD

    path = unsubscribe_path("member")
    assert member.post("/settings/delete", {"content": "remove", "password": PASSWORD}).status_code == 303
    assert NOT_VALID in visitor.get(path).text
    assert one_click(server, path).status_code == 400


def test_a_password_reset_mail_has_no_unsubscribe_header(member, visitor, mailbox):
    assert visitor.post("/password/forgot", {"login": "member"}).status_code == 200
    [message] = mailbox.wait_for(1)
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None


# ---------------------------------------------------------------------------------------------
# Choices on /settings


def test_the_email_section_says_where_mail_goes_and_shows_the_defaults(member):
    page = member.get("/settings").text
    assert 'id="email"' in page and "<h2" in page and ">Email</h2>" in page
    assert "member@example.org" in page
    assert checked(page, "mail_news", "daily")
    for choice in ("Each time, as it happens", "A daily digest", "A weekly digest", "No email"):
        assert choice in page
    assert not checked(page, "mail_prayer_list")
    # Review and urgent reports are for moderators only.
    assert "mail_review" not in page and "mail_urgent" not in page


@pytest.mark.parametrize("news", ["each", "daily", "weekly", "never"])
def test_every_news_choice_is_saved_and_confirmed(member, news):
    saved = member.post("/settings/mail", {"mail_news": news, "mail_prayer_list": "on"})
    assert saved.status_code == 303 and saved.headers["location"] == "/settings#email"
    page = member.get("/settings").text
    assert page.count("Saved: your email choices.") == 1
    assert checked(page, "mail_news", news)
    assert mail_columns("member") == {**DEFAULTS, "mail_news": news, "mail_prayer_list": True}
    # Unticking the prayer list turns it off again.
    member.post("/settings/mail", {"mail_news": news})
    assert mail_columns("member")["mail_prayer_list"] is False


def test_a_moderator_chooses_review_and_urgent_mail(moderator):
    page = moderator.get("/settings").text
    assert "Posts waiting for approval" in page and "Email me at once about urgent reports" in page
    assert checked(page, "mail_review", "daily") and checked(page, "mail_urgent")
    assert moderator.post("/settings/mail", {"mail_news": "never", "mail_review": "each"}).status_code == 303
    assert mail_columns("mira") == {**DEFAULTS, "mail_news": "never", "mail_review": "each", "mail_urgent": False}
    page = moderator.get("/settings").text
    assert checked(page, "mail_review", "each") and not checked(page, "mail_urgent")


def test_a_member_cannot_set_the_moderators_choices(member):
    saved = member.post("/settings/mail", {"mail_news": "weekly", "mail_review": "never", "mail_urgent": ""})
    assert saved.status_code == 303
    assert mail_columns("member") == {**DEFAULTS, "mail_news": "weekly"}
    # Nor is an unknown value from them an error: it is not theirs to send.
    assert member.post("/settings/mail", {"mail_news": "weekly", "mail_review": "hourly"}).status_code == 303


@pytest.mark.parametrize("form", [{"mail_news": "hourly"}, {"mail_news": ""}, {}, {"mail_news": "never\x00"}])
def test_an_unknown_frequency_is_refused_with_a_message(member, form):
    answer = member.post("/settings/mail", {**form, "mail_prayer_list": "on"})
    assert answer.status_code == 422
    assert "Choose how often you want these emails." in answer.text
    assert "Your email choices were not saved." in answer.text
    assert mail_columns("member") == DEFAULTS


def test_a_moderators_unknown_review_frequency_is_refused(moderator):
    answer = moderator.post("/settings/mail", {"mail_news": "weekly", "mail_review": "hourly", "mail_urgent": "on"})
    assert answer.status_code == 422 and "Choose how often you want these emails." in answer.text
    assert checked(answer.text, "mail_news", "weekly")  # what was chosen is kept
    assert mail_columns("mira") == DEFAULTS


def test_choices_need_sign_in_and_a_form_token(member, visitor):
    answer = visitor.post("/settings/mail", {"mail_news": "never"})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert member.post("/settings/mail", {"mail_news": "never"}, csrf=False).status_code == 403
    assert mail_columns("member") == DEFAULTS


def test_the_data_export_holds_the_email_choices(member):
    member.post("/settings/mail", {"mail_news": "weekly", "mail_prayer_list": "on"})
    account = json.loads(member.get("/settings/export").text)["account"]
    assert (account["mail_news"], account["mail_prayer_list"], account["mail_urgent"]) == ("weekly", True, True)
