"""Floods and lockouts: password hashing bounded per process, sign-in throttling that cannot be
raced, device cookies that keep the owner's browser in, CSRF tokens renewed at sign-in and
sign-out, and names too long for their columns."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import CSRF_COOKIE, PASSWORD, SESSION_COOKIE, Browser, Server, scalar
from prayerboard.passwords import ARGON2_MEMORY_KIB, HASHES_IN_FLIGHT, PASSWORD_MAX_LENGTH
from prayerboard.services.accounts import DEVICE_COOKIE

FLOOD_SIGN_UPS = 60
CONCURRENT_GUESSES = 40
PER_ACCOUNT_LIMIT = 5  # the default PRAYERBOARD_LOGIN_FAILURES_PER_ACCOUNT
PER_ADDRESS_LIMIT = 20  # the default PRAYERBOARD_LOGIN_FAILURES_PER_ADDRESS
HASH_MIB = ARGON2_MEMORY_KIB / 1024
CALM_ANSWERS = {303, 422, 429, 503}


# ---------------------------------------------------------------------------------------------
# Helpers


def _kib(pid: int, field: str) -> int:
    """A memory figure of a process, in KiB, from /proc/<pid>/status (VmRSS, VmHWM)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE).group(1))


def _reset_peak(pid: int) -> None:
    """Start the process's peak resident memory (VmHWM) again from what it holds now."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def _jars(base_url: str, count: int) -> list[httpx.Cookies]:
    """``count`` fresh browsers' cookies, each with its own CSRF token."""
    jars = []
    for _ in range(count):
        with httpx.Client(base_url=base_url) as client:
            client.get("/login")
            jars.append(client.cookies)
    return jars


def _post_all(base_url: str, jars: list[httpx.Cookies], path: str, forms: list[dict[str, str]]) -> list[int]:
    """Send every form at once, each from its own browser; the status codes, in order."""

    async def send(jar: httpx.Cookies, form: dict[str, str]) -> int:
        async with httpx.AsyncClient(base_url=base_url, cookies=jar, timeout=120) as client:
            response = await client.post(path, data={**form, "_csrf_token": jar[CSRF_COOKIE]})
            return response.status_code

    async def everyone() -> list[int]:
        return list(await asyncio.gather(*(send(jar, form) for jar, form in zip(jars, forms, strict=False))))

    return asyncio.run(everyone())


def _sign_up(username: str, password: str = PASSWORD) -> dict[str, str]:
    return {
        "username": username,
        "display_name": username.title(),
        "email": f"{username}@example.org",
        "password": password,
    }


def _register_once(running: Server, username: str) -> int:
    """Register ``username`` from a fresh browser on ``running``; the status code."""
    browser = Browser(running.url)
    try:
        return browser.register(username).status_code
    finally:
        browser.close()


def _no_unhandled_errors(running: Server) -> None:
    assert "unhandled error" not in running.log(), running.log()


@pytest.fixture(scope="module")
def flood_server(migrated_database: str) -> Iterator[Server]:
    """A server of its own: registration is not throttled here, so hashing meets the flood."""
    running = Server(env={"PRAYERBOARD_REGISTRATIONS_PER_HOUR": "100000"})
    yield running
    running.stop()


@pytest.fixture(scope="module")
def strict_join_server(migrated_database: str) -> Iterator[Server]:
    """A server that lets three accounts be made per address and hour."""
    running = Server(env={"PRAYERBOARD_REGISTRATIONS_PER_HOUR": "3"})
    yield running
    running.stop()


# ---------------------------------------------------------------------------------------------
# Password hashing cannot be used as a weapon


def test_registration_flood_keeps_memory_bounded_and_answers_calmly(flood_server, migrated_database):
    pid = flood_server.process.pid
    # Warm up (templates, connections, one hash), then measure from what the process holds now.
    assert _register_once(flood_server, "warmup") == 303
    baseline_kib = _kib(pid, "VmRSS")
    _reset_peak(pid)
    # Every third sign-up wants a name that is taken: those must cost no hashing at all.
    forms = [_sign_up("warmup" if n % 3 == 0 else f"flood{n}") for n in range(FLOOD_SIGN_UPS)]
    answers = _post_all(flood_server.url, _jars(flood_server.url, FLOOD_SIGN_UPS), "/register", forms)
    peak_mib = (_kib(pid, "VmHWM") - baseline_kib) / 1024
    # Generous: twice the hashing memory allowed in flight, plus 64 MiB for everything else a
    # burst of requests holds. An unbounded flood holds one hash per worker thread (40).
    assert peak_mib < 2 * HASHES_IN_FLIGHT * HASH_MIB + 64, (peak_mib, Counter(answers))
    assert set(answers) <= CALM_ANSWERS, Counter(answers)
    assert 303 in answers and 422 in answers
    _no_unhandled_errors(flood_server)


