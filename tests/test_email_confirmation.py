"""Confirming email addresses: at registration when the board asks for it, and always when a
member changes their address (docs/security.md, "Confirming addresses")."""

from __future__ import annotations

import re
import time
from mailbox import link, text_of
from typing import Any

import pytest

from conftest import query, scalar
from harness import PASSWORD, Browser

LINK_RE = re.compile(r"https?://\S+(/register/confirm/\S+)")
CHECK_EMAIL = "Check your email"
CONFIRM_FIRST = "Confirm your email address first"


def _set_board(admin: Browser, confirm: bool = True, join_policy: str = "open", members_only: bool = False) -> None:
    form = {"join_policy": join_policy}
    if confirm:
        form["confirm_email"] = "on"
    if members_only:
        form["members_only"] = "on"
    assert admin.post("/admin/settings", form).status_code == 303


@pytest.fixture
def admin(new_browser: Any) -> Browser:
    browser = new_browser()
    assert browser.register("keeper", "Keeper Admin").status_code == 303
    query("UPDATE member SET role = 'admin' WHERE username = 'keeper'")
    return browser


@pytest.fixture
def confirming_board(admin: Browser) -> Browser:
    """A board that asks new members to confirm their address; its admin."""
    _set_board(admin)
    return admin


def _join(browser: Browser, username: str, email: str | None = None, **extra: str) -> Any:
    return browser.post(
        "/register",
        {
            "username": username,
            "display_name": username.title(),
            "email": email or f"{username}@example.org",
            "password": PASSWORD,
            **extra,
        },
    )


def _mails(address: str, kind: str = "confirm_email") -> list[dict[str, Any]]:
    return query(
        "SELECT subject, text_body, kind FROM outbox WHERE to_address = ? AND kind = ? ORDER BY id", address, kind
    )


def _link(address: str) -> str:
    """The path of the newest confirmation link mailed to ``address``."""
    mails = [m for m in _mails(address) if LINK_RE.search(m["text_body"])]
    assert mails, f"no link mailed to {address}"
    return LINK_RE.search(mails[-1]["text_body"]).group(1)  # type: ignore[union-attr]


def _page(text: str, typed: str) -> str:
    """A page without what differs by asker: what they typed and their form token."""
    return re.sub(r'value="[0-9a-f]{32,}"', "", text.replace(f'value="{typed}"', ""))


def _signed_in(browser: Browser) -> bool:
    return browser.get("/settings").status_code == 200


def _member(username: str) -> dict[str, Any]:
    return query(
        "SELECT id, email, email_confirmed, pending_email FROM member WHERE username = ?",
        username,
    )[0]


# ---------------------------------------------------------------------------------------------
# The board setting


def test_the_setting_is_off_by_default_and_an_admin_turns_it_on(admin):
    page = admin.get("/admin/settings")
    assert 'name="confirm_email"' in page.text and "Ask new members to confirm their email address" in page.text
    assert 'id="confirm_email" name="confirm_email" checked' not in page.text
    _set_board(admin)
    assert 'id="confirm_email" name="confirm_email" checked' in admin.get("/admin/settings").text
    _set_board(admin, confirm=False)
    assert 'id="confirm_email" name="confirm_email" checked' not in admin.get("/admin/settings").text


def test_with_the_setting_off_nothing_changes(admin, visitor):
    joined = _join(visitor, "naomi")
    assert joined.status_code == 303 and _signed_in(visitor)
    assert _member("naomi")["email_confirmed"] in (True, 1)
    assert _mails("naomi@example.org") == []


# ---------------------------------------------------------------------------------------------
# Registering on a board that asks


def test_registering_sends_a_link_and_does_not_sign_in(confirming_board, visitor, mailbox, server):
    page = _join(visitor, "naomi", "Naomi@Example.org")
    assert page.status_code == 200
    assert CHECK_EMAIL in page.text and "naomi@example.org" in page.text
    assert 'action="/register/resend"' in page.text and "Send it again" in page.text
    assert not _signed_in(visitor)
    assert _member("naomi")["email_confirmed"] in (False, 0)
    [message] = [m for m in mailbox.wait_for(1) if m["To"] == "naomi@example.org"]
    assert message["Subject"].startswith("Confirm your email address")
    url = link(message, "/register/confirm/")
    assert url.startswith(server.url + "/register/confirm/")
    assert "/register/confirm/" in text_of(message, "html")
    assert "Naomi" not in text_of(message)  # the link, and nothing else about the account


