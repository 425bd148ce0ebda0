"""Getting back into an account: "Forgot your password?", the reset link, and the admin's commands."""

from __future__ import annotations

import re
import time
from mailbox import link, text_of

import pytest

from conftest import Server, query, run_cli, scalar
from harness import PASSWORD, Browser

NEW_PASSWORD = "a brand new password 7"
LINK_RE = re.compile(r"(https?://\S+/password/reset/(\S+))")


def _ask(browser, login: str):
    return browser.post("/password/forgot", {"login": login})


def _mails(address: str) -> list[dict]:
    return query(
        "SELECT subject, text_body, html_body, kind, to_address FROM outbox WHERE to_address = ? ORDER BY id", address
    )


def _link(address: str) -> str:
    """The path of the newest reset link mailed to ``address``."""
    mails = _mails(address)
    assert mails, f"no mail to {address}"
    match = LINK_RE.search(mails[-1]["text_body"])
    assert match, mails[-1]["text_body"]
    return "/password/reset/" + match.group(2)


def _signed_in_as(browser) -> bool:
    return browser.get("/settings").status_code == 200


def _member_row(username: str) -> dict:
    return query(
        "SELECT id, email, password_hash, session_epoch FROM member WHERE username = ?",
        username,
    )[0]


def test_the_sign_in_page_offers_a_way_back_in(visitor):
    page = visitor.get("/login")
    assert 'href="/password/forgot"' in page.text
    assert "Forgot your password?" in visitor.get("/password/forgot").text


def test_the_answer_is_the_same_whether_or_not_the_address_is_known(member, visitor, server):
    known = _ask(visitor, "member@example.org")
    unknown = _ask(visitor, "nobody@example.org")
    unknown_name = _ask(visitor, "nobody-at-all")
    assert known.status_code == unknown.status_code == unknown_name.status_code == 200
    assert known.text == unknown.text == unknown_name.text
    assert "If an account uses that email address or username" in known.text
    mails = _mails("member@example.org")
    assert len(mails) == 1 and mails[0]["kind"] == "password_reset"
    assert query("SELECT to_address FROM outbox WHERE to_address <> ?", "member@example.org") == []
    # The mail holds an absolute link and nothing else about the account.
    mail = mails[0]
    assert LINK_RE.search(mail["text_body"]).group(1).startswith(server.url + "/password/reset/")
    assert "/password/reset/" in mail["html_body"]
    for detail in ("Naomi Member", "member@example.org"):
        assert detail not in mail["text_body"] and detail not in mail["html_body"]
    # The username, in any letter case, asks as well as the address does.
    assert _ask(visitor, "MEMBER").text == known.text
    assert len(_mails("member@example.org")) == 2


def test_the_link_works_once_signs_this_browser_in_and_ends_every_other_session(member, new_browser):
    elsewhere = new_browser()
    assert elsewhere.login("member").status_code == 303
    phone = new_browser()
    _ask(phone, "member@example.org")
    link = _link("member@example.org")

    form = phone.get(link)
    assert form.status_code == 200 and "Choose a new password" in form.text
    assert form.headers["cache-control"] == "no-store"
    done = phone.post(link, {"password": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert "Your new password is set" in phone.get("/").text
    assert _signed_in_as(phone)
    assert not _signed_in_as(member) and not _signed_in_as(elsewhere)

    again = phone.post(link, {"password": "yet another password 9"})
    assert again.status_code == 400 and "Ask for a new link" in again.text
    assert new_browser().get(link).status_code == 400
    assert new_browser().login("member").status_code == 422  # the old password no longer works
    assert new_browser().login("member", NEW_PASSWORD).status_code == 303


def test_the_link_arrives_by_smtp_and_works(member, visitor, mailbox, server):
    assert _ask(visitor, "member@example.org").status_code == 200
    [message] = mailbox.wait_for(1)
    assert message["To"] == "member@example.org"
    assert message["Subject"].startswith("Set a new password")
    assert "/password/reset/" in text_of(message, "html")
    url = link(message, "/password/reset/")
    assert url.startswith(server.url)
    assert visitor.post(url.removeprefix(server.url), {"password": NEW_PASSWORD}).status_code == 303
    assert _signed_in_as(visitor) and not _signed_in_as(member)


def test_a_refused_password_keeps_the_link_usable(member, visitor):
    _ask(visitor, "member")
    link = _link("member@example.org")
    short = visitor.post(link, {"password": "short"})
    assert short.status_code == 422 and "Use at least 10 characters." in short.text
    assert _signed_in_as(member)
    assert visitor.post(link, {"password": NEW_PASSWORD}).status_code == 303


def test_an_expired_link_says_how_to_ask_again(member, visitor):
    from prayerboard.services import recovery
    from prayerboard.settings import Settings

    secret_key = Settings.from_env().secret_key
    row = _member_row("member")
    two_hours_ago = time.time() - 2 * recovery.RESET_LINK_SECONDS
    expired = f"/password/reset/{recovery.mint_token(secret_key, row, now=two_hours_ago)}"
    for answer in (visitor.get(expired), visitor.post(expired, {"password": NEW_PASSWORD})):
        assert answer.status_code == 410
        assert "expired" in answer.text and 'href="/password/forgot"' in answer.text
    assert _signed_in_as(member)
    # The same member's link minted now works: only the time made the difference.
    assert visitor.get(f"/password/reset/{recovery.mint_token(secret_key, row)}").status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "1.2.3",
        "1..x",
        "99999999999999999999999.9999999999.abc",
        "1.99999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "é.1.x",
        "x" * 500,
        "1.9999999999.%00",
    ],
)
def test_forged_or_garbled_links_are_refused_calmly(member, visitor, token):
    for answer in (
        visitor.get(f"/password/reset/{token}"),
        visitor.post(f"/password/reset/{token}", {"password": NEW_PASSWORD}),
    ):
        assert answer.status_code in (400, 404), answer.text
        if answer.status_code == 400:
            assert 'href="/password/forgot"' in answer.text
    assert _signed_in_as(member)


