"""Accounts: registration, sign-in, sign-out, sessions, throttling, passwords."""

from __future__ import annotations

import re

import pytest

from conftest import PASSWORD, SESSION_COOKIE, query, run_cli, scalar


def test_register_signs_the_member_in(visitor):
    response = visitor.register("grace", "Grace Hopper")
    assert response.status_code == 303
    board = visitor.get("/")
    assert "Grace Hopper" in board.text
    assert "Sign out" in board.text


def test_register_stores_an_argon2id_hash_never_the_password(visitor):
    visitor.register("grace")
    stored = scalar("SELECT password_hash FROM member WHERE username = ?", "grace")
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    # At or above OWASP's minimum: m >= 19 MiB, t >= 2.
    memory, time_cost = re.search(r"m=(\d+),t=(\d+)", stored).groups()
    assert int(memory) >= 19 * 1024 and int(time_cost) >= 2


def test_register_username_taken_in_another_case_is_refused(new_browser):
    assert new_browser().register("Grace").status_code == 303
    response = new_browser().register("gRACE")
    assert response.status_code == 422
    assert "That username is taken" in response.text
    assert scalar("SELECT count(*) FROM member") == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "", "Username is required."),
        ("username", "a b c", "Use 2 to 32 letters"),
        ("username", "x" * 40, "at most 32 characters"),
        ("email", "not-an-email", "Enter an email address"),
        ("password", "short", "at least 10 characters"),
        ("display_name", "", "Display name is required."),
        ("display_name", "y" * 61, "at most 60 characters"),
    ],
)
def test_register_bad_field_shows_message_and_keeps_input(visitor, field, value, message):
    data = {"username": "keeper", "display_name": "Kept Name", "email": "kept@example.org", "password": PASSWORD}
    data[field] = value
    response = visitor.post("/register", data)
    assert response.status_code == 422
    assert message in response.text
    if field != "display_name":
        assert 'value="Kept Name"' in response.text
    assert PASSWORD not in response.text  # a password is never echoed back
    assert scalar("SELECT count(*) FROM member") == 0


def test_register_missing_fields_is_a_form_error_not_a_crash(visitor):
    response = visitor.post("/register", {})
    assert response.status_code == 422
    assert "Username is required." in response.text


def test_login_with_any_letter_case_of_username(new_browser):
    new_browser().register("Miriam")
    browser = new_browser()
    response = browser.login("mIRIAM")
    assert response.status_code == 303
    assert "Miriam" in browser.get("/").text


def test_login_wrong_password_and_unknown_user_get_the_same_answer(new_browser):
    new_browser().register("miriam")
    wrong = new_browser().login("miriam", "not the password")
    unknown = new_browser().login("nobody-here", "not the password")
    assert wrong.status_code == unknown.status_code == 422
    assert "That username and password do not match." in wrong.text
    assert "That username and password do not match." in unknown.text


def test_login_returns_to_next_page_but_never_to_another_site(new_browser):
    new_browser().register("miriam")
    inside = new_browser().login("miriam", next="/posts/new")
    assert inside.headers["location"] == "/posts/new"
    outside = new_browser().login("miriam", next="//evil.example/steal")
    assert outside.headers["location"] == "/"


def test_session_id_is_rotated_at_sign_in(new_browser):
    new_browser().register("miriam")
    browser = new_browser()
    browser.get("/login")
    # A session planted before sign-in (session fixation) must not become the signed-in session.
    browser.set_cookie(SESSION_COOKIE, "planted-session-id")
    browser.login("miriam")
    assert browser.client.cookies[SESSION_COOKIE] != "planted-session-id"


def test_replayed_cookie_is_dead_after_sign_out(new_browser):
    new_browser().register("miriam")
    browser = new_browser()
    browser.login("miriam")
    stolen = browser.client.cookies[SESSION_COOKIE]
    browser.logout()
    thief = new_browser()
    thief.set_cookie(SESSION_COOKIE, stolen)
    page = thief.get("/")
    assert "Sign out" not in page.text
    assert thief.get("/posts/new").status_code == 303


def test_old_session_id_is_dead_after_signing_in_again(new_browser):
    new_browser().register("miriam")
    browser = new_browser()
    browser.login("miriam")
    first = browser.client.cookies[SESSION_COOKIE]
    browser.login("miriam")  # signing in again rotates once more
    thief = new_browser()
    thief.set_cookie(SESSION_COOKIE, first)
    assert "Sign out" not in thief.get("/").text


def test_sessions_are_kept_server_side(new_browser):
    browser = new_browser()
    browser.register("miriam")
    session_id = browser.client.cookies[SESSION_COOKIE]
    assert "miriam" not in session_id.lower()
    assert scalar("SELECT count(*) FROM key_value WHERE key LIKE ?", f"%{session_id}") == 1


def test_visitors_cost_no_session_rows(visitor):
    for _ in range(3):
        visitor.get("/")
    assert scalar("SELECT count(*) FROM key_value") == 0


def test_failed_sign_ins_are_throttled_per_account(new_browser):
    new_browser().register("miriam")
    attacker = new_browser()
    for _ in range(5):
        assert attacker.login("miriam", "wrong password!").status_code == 422
    blocked = attacker.login("miriam", "wrong password!")
    assert blocked.status_code == 429
    assert "try again in" in blocked.text
    assert int(blocked.headers["retry-after"]) > 0
    # Even the right password waits until the window passes.
    assert new_browser().login("miriam").status_code == 429


def test_failed_sign_ins_are_throttled_per_address(new_browser):
    attacker = new_browser()
    for number in range(20):
        assert attacker.login(f"someone{number}", "wrong password!").status_code == 422
    blocked = attacker.login("someone-else", "wrong password!")
    assert blocked.status_code == 429
    assert "Please slow down" in blocked.text


def test_a_successful_sign_in_clears_the_account_failures(new_browser):
    new_browser().register("miriam")
    browser = new_browser()
    for _ in range(4):
        browser.login("miriam", "wrong password!")
    assert browser.login("miriam").status_code == 303
    for _ in range(4):
        assert new_browser().login("miriam", "wrong password!").status_code == 422


def test_password_is_rehashed_at_sign_in_when_parameters_change(new_browser):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    new_browser().register("miriam")
    query("UPDATE member SET password_hash = ? WHERE username = ?", weak, "miriam")
    assert new_browser().login("miriam").status_code == 303
    rehashed = scalar("SELECT password_hash FROM member WHERE username = ?", "miriam")
    assert rehashed != weak
    assert "m=8192" not in rehashed


def test_logout_without_csrf_token_is_refused(new_browser):
    browser = new_browser()
    browser.register("miriam")
    response = browser.post("/logout", csrf=False)
    assert response.status_code == 403
    assert "Sign out" in browser.get("/").text


def test_create_admin_reads_password_from_stdin(migrated_database, new_browser):
    result = run_cli("create-admin", "keeper", "keeper@example.org", input=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert scalar("SELECT role FROM member WHERE username = ?", "keeper") == "admin"


def test_create_admin_with_a_short_password_fails_clearly(migrated_database):
    result = run_cli("create-admin", "keeper", "keeper@example.org", input="short\n")
    assert result.returncode == 2
    assert "password" in result.stderr
    assert scalar("SELECT count(*) FROM member") == 0