def test_signing_in_before_confirming_is_refused_and_a_wrong_password_says_only_the_usual(
    confirming_board, visitor, new_browser
):
    _join(visitor, "naomi")
    refused = visitor.login("naomi")
    assert refused.status_code == 403
    assert CONFIRM_FIRST in refused.text and 'action="/register/resend"' in refused.text
    assert 'name="login" value="naomi"' in refused.text
    assert not _signed_in(visitor)
    wrong = new_browser().login("naomi", "not the password at all")
    nobody = new_browser().login("nobody-here", "not the password at all")
    assert wrong.status_code == nobody.status_code == 422
    for answer in (wrong, nobody):
        assert "That username and password do not match." in answer.text
        assert CONFIRM_FIRST not in answer.text and "/register/resend" not in answer.text


def test_the_link_shows_a_button_and_only_pressing_it_confirms_and_signs_in(confirming_board, visitor, new_browser):
    _join(visitor, "naomi")
    path = _link("naomi@example.org")
    phone = new_browser()
    shown = phone.get(path)
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    assert f'action="{path}"' in shown.text and ">Confirm</button>" in shown.text
    assert _member("naomi")["email_confirmed"] in (False, 0)  # opening the link changes nothing
    assert not _signed_in(phone)

    done = phone.post(path)
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert "your email address is confirmed" in phone.get("/").text
    assert _signed_in(phone)
    assert _member("naomi")["email_confirmed"] in (True, 1)
    # Used twice: refused, and nothing changes.
    for again in (phone.get(path), phone.post(path), new_browser().post(path)):
        assert again.status_code == 400 and "This link does not work" in again.text
    # Signing in now works as always.
    assert new_browser().login("naomi").status_code == 303


def test_the_session_is_a_new_one_after_confirming(confirming_board, visitor):
    from harness import SESSION_COOKIE

    _join(visitor, "naomi")
    path = _link("naomi@example.org")
    visitor.get(path)
    planted = visitor.client.cookies.get(SESSION_COOKIE)
    assert visitor.post(path).status_code == 303
    assert visitor.client.cookies.get(SESSION_COOKIE) not in (None, planted)


def test_an_expired_link_says_how_to_get_a_new_one(confirming_board, visitor):
    from prayerboard.services import email_address
    from prayerboard.settings import Settings

    _join(visitor, "naomi")
    secret_key = Settings.from_env().secret_key
    member_id = _member("naomi")["id"]
    long_ago = time.time() - email_address.CONFIRM_LINK_SECONDS - 60
    expired = "/register/confirm/" + email_address.mint_token(
        secret_key, member_id, "join", "naomi@example.org", now=long_ago
    )
    for answer in (visitor.get(expired), visitor.post(expired)):
        assert answer.status_code == 410
        assert "expired" in answer.text and "ask for a new link" in answer.text and 'href="/login"' in answer.text
    assert _member("naomi")["email_confirmed"] in (False, 0)
    fresh = "/register/confirm/" + email_address.mint_token(secret_key, member_id, "join", "naomi@example.org")
    assert visitor.get(fresh).status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature altered
        lambda token: token.split(".")[0] + ".9999999999." + token.split(".")[2],  # a later expiry
        lambda token: "1" + token,  # another member's id
        lambda token: "nonsense",
        lambda token: "x" * 500,
        lambda token: "1.2.%00",
    ],
)
def test_a_tampered_or_garbled_link_is_refused_calmly(confirming_board, visitor, change):
    _join(visitor, "naomi")
    token = _link("naomi@example.org").removeprefix("/register/confirm/")
    bad = "/register/confirm/" + change(token)
    for answer in (visitor.get(bad), visitor.post(bad)):
        assert answer.status_code in (400, 404), answer.status_code
        if answer.status_code == 400:
            assert "This link does not work" in answer.text
    assert _member("naomi")["email_confirmed"] in (False, 0)