def test_a_link_signed_for_another_member_does_not_work(member, author, visitor):
    from prayerboard.services import recovery
    from prayerboard.settings import Settings

    secret_key = Settings.from_env().secret_key
    token = recovery.mint_token(secret_key, _member_row("member"))
    other_id = _member_row("author")["id"]
    swapped = f"{other_id}.{token.split('.', 1)[1]}"
    assert visitor.get(f"/password/reset/{swapped}").status_code == 400
    assert visitor.post(f"/password/reset/{swapped}", {"password": NEW_PASSWORD}).status_code == 400
    assert _signed_in_as(author)


def test_suspended_and_deleted_accounts_get_the_same_answer_and_no_mail(member, author, visitor):
    _ask(visitor, "member")
    link = _link("member@example.org")
    query("UPDATE member SET state = 'suspended' WHERE username = ?", "member")
    query("UPDATE member SET state = 'deleted' WHERE username = ?", "author")
    before = scalar("SELECT COUNT(*) FROM outbox")
    answers = [_ask(visitor, login) for login in ("member", "author@example.org", "nobody@example.org")]
    assert {a.status_code for a in answers} == {200} and len({a.text for a in answers}) == 1
    assert scalar("SELECT COUNT(*) FROM outbox") == before
    assert visitor.get(link).status_code == 400  # a link mailed before the suspension is dead too


def test_too_many_requests_are_refused_calmly_and_keep_the_form(visitor):
    answers = [_ask(visitor, "someone@example.org") for _ in range(6)]
    assert [a.status_code for a in answers[:5]] == [200] * 5
    refused = answers[5]
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert "Too many requests for a new password" in refused.text
    assert 'value="someone@example.org"' in refused.text
    assert _ask(visitor, "").status_code == 422