def test_taken_username_is_refused_before_any_hashing(flood_server, migrated_database):
    pid = flood_server.process.pid
    assert _register_once(flood_server, "taken") == 303
    before_kib = _kib(pid, "VmRSS")
    _reset_peak(pid)
    answers = _post_all(flood_server.url, _jars(flood_server.url, 30), "/register", [_sign_up("TAKEN")] * 30)
    assert answers == [422] * 30
    # One argon2 hash touches all of its memory; thirty refusals must not touch even one's worth.
    assert (_kib(pid, "VmHWM") - before_kib) / 1024 < HASH_MIB, _kib(pid, "VmHWM") - before_kib


def test_password_longer_than_the_cap_is_a_clear_form_error(visitor):
    response = visitor.register("longpass", password="p" * (PASSWORD_MAX_LENGTH + 1))
    assert response.status_code == 422
    assert f"Use at most {PASSWORD_MAX_LENGTH:,} characters" in response.text
    assert "p" * 100 not in response.text  # the password is never echoed back
    assert scalar("SELECT count(*) FROM member") == 0


def test_registration_is_throttled_per_address(strict_join_server, migrated_database):
    answers = [_register_once(strict_join_server, f"joiner{number}") for number in range(3)]
    browser = Browser(strict_join_server.url)
    refused = browser.register("joiner3")
    browser.close()
    assert answers == [303, 303, 303] and refused.status_code == 429
    assert "try again in" in refused.text
    assert int(refused.headers["retry-after"]) > 0
    assert scalar("SELECT count(*) FROM member") == 3
    _no_unhandled_errors(strict_join_server)


# ---------------------------------------------------------------------------------------------
# Sign-in throttling cannot be raced


def test_concurrent_wrong_guesses_are_evaluated_at_most_up_to_the_limit(server, new_browser):
    new_browser().register("target")
    forms = [{"username": "target", "password": f"guess number {n}"} for n in range(CONCURRENT_GUESSES)]
    answers = Counter(_post_all(server.url, _jars(server.url, CONCURRENT_GUESSES), "/login", forms))
    # 422 is "that username and password do not match": a guess that was checked. 503: password
    # checks are bounded, and on a busy machine a counted guess may be asked to try again
    # unchecked; either way no guess beyond the limit is ever checked.
    assert set(answers) <= {422, 429, 503}, answers
    assert answers[422] <= PER_ACCOUNT_LIMIT, answers
    assert answers[429] >= CONCURRENT_GUESSES - PER_ACCOUNT_LIMIT


# ---------------------------------------------------------------------------------------------
# Nobody can lock anyone out: device cookies


@pytest.fixture
def owner(new_browser) -> Browser:
    """A member whose browser has signed in before (and holds a device cookie for the account)."""
    browser = new_browser()
    assert browser.register("owner").status_code == 303
    assert browser.logout().status_code == 303
    return browser


def _exhaust_account(new_browser, username: str) -> None:
    attacker = new_browser()
    for _ in range(PER_ACCOUNT_LIMIT):
        assert attacker.login(username, "an attacker's guess").status_code == 422
    assert attacker.login(username, "an attacker's guess").status_code == 429


def test_owner_browser_signs_in_while_an_attacker_is_throttled(owner, new_browser):
    _exhaust_account(new_browser, "owner")
    response = owner.login("owner")
    assert response.status_code == 303
    assert "Sign out" in owner.get("/").text


def test_fresh_browser_with_the_right_password_is_still_throttled(owner, new_browser):
    _exhaust_account(new_browser, "owner")
    fresh = new_browser()
    response = fresh.login("owner")
    assert response.status_code == 429
    assert "Too many failed sign-ins. Please" in response.text
    assert int(response.headers["retry-after"]) > 0
    assert "Sign out" not in fresh.get("/").text