def test_send_it_again_answers_the_same_for_anyone_and_is_throttled(confirming_board, visitor, new_browser):
    _join(visitor, "naomi")
    asked = visitor.post("/register/resend", {"login": "naomi"})
    unknown = new_browser().post("/register/resend", {"login": "nobody-here"})
    assert asked.status_code == unknown.status_code == 200
    assert "we have sent it a new link" in asked.text
    assert _page(asked.text, "naomi") == _page(unknown.text, "nobody-here")
    assert len(_mails("naomi@example.org")) == 2
    # Both links work until one of them is used.
    assert visitor.get(_link("naomi@example.org")).status_code == 200
    answers = [visitor.post("/register/resend", {"login": "naomi"}) for _ in range(5)]  # the sixth for the name
    refused = answers[-1]
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "Too many requests for a link" in refused.text
    assert visitor.post("/register/resend", {"login": ""}).status_code == 422


def test_a_confirmed_member_is_sent_nothing_again(admin, visitor):
    _join(visitor, "naomi")  # joined before the board asked: confirmed
    _set_board(admin)
    assert visitor.post("/register/resend", {"login": "naomi"}).status_code == 200
    assert _mails("naomi@example.org") == []


def test_joining_on_an_approval_board_waits_for_both(admin, visitor):
    _set_board(admin, join_policy="approval")
    page = _join(visitor, "naomi")
    assert page.status_code == 200 and CHECK_EMAIL in page.text
    done = visitor.post(_link("naomi@example.org"))
    assert done.status_code == 303 and done.headers["location"] == "/join/waiting"
    assert "waiting for approval" in visitor.get("/join/waiting").text


def test_joining_by_invitation_confirms_the_address_too(admin, visitor):
    _set_board(admin, join_policy="invitation")
    made = admin.post("/mod/invitations", {"note": "for Naomi"})
    token = re.search(r"/register\?invite=([\w-]+)", made.text).group(1)  # type: ignore[union-attr]
    page = _join(visitor, "naomi", invite=token)
    assert page.status_code == 200 and CHECK_EMAIL in page.text
    assert scalar("SELECT used_by FROM invitation") == _member("naomi")["id"]
    assert visitor.post(_link("naomi@example.org")).status_code == 303
    assert _signed_in(visitor)


def test_turning_the_setting_off_lets_a_waiting_member_in_and_their_settings_offer_the_link(admin, visitor):
    _set_board(admin)
    _join(visitor, "naomi")
    _set_board(admin, confirm=False)
    assert visitor.login("naomi").status_code == 303
    page = visitor.get("/settings")
    assert "(not yet confirmed)" in page.text and 'action="/settings/email/resend"' in page.text
    assert visitor.post("/settings/email/resend").status_code == 303
    assert len(_mails("naomi@example.org")) == 2
    assert visitor.post(_link("naomi@example.org")).status_code == 303
    assert "(not yet confirmed)" not in visitor.get("/settings").text


def test_on_a_members_only_board_a_visitor_can_open_and_use_the_link(admin, visitor):
    _set_board(admin, members_only=True)
    _join(visitor, "naomi")
    path = _link("naomi@example.org")
    assert visitor.get(path).status_code == 200
    assert visitor.post(path).status_code == 303
    assert visitor.get("/").status_code == 200


# ---------------------------------------------------------------------------------------------
# Changing the address


def _change(browser: Browser, new_email: str, password: str = PASSWORD) -> Any:
    return browser.post("/settings/email", {"new_email": new_email, "email_password": password})


def _reset_mail_to() -> list[str]:
    return [
        row["to_address"] for row in query("SELECT to_address FROM outbox WHERE kind = 'password_reset' ORDER BY id")
    ]


def test_the_settings_page_shows_the_address_and_a_labelled_form(member):
    page = member.get("/settings")
    assert '<h2 id="email-address-title">Email address</h2>' in page.text
    assert "member@example.org" in page.text and "not yet confirmed" not in page.text
    assert '<label for="new-email">' in page.text and '<label for="email-password">' in page.text
    ids = re.findall(r'\bid="([^"]+)"', page.text)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    refused = _change(member, "naomi.new@example.net", "not my password at all")
    ids = re.findall(r'\bid="([^"]+)"', refused.text)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert 'aria-describedby="email_password-error"' in refused.text and 'id="email_password-error"' in refused.text


def test_a_wrong_password_changes_nothing(member):
    refused = _change(member, "naomi.new@example.net", "not my password at all")
    assert refused.status_code == 422
    assert "That password is not right." in refused.text and 'value="naomi.new@example.net"' in refused.text
    assert _member("member")["pending_email"] == ""
    assert query("SELECT to_address FROM outbox") == []


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter your new email address."),
        ("not an address", "Enter an email address like name@example.org."),
        ("eve@evil.org, member@example.org", "Enter an email address like name@example.org."),
        ("Member@Example.org", "That is already your address."),
    ],
)
def test_an_unusable_address_is_a_form_message(member, typed, message):
    refused = _change(member, typed)
    assert refused.status_code == 422 and message in refused.text
    assert _member("member")["pending_email"] == ""


