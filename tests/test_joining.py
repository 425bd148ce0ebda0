"""Who may join: open, approval by a moderator, or invitation only; and a members-only board
that tells visitors nothing about which usernames exist."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import pytest

from conftest import PASSWORD, Browser, query, scalar

INVITE_LINK = re.compile(r'value="(http[^"]*/register\?invite=([^"]+))"')


def _staff(new_browser: Any, name: str, role: str) -> Browser:
    browser = new_browser()
    assert browser.register(name).status_code == 303
    query("UPDATE member SET role = ? WHERE username = ?", role, name)
    return browser


@pytest.fixture
def admin(new_browser):
    return _staff(new_browser, "keeper", "admin")


@pytest.fixture
def moderator(new_browser):
    return _staff(new_browser, "watcher", "moderator")


def set_board(admin: Browser, join_policy: str, members_only: bool = False) -> None:
    form = {"join_policy": join_policy, **({"members_only": "on"} if members_only else {})}
    assert admin.post("/admin/settings", form).status_code == 303


def invitation_link(inviter: Browser, note: str = "for Ana") -> tuple[str, str]:
    """Make an invitation; the page shows its link this once. Returns (path, token)."""
    page = inviter.post("/mod/invitations", {"note": note})
    assert page.status_code == 200, page.text
    link, token = INVITE_LINK.search(page.text).groups()
    return link[link.index("/register") :], token


def member_id(username: str) -> int:
    return scalar("SELECT id FROM member WHERE username = ?", username)


def flashes(html: str) -> list[str]:
    """The "done" messages a page shows (each shown once, after the redirect)."""
    return re.findall(r'<p class="flash flash-info" role="status">(.*?)</p>', html)


def register_with(browser: Browser, username: str, invite: str | None = None) -> Any:
    form = {
        "username": username,
        "display_name": username.title(),
        "email": f"{username}@example.org",
        "password": PASSWORD,
    }
    if invite is not None:
        form["invite"] = invite
    return browser.post("/register", form)


# --- open ----------------------------------------------------------------------------------------


def test_open_board_lets_anyone_join_at_once(author, visitor):
    post_id = author.create_post(title="For members", visibility="members")
    newcomer = visitor
    assert newcomer.register("newcomer").status_code == 303
    assert "For members" in newcomer.get(f"/posts/{post_id}").text
    assert scalar("SELECT state FROM member WHERE username = 'newcomer'") == "active"


# --- approval ------------------------------------------------------------------------------------


def test_approval_board_new_member_waits_and_sees_what_a_visitor_sees(admin, author, visitor):
    set_board(admin, "approval")
    post_id = author.create_post(title="For members only", visibility="members")
    response = visitor.register("newcomer")
    assert response.status_code == 303 and response.headers["location"] == "/join/waiting"
    assert "waiting for approval" in visitor.get("/join/waiting").text
    assert visitor.get(f"/posts/{post_id}").status_code == 404
    assert "For members only" not in visitor.get("/").text
    assert "For members only" not in visitor.get("/api/v1/posts").text
    assert (
        visitor.post(
            "/posts", {"kind": "request", "title": "t", "body": "b", "category": "Other", "visibility": "public"}
        ).status_code
        == 403
    )
    public = author.create_post(title="Open to all")
    assert visitor.post(f"/posts/{public}/pray").status_code == 403
    assert visitor.post(f"/posts/{public}/replies", {"body": "hello"}).status_code == 403


def test_approval_lets_the_applicant_in_and_is_logged(admin, moderator, author, visitor):
    set_board(admin, "approval")
    post_id = author.create_post(title="For members only", visibility="members")
    visitor.register("newcomer")
    applicants = moderator.get("/mod/applicants").text
    assert "Newcomer" in applicants
    approved = moderator.post(f"/mod/applicants/{member_id('newcomer')}/approve")
    assert approved.status_code == 303 and approved.headers["location"] == "/mod/applicants"
    assert flashes(moderator.get("/mod/applicants").text) == ["The applicant is approved."]
    assert "For members only" in visitor.get(f"/posts/{post_id}").text
    assert visitor.get("/join/waiting").headers["location"] == "/"
    log = query("SELECT action, member FROM moderation_log WHERE action = 'approve_member'")
    assert log == [{"action": "approve_member", "member": member_id("newcomer")}]
    assert "Newcomer" not in moderator.get("/mod/applicants").text


def test_declined_applicant_cannot_sign_in_and_the_decision_is_logged(admin, moderator, visitor, new_browser):
    set_board(admin, "approval")
    visitor.register("newcomer")
    applicant = member_id("newcomer")
    assert moderator.post(f"/mod/applicants/{applicant}/decline", {"reason": "not known to us"}).status_code == 303
    assert flashes(moderator.get("/mod/applicants").text) == ["The applicant is declined."]
    assert flashes(moderator.get("/mod/applicants").text) == []  # once
    assert "Sign out" not in visitor.get("/").text
    assert new_browser().login("newcomer").status_code == 422
    assert query("SELECT action, target_id, reason FROM moderation_log WHERE action = 'decline_member'") == [
        {"action": "decline_member", "target_id": applicant, "reason": "not known to us"}
    ]


def test_approving_an_active_member_is_not_found(admin, moderator, member):
    set_board(admin, "approval")
    assert moderator.post(f"/mod/applicants/{member_id('member')}/approve").status_code == 404
    assert scalar("SELECT count(*) FROM moderation_log") == 0


def test_pending_member_on_a_members_only_board_sees_only_the_notice(admin, author, visitor):
    set_board(admin, "approval", members_only=True)
    post_id = author.create_post(title="For our community")
    visitor.register("newcomer")
    for path in ("/", f"/posts/{post_id}", "/members/author", "/search?q=community", "/posts/new"):
        response = visitor.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/join/waiting", path
    assert visitor.get("/api/v1/posts").status_code == 403
    assert visitor.get("/feed.atom").status_code == 403
    assert "For our community" not in visitor.get("/join/waiting").text
    assert visitor.get("/settings").status_code == 200
    export = visitor.get("/settings/export")
    assert export.status_code == 200 and '"newcomer"' in export.text
    assert visitor.post("/settings/hide-name").status_code == 303


def test_pending_member_can_delete_their_account(admin, visitor):
    set_board(admin, "approval", members_only=True)
    visitor.register("newcomer")
    assert visitor.post("/settings/delete", {"content": "remove", "password": PASSWORD}).status_code == 303
    assert scalar("SELECT count(*) FROM member WHERE username = 'newcomer'") == 0


def test_pending_member_signing_in_is_shown_the_notice(admin, visitor, new_browser):
    set_board(admin, "approval")
    visitor.register("newcomer")
    again = new_browser()
    response = again.login("newcomer", next="/posts/new")
    assert response.status_code == 303 and response.headers["location"] == "/join/waiting"


# --- invitation ----------------------------------------------------------------------------------


def test_invitation_board_refuses_to_register_without_an_invitation(admin, visitor):
    set_board(admin, "invitation")
    page = visitor.get("/register")
    assert page.status_code == 403 and "invitation only" in page.text
    response = register_with(visitor, "newcomer")
    assert response.status_code == 403 and "invitation only" in response.text
    assert scalar("SELECT count(*) FROM member WHERE username = 'newcomer'") == 0


def test_invitation_link_lets_one_person_join_once(admin, moderator, new_browser):
    set_board(admin, "invitation", members_only=True)
    path, token = invitation_link(moderator)
    assert token not in str(query("SELECT * FROM invitation"))  # only its hash is kept
    assert scalar("SELECT token_hash FROM invitation") == hashlib.sha256(token.encode()).hexdigest()
    first = new_browser()
    form = first.get(path)
    assert form.status_code == 200 and f'name="invite" value="{token}"' in form.text
    assert register_with(first, "ana", token).status_code == 303
    assert scalar("SELECT state FROM member WHERE username = 'ana'") == "active"
    assert "used" in moderator.get("/mod/invitations").text
    second = new_browser()
    assert second.get(path).status_code == 403
    assert register_with(second, "bea", token).status_code == 403
    assert scalar("SELECT count(*) FROM member WHERE username = 'bea'") == 0


def test_invitation_is_kept_when_the_chosen_name_is_taken(admin, moderator, member, new_browser):
    set_board(admin, "invitation")
    _, token = invitation_link(moderator)
    invited = new_browser()
    taken = register_with(invited, "member", token)
    assert taken.status_code == 422 and "taken" in taken.text
    assert register_with(invited, "ana", token).status_code == 303


def test_expired_invitation_is_refused(admin, visitor):
    set_board(admin, "invitation")
    token = "an-invitation-that-has-expired"
    query(
        "INSERT INTO invitation (token_hash, note, created_at, expires_at, revoked) VALUES (?, '', ?, ?, ?)",
        hashlib.sha256(token.encode()).hexdigest(),
        dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2020, 1, 8, tzinfo=dt.UTC),
        False,
    )
    assert visitor.get(f"/register?invite={token}").status_code == 403
    assert register_with(visitor, "late", token).status_code == 403
    assert "expired" in admin.get("/mod/invitations").text


def test_revoked_invitation_is_refused_and_both_are_logged(admin, moderator, visitor):
    set_board(admin, "invitation")
    path, token = invitation_link(moderator)
    invitation = scalar("SELECT id FROM invitation")
    revoked = moderator.post("/mod/invitations/revoke", {"invitation": str(invitation)})
    assert revoked.status_code == 303 and revoked.headers["location"] == "/mod/invitations"
    assert flashes(moderator.get("/mod/invitations").text) == ["The invitation is revoked."]
    assert flashes(moderator.get("/mod/invitations").text) == []  # once
    assert visitor.get(path).status_code == 403
    assert register_with(visitor, "ana", token).status_code == 403
    assert [r["action"] for r in query("SELECT action FROM moderation_log ORDER BY id")] == ["invite", "revoke_invite"]
    assert moderator.post("/mod/invitations/revoke", {"invitation": str(invitation)}).status_code == 404
    assert moderator.post("/mod/invitations/revoke", {"invitation": "nonsense"}).status_code == 404


def test_invitation_expires_after_the_configured_days(admin, moderator):
    invitation_link(moderator)
    made, expires = query("SELECT created_at, expires_at FROM invitation")[0].values()
    if isinstance(made, str):
        made, expires = dt.datetime.fromisoformat(made), dt.datetime.fromisoformat(expires)
    assert expires - made == dt.timedelta(days=7)


# --- what a visitor learns about usernames on a members-only board --------------------------------


def test_members_only_board_profiles_and_sign_in_do_not_tell_who_exists(admin, author, new_browser):
    set_board(admin, "open", members_only=True)
    visitor = new_browser()
    existing, missing = visitor.get("/members/author"), visitor.get("/members/nobody-here")
    assert existing.status_code == missing.status_code == 303
    assert existing.headers["location"].replace("author", "NAME") == missing.headers["location"].replace(
        "nobody-here", "NAME"
    )
    wrong, unknown = (
        new_browser().login("author", "not the password!"),
        new_browser().login("nobody-here", "not the password!"),
    )
    assert wrong.status_code == unknown.status_code == 422
    assert (
        "That username and password do not match." in wrong.text
        and "That username and password do not match." in unknown.text
    )


def test_invitation_board_checks_the_invitation_before_the_username(admin, author, new_browser):
    set_board(admin, "invitation", members_only=True)
    taken, free = register_with(new_browser(), "author"), register_with(new_browser(), "nobody-here")
    assert taken.status_code == free.status_code == 403
    assert taken.text == free.text


def test_approval_board_registration_cannot_be_used_to_list_members(admin, author, new_browser):
    set_board(admin, "approval", members_only=True)
    prober = new_browser()
    answers = [register_with(prober, "author").status_code for _ in range(25)]
    assert answers[0] == 422 and 429 in answers
    assert register_with(prober, "author").status_code == 429


# --- who reaches what -------------------------------------------------------------------------------


MATRIX = {
    # surface: (visitor, pending, member, moderator, admin)
    ("GET", "/mod/invitations"): (303, 403, 403, 200, 200),
    ("POST", "/mod/invitations"): (303, 403, 403, 200, 200),
    ("POST", "/mod/invitations/revoke"): (303, 403, 403, 303, 303),
    ("GET", "/mod/applicants"): (303, 403, 403, 200, 200),
    ("POST", "/mod/applicants/{applicant}/approve"): (303, 403, 403, 303, 303),
    ("POST", "/mod/applicants/{applicant}/decline"): (303, 403, 403, 303, 303),
    ("GET", "/admin/settings"): (303, 403, 403, 403, 200),
    ("POST", "/admin/settings"): (303, 403, 403, 403, 303),
    ("GET", "/join/waiting"): (303, 200, 303, 303, 303),
}
VIEWERS = ("visitor", "pending", "member", "moderator", "admin")


@pytest.mark.parametrize("surface", list(MATRIX), ids=" ".join)
def test_who_reaches_the_joining_pages(surface, admin, moderator, member, new_browser):
    set_board(admin, "approval")
    visitor, pending = new_browser(), new_browser()
    pending.register("waiting")
    browsers = {"visitor": visitor, "pending": pending, "member": member, "moderator": moderator, "admin": admin}
    method, template = surface
    for viewer, expected in zip(VIEWERS, MATRIX[surface], strict=True):
        applicant = new_browser()
        applicant.register(f"applicant-{viewer}")
        invitation_link(admin)
        invitation = scalar("SELECT max(id) FROM invitation")
        path = template.format(applicant=member_id(f"applicant-{viewer}"))
        browser = browsers[viewer]
        form = {"invitation": str(invitation), "join_policy": "approval", "note": "x"}
        response = browser.get(path) if method == "GET" else browser.post(path, form)
        assert response.status_code == expected, (viewer, method, path, response.status_code)
        if expected == 303 and viewer == "visitor":
            assert response.headers["location"].startswith("/login")


def test_invitation_board_registration_cannot_be_used_to_list_members(admin, moderator, author, new_browser):
    set_board(admin, "invitation", members_only=True)
    _, token = invitation_link(moderator)
    prober = new_browser()
    answers = [register_with(prober, "author", token).status_code for _ in range(25)]
    assert answers[0] == 422 and 429 in answers


def test_applicant_has_no_profile_while_waiting(admin, member, new_browser):
    set_board(admin, "approval")
    assert register_with(new_browser(), "pete").status_code == 303
    assert member.get("/members/pete").status_code == 404