def test_create_admin_makes_an_existing_member_an_admin_and_logs_it(member):
    promoted = run_cli("create-admin", "MEMBER", "ignored@example.org")
    assert promoted.returncode == 0, promoted.stderr
    assert "member is now an admin" in promoted.stdout.lower()
    assert scalar("SELECT role FROM member WHERE username = ?", "member") == "admin"
    assert scalar("SELECT email FROM member WHERE username = ?", "member") == "member@example.org"
    entry = query("SELECT moderator, action, member FROM moderation_log")
    assert entry == [{"moderator": None, "action": "role_admin", "member": _member_row("member")["id"]}]
    assert member.get("/admin/roles").status_code == 200  # the member's own session now acts as admin
    again = run_cli("create-admin", "member", "ignored@example.org")
    assert again.returncode == 0 and "already an admin" in again.stdout
    assert scalar("SELECT COUNT(*) FROM moderation_log") == 1
    created = run_cli("create-admin", "keeper", "k@example.org", input=NEW_PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    assert scalar("SELECT role FROM member WHERE username = ?", "keeper") == "admin"


def test_set_password_ends_the_members_sessions(member, new_browser):
    result = run_cli("set-password", "member", input=NEW_PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert not _signed_in_as(member)
    assert new_browser().login("member").status_code == 422
    assert new_browser().login("member", NEW_PASSWORD).status_code == 303


def test_set_password_refuses_a_bad_name_or_password_in_one_line(member):
    for args, stdin, word in (
        (("set-password", "nobody"), NEW_PASSWORD + "\n", "nobody"),
        (("set-password", "member"), "short\n", "at least 10 characters"),
    ):
        result = run_cli(*args, input=stdin)
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1 and word in result.stderr
    assert _signed_in_as(member)
    assert scalar("SELECT COUNT(*) FROM member WHERE username = ?", "nobody") == 0


def test_a_members_only_board_still_lets_a_visitor_ask_for_a_link(new_browser, member, visitor):
    admin = new_browser()
    assert admin.register("keeper").status_code == 303
    query("UPDATE member SET role = 'admin' WHERE username = 'keeper'")
    assert admin.post("/admin/settings", {"join_policy": "open", "members_only": "on"}).status_code == 303
    assert visitor.get("/").status_code == 303  # the board itself is closed to visitors
    assert visitor.get("/password/forgot").status_code == 200
    assert _ask(visitor, "member").status_code == 200
    link_path = _link("member@example.org")
    assert visitor.get(link_path).status_code == 200
    assert visitor.post(link_path, {"password": NEW_PASSWORD}).status_code == 303


def test_without_a_public_address_a_link_is_mailed_only_to_a_request_made_to_this_machine(member, visitor, server):
    asked_here = _ask(visitor, "member@example.org")
    mark = server.log_size()
    # A stranger names their own host: the page is the same, and no mail goes out.
    poisoned = visitor.post("/password/forgot", {"login": "member@example.org"}, headers={"Host": "evil.example"})
    assert poisoned.status_code == asked_here.status_code == 200
    assert poisoned.text == asked_here.text
    assert len(_mails("member@example.org")) == 1
    assert "evil.example" not in " ".join(m["text_body"] + m["html_body"] for m in _mails("member@example.org"))
    assert "set PRAYERBOARD_PUBLIC_URL" in server.log_since(mark)
    # A loopback name is this machine: its link works from here.
    port = server.url.rsplit(":", 1)[1]
    asked_local = visitor.post(
        "/password/forgot", {"login": "member@example.org"}, headers={"Host": f"localhost:{port}"}
    )
    assert asked_local.text == asked_here.text
    assert (
        LINK_RE.search(_mails("member@example.org")[-1]["text_body"])
        .group(1)
        .startswith(f"http://localhost:{port}/password/reset/")
    )


def test_with_a_public_address_every_link_starts_with_it_and_the_board_says_so_at_start(member, server):
    # The shared server has an SMTP server and no public address: it warns once at start.
    assert server.log().count("PRAYERBOARD_SMTP_URL is set but PRAYERBOARD_PUBLIC_URL is not") == 1
    public = Server(env={"PRAYERBOARD_PUBLIC_URL": "http://pray.example.org"})
    try:
        visitor = Browser(public.url)
        visitor.client.headers["Host"] = "pray.example.org"
        assert _ask(visitor, "member@example.org").status_code == 200
        assert (
            LINK_RE.search(_mails("member@example.org")[-1]["text_body"])
            .group(1)
            .startswith("http://pray.example.org/password/reset/")
        )
        assert "PRAYERBOARD_PUBLIC_URL is not" not in public.log()
    finally:
        public.stop()


CONFIRM_RE = re.compile(r"https?://\S+(/register/confirm/\S+)")


def _confirm_link(address: str) -> str:
    mails = [m for m in _mails(address) if m["kind"] == "confirm_email"]
    assert mails, f"no confirmation link to {address}"
    match = CONFIRM_RE.search(mails[-1]["text_body"])
    assert match, mails[-1]["text_body"]
    return match.group(1)


def test_a_reset_drops_a_change_of_address_someone_else_asked_for(member, visitor, new_browser):
    # Someone who learned her password asks to move her account to their address...
    asked = member.post("/settings/email", {"new_email": "thief@evil.example", "email_password": PASSWORD})
    assert asked.status_code == 303, asked.text
    stolen_link = _confirm_link("thief@evil.example")
    # ...the notice reaches her old address, and she resets her password, as it tells her to.
    _ask(visitor, "member")
    assert visitor.post(_link("member@example.org"), {"password": NEW_PASSWORD}).status_code == 303
    assert _member_row("member")["email"] == "member@example.org"
    assert scalar("SELECT pending_email FROM member WHERE username = 'member'") == ""
    # The thief's link no longer works, and the account stays hers.
    thief = new_browser()
    assert thief.post(stolen_link).status_code == 400
    assert _member_row("member")["email"] == "member@example.org"
    assert not _signed_in_as(thief)


def test_a_reset_link_confirms_the_address_it_reached(new_browser, visitor):
    browser = new_browser()
    assert browser.register("newcomer").status_code == 303
    query("UPDATE member SET email_confirmed = ? WHERE username = 'newcomer'", False)
    _ask(visitor, "newcomer")
    assert visitor.post(_link("newcomer@example.org"), {"password": NEW_PASSWORD}).status_code == 303
    assert scalar("SELECT email_confirmed FROM member WHERE username = 'newcomer'") in (True, 1)