def test_a_change_is_confirmed_before_it_is_used(member, new_browser, visitor, mailbox, server):
    changed = _change(member, "Naomi.New@Example.net")
    assert changed.status_code == 303
    page = member.get("/settings")
    assert "We sent a link to naomi.new@example.net" in page.text
    assert "naomi.new@example.net" in page.text and 'action="/settings/email/cancel"' in page.text
    assert _member("member")["email"] == "member@example.org"
    assert _member("member")["pending_email"] == "naomi.new@example.net"

    messages = mailbox.wait_for(2)
    [to_new] = [m for m in messages if m["To"] == "naomi.new@example.net"]
    [to_old] = [m for m in messages if m["To"] == "member@example.org"]
    assert link(to_new, "/register/confirm/").startswith(server.url)
    assert "another one" in text_of(to_old) and "example.net" not in text_of(to_old)
    assert "Forgot your password?" in text_of(to_old) and "/register/confirm/" not in text_of(to_old)

    # Until it is confirmed, a password reset still goes to the old address.
    visitor.post("/password/forgot", {"login": "member"})
    assert _reset_mail_to() == ["member@example.org"]

    path = _link("naomi.new@example.net")
    elsewhere = new_browser()
    assert elsewhere.get(path).status_code == 200
    assert _member("member")["email"] == "member@example.org"
    done = elsewhere.post(path)
    assert done.status_code == 303
    assert "Your new email address is confirmed" in elsewhere.get(done.headers["location"]).text
    after = _member("member")
    assert after["email"] == "naomi.new@example.net" and after["pending_email"] == ""
    assert elsewhere.post(path).status_code == 400

    # Now a reset goes to the new address.
    visitor.post("/password/forgot", {"login": "naomi.new@example.net"})
    assert _reset_mail_to() == ["member@example.org", "naomi.new@example.net"]


def test_a_pending_change_can_be_cancelled_and_its_link_dies(member):
    _change(member, "naomi.new@example.net")
    path = _link("naomi.new@example.net")
    assert member.post("/settings/email/cancel").status_code == 303
    assert "The change is cancelled" in member.get("/settings").text
    assert _member("member")["pending_email"] == ""
    assert member.get(path).status_code == 400
    assert member.post(path).status_code == 400
    assert _member("member")["email"] == "member@example.org"


def test_a_later_change_to_another_address_kills_the_earlier_link(member):
    _change(member, "first@example.net")
    first = _link("first@example.net")
    _change(member, "second@example.net")
    assert member.post(first).status_code == 400
    assert member.post(_link("second@example.net")).status_code == 303
    assert _member("member")["email"] == "second@example.net"


def test_the_link_of_a_change_can_be_sent_again(member):
    _change(member, "naomi.new@example.net")
    assert member.post("/settings/email/resend").status_code == 303
    assert "We sent a new link to naomi.new@example.net" in member.get("/settings").text
    assert len(_mails("naomi.new@example.net")) == 2


def test_guessing_the_password_through_the_form_is_throttled(member):
    answers = [_change(member, "naomi.new@example.net", f"guess number {n}") for n in range(6)]
    assert [a.status_code for a in answers[:5]] == [422] * 5
    assert answers[5].status_code == 429 and int(answers[5].headers["retry-after"]) > 0


def test_a_visitor_cannot_change_an_address(visitor):
    assert visitor.post("/settings/email", {"new_email": "x@example.net"}).status_code == 303
    assert visitor.post("/settings/email/cancel").status_code == 303


def test_the_data_export_lists_the_address_waiting_for_confirmation(member):
    _change(member, "naomi.new@example.net")
    account = member.get("/settings/export").json()["account"]
    assert account["email"] == "member@example.org"
    assert account["pending_email"] == "naomi.new@example.net"


def test_deleting_the_account_forgets_the_address_waiting(member):
    _change(member, "naomi.new@example.net")
    assert member.post("/settings/delete", {"content": "anonymise", "password": PASSWORD}).status_code == 303
    assert query("SELECT email, pending_email FROM member WHERE state = 'deleted'") == [
        {"email": "", "pending_email": ""}
    ]