def test_device_cookie_of_another_account_or_forged_does_not_help(owner, new_browser):
    other = new_browser()
    assert other.register("other").status_code == 303
    _exhaust_account(new_browser, "owner")
    # The other member's browser is trusted for "other", not for "owner".
    assert other.login("owner").status_code == 429
    owner_id, nonce, signature = owner.client.cookies[DEVICE_COOKIE].split(".")
    forged = new_browser()
    forged.set_cookie(DEVICE_COOKIE, f"{owner_id}.{nonce}.{signature[::-1]}")
    assert forged.login("owner").status_code == 429
    other_id = other.client.cookies[DEVICE_COOKIE].split(".")[0]
    # A valid token moved to another account's id does not pass either.
    swapped = new_browser()
    swapped.set_cookie(DEVICE_COOKIE, f"{other_id}.{nonce}.{signature}")
    assert swapped.login("owner").status_code == 429


def test_exhausted_address_limit_does_not_lock_out_device_cookie_holders(owner, new_browser):
    attacker = new_browser()  # every browser here comes from the same address
    for number in range(PER_ADDRESS_LIMIT):
        assert attacker.login(f"someone{number}", "an attacker's guess").status_code == 422
    assert attacker.login("someone-else", "an attacker's guess").status_code == 429
    assert owner.login("owner").status_code == 303
    # A browser that never signed in to the account waits like everyone else at that address.
    new_browser().register("neighbour")
    assert new_browser().login("neighbour").status_code == 429


def test_one_browser_stays_trusted_for_each_account_it_signed_in_to(owner, new_browser):
    assert owner.register("spouse").status_code == 303  # a second account on the family computer
    _exhaust_account(new_browser, "owner")
    _exhaust_account(new_browser, "spouse")
    assert owner.login("owner").status_code == 303
    assert owner.login("spouse").status_code == 303


def test_wrong_guesses_with_a_device_cookie_are_throttled_for_that_device(owner, new_browser):
    for _ in range(PER_ACCOUNT_LIMIT):
        assert owner.login("owner", "mistyped password").status_code == 422
    assert owner.login("owner", "mistyped password").status_code == 429
    # Someone else's browser is not a party to that device's mistakes.
    assert new_browser().login("owner").status_code == 303


# ---------------------------------------------------------------------------------------------
# CSRF tokens and the session cookie at sign-in and sign-out


def test_csrf_token_from_before_sign_in_is_refused_after_it(new_browser):
    new_browser().register("miriam")
    browser = new_browser()
    before = browser.csrf_token()
    assert browser.login("miriam").status_code == 303
    assert browser.client.cookies[CSRF_COOKIE] != before
    refused = browser.post("/posts", {"_csrf_token": before, "kind": "request", "title": "t", "body": "b"})
    assert refused.status_code == 403
    assert scalar("SELECT count(*) FROM post") == 0


def test_csrf_token_is_renewed_at_sign_out(new_browser):
    browser = new_browser()
    browser.register("miriam")
    signed_in_token = browser.csrf_token()
    assert browser.logout().status_code == 303
    assert browser.client.cookies[CSRF_COOKIE] != signed_in_token
    assert (
        browser.post("/login", {"_csrf_token": signed_in_token, "username": "miriam", "password": PASSWORD}).status_code
        == 403
    )


def test_sign_out_deletes_the_session_cookie(new_browser):
    browser = new_browser()
    browser.register("miriam")
    response = browser.logout()
    cleared = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{SESSION_COOKIE}=")]
    assert cleared, response.headers
    assert all(re.search(r"(?i)max-age=0\b", h) for h in cleared), cleared
    assert SESSION_COOKIE not in browser.client.cookies


# ---------------------------------------------------------------------------------------------
# Names that outgrow their columns


def test_sign_in_name_that_case_folds_past_its_column_is_a_form_error(visitor):
    response = visitor.login("ß" * 200, "whatever it is")
    assert response.status_code == 422
    assert "That username and password do not match." in response.text


def test_registration_name_that_case_folds_past_its_column_is_a_form_error(visitor):
    for name in ("ß" * 200, "ß" * 20):
        response = visitor.register(name)
        assert response.status_code == 422
        assert "Use 2 to 32 letters" in response.text or "at most 32 characters" in response.text
    assert scalar("SELECT count(*) FROM member") == 0


def test_a_trusted_browser_cannot_sign_in_without_end(new_browser):
    """A member's own device cookie must not make their account a machine for password checks."""
    browser = new_browser()
    assert browser.register("tamar").status_code == 303
    answers = [browser.login("tamar").status_code for _ in range(21)]
    assert answers[:20] == [303] * 20
    assert answers[20] == 429