# ---------------------------------------------------------------------------------------------
# A wrong address typed when joining

CORRECT = "/register/correct-address"
FAILED_SIGN_IN = "That username and password do not match."


def _correct(browser: Browser, username: str, email: str, password: str = PASSWORD) -> Any:
    return browser.post(CORRECT, {"username": username, "password": password, "email": email})


def _without(text: str, *typed: str) -> str:
    """A page without what differs by asker: what they typed and their form token."""
    for value in typed:
        text = text.replace(f'value="{value}"', "")
    return re.sub(r'value="[0-9a-f]{32,}"', "", text)


def test_both_waiting_pages_offer_to_correct_the_address(confirming_board, visitor, new_browser):
    joined = _join(visitor, "naomi", "naomi@exmaple.org")
    refused = new_browser().login("naomi")
    assert refused.status_code == 403 and CONFIRM_FIRST in refused.text
    for page in (joined, refused):
        assert "Wrong address? Correct it" in page.text and f'action="{CORRECT}"' in page.text
        for field in ("username", "password", "email"):
            assert f'<label for="{field}">' in page.text
        assert 'id="username" name="username" type="text" value="naomi"' in page.text
        assert PASSWORD not in page.text
        ids = re.findall(r'\bid="([^"]+)"', page.text)
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    # After joining, the address typed is there to be put right.
    assert 'name="email" type="email" value="naomi@exmaple.org"' in joined.text


def test_a_wrong_address_is_corrected_and_only_the_new_link_works(confirming_board, visitor, new_browser, mailbox):
    _join(visitor, "naomi", "naomi@exmaple.org")
    old = _link("naomi@exmaple.org")
    fixed = _correct(visitor, "Naomi", "Naomi@Example.org")
    assert fixed.status_code == 200
    assert "We sent a new link to <strong>naomi@example.org</strong>" in fixed.text
    assert not _signed_in(visitor)
    after = _member("naomi")
    assert after["email"] == "naomi@example.org" and after["email_confirmed"] in (False, 0)
    [message] = [m for m in mailbox.wait_for(2) if m["To"] == "naomi@example.org"]
    assert message["Subject"].startswith("Confirm your email address")
    # The link mailed to the wrong address no longer works, whoever holds it.
    for answer in (new_browser().get(old), new_browser().post(old)):
        assert answer.status_code == 400 and "This link does not work" in answer.text
    assert _member("naomi")["email_confirmed"] in (False, 0)
    phone = new_browser()
    done = phone.post(_link("naomi@example.org"))
    assert done.status_code == 303 and _signed_in(phone)
    after = _member("naomi")
    assert after["email"] == "naomi@example.org" and after["email_confirmed"] in (True, 1)


def test_a_wrong_password_answers_like_a_failed_sign_in_and_changes_nothing(confirming_board, visitor, new_browser):
    _join(visitor, "naomi", "naomi@exmaple.org")
    wrong = _correct(new_browser(), "naomi", "eve@example.net", "not the password at all")
    nobody = _correct(new_browser(), "nobody-here", "eve@example.net", "not the password at all")
    sign_in = new_browser().login("naomi", "not the password at all")
    assert wrong.status_code == nobody.status_code == sign_in.status_code == 422
    for answer in (wrong, nobody, sign_in):
        assert FAILED_SIGN_IN in answer.text
    assert _without(wrong.text, "naomi") == _without(nobody.text, "nobody-here")
    assert "not the password at all" not in wrong.text
    assert _member("naomi")["email"] == "naomi@exmaple.org"
    assert _mails("eve@example.net") == [] and len(_mails("naomi@exmaple.org")) == 1


def test_guesses_through_the_form_count_as_sign_ins(confirming_board, visitor, new_browser):
    _join(visitor, "naomi", "naomi@exmaple.org")
    attacker = new_browser()
    answers = [_correct(attacker, "naomi", "eve@example.net", f"guess number {n}") for n in range(3)]
    answers += [attacker.login("naomi", f"guess number {n}") for n in range(2)]
    assert [a.status_code for a in answers] == [422] * 5
    # The sixth try, through either door, is refused as a sign-in is, the right password too.
    blocked = _correct(attacker, "naomi", "eve@example.net")
    assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.text
    assert int(blocked.headers["retry-after"]) > 0
    assert new_browser().login("naomi").status_code == 429
    assert _member("naomi")["email"] == "naomi@exmaple.org" and _mails("eve@example.net") == []


def test_a_confirmed_member_cannot_change_their_address_this_way(admin, member, new_browser):
    _set_board(admin)
    refused = _correct(new_browser(), "member", "eve@example.net")
    nobody = _correct(new_browser(), "nobody-here", "eve@example.net")
    assert refused.status_code == nobody.status_code == 422 and FAILED_SIGN_IN in refused.text
    assert _without(refused.text, "member") == _without(nobody.text, "nobody-here")
    unchanged = _member("member")
    assert unchanged["email"] == "member@example.org" and unchanged["email_confirmed"] in (True, 1)
    assert _mails("eve@example.net") == []
    # A change the member asked for in settings is not theirs to make here either.
    assert _change(member, "naomi.new@example.net").status_code == 303
    assert _correct(new_browser(), "member", "eve@example.net").status_code == 422
    assert _member("member")["pending_email"] == "naomi.new@example.net"
    assert _member("member")["email"] == "member@example.org"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the email address the link should go to."),
        ("not an address", "Enter an email address like name@example.org."),
        ("eve@evil.org, naomi@example.org", "Enter an email address like name@example.org."),
        ("n" * 250 + "@example.org", "Email must be at most 254 characters"),
    ],
)
def test_an_unusable_address_is_a_form_message_with_the_input_kept(confirming_board, visitor, typed, message):
    _join(visitor, "naomi", "naomi@exmaple.org")
    refused = _correct(visitor, "naomi", typed)
    assert refused.status_code == 422 and message in refused.text
    assert 'id="username" name="username" type="text" value="naomi"' in refused.text
    assert f'name="email" type="email" value="{typed}"' in refused.text
    assert PASSWORD not in refused.text
    assert 'aria-describedby="email-hint email-error" aria-invalid="true"' in refused.text
    assert _member("naomi")["email"] == "naomi@exmaple.org" and len(_mails("naomi@exmaple.org")) == 1


# ---------------------------------------------------------------------------------------------
# Accounts never confirmed are deleted after a week


def test_accounts_never_confirmed_are_deleted_after_a_week(admin, member, new_browser):
    import datetime as dt

    from conftest import Server
    from prayerboard.services.email_address import UNCONFIRMED_KEPT_DAYS

    _set_board(admin)
    for name in ("gone", "recent", "posted"):
        _join(new_browser(), name)
    # "posted" signed in while the setting was off, and posted.
    _set_board(admin, confirm=False)
    poster = new_browser()
    assert poster.login("posted").status_code == 303
    poster.create_post(title="From a member who never confirmed")
    _set_board(admin)
    now = dt.datetime.now(dt.UTC)
    old = now - dt.timedelta(days=UNCONFIRMED_KEPT_DAYS + 1)
    query("UPDATE member SET created_at = ? WHERE username IN ('gone', 'posted', 'member')", old)
    query("UPDATE member SET created_at = ? WHERE username = 'recent'", now - dt.timedelta(days=6))

    # Each app process cleans up when it starts (and hourly after).
    running = Server()
    try:
        log = running.log()
    finally:
        running.stop()
    assert "deleted 1 account(s) whose address was not confirmed within 7 days" in log

    assert query("SELECT username FROM member WHERE username = 'gone'") == []
    assert _mails("gone@example.org") == []  # its waiting mail went with it
    assert sorted(r["username"] for r in query("SELECT username FROM member")) == [
        "keeper",
        "member",
        "posted",
        "recent",
    ]
    # The name is free again, not retired: nobody saw it take part.
    again = _join(new_browser(), "gone", "gone.again@example.org")
    assert again.status_code == 200 and CHECK_EMAIL in again.text
    assert _member("gone")["email"] == "gone.again@example.org"


def test_with_the_setting_off_no_account_is_deleted(admin, new_browser):
    """Such members can sign in then: an account that may be in use is kept."""
    import datetime as dt

    from conftest import Server

    _set_board(admin)
    _join(new_browser(), "waiting")
    _set_board(admin, confirm=False)
    query("UPDATE member SET created_at = ? WHERE username = 'waiting'", dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    Server().stop()  # a process starting: its housekeeping runs before it serves
    assert _member("waiting")["email_confirmed"] in (False, 0)
    assert new_browser().login("waiting").status_code == 303
