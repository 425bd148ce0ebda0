"""Address confirmation links as plain data: signed for one member and one address, good for 48
hours, and dead once what they confirm is no longer waiting."""

from __future__ import annotations

import time

import pytest

from prayerboard.services import email_address
from prayerboard.services.email_address import (
    CONFIRM_LINK_SECONDS,
    ConfirmLinkExpired,
    ConfirmLinkInvalid,
    ConfirmTarget,
    change_notice,
    confirm_message,
    mint_token,
    verify,
)

SECRET = "a secret key long enough to be a real one"
NOW = 1_800_000_000.0


def row(**changes: object) -> dict[str, object]:
    """A member who joined with naomi@example.org and has not confirmed it."""
    return {"id": 7, "email": "naomi@example.org", "email_confirmed": False, "pending_email": ""} | changes


def test_a_fresh_link_confirms_the_address_the_member_joined_with():
    token = mint_token(SECRET, 7, "join", "naomi@example.org", now=NOW)
    assert verify(SECRET, token, row(), now=NOW + 60) == ConfirmTarget(7, "join", "naomi@example.org")


def test_a_link_for_a_change_confirms_the_new_address():
    waiting = row(email_confirmed=True, pending_email="naomi@example.net")
    token = mint_token(SECRET, 7, "change", "naomi@example.net", now=NOW)
    assert verify(SECRET, token, waiting, now=NOW) == ConfirmTarget(7, "change", "naomi@example.net")


def test_a_link_works_for_48_hours_and_then_says_it_has_expired():
    token = mint_token(SECRET, 7, "join", "naomi@example.org", now=NOW)
    assert verify(SECRET, token, row(), now=NOW + CONFIRM_LINK_SECONDS).purpose == "join"
    with pytest.raises(ConfirmLinkExpired) as caught:
        verify(SECRET, token, row(), now=NOW + CONFIRM_LINK_SECONDS + 1)
    assert caught.value.status_code == 410
    assert "48 hours" in caught.value.message


def test_a_used_link_is_refused_like_a_forged_one():
    token = mint_token(SECRET, 7, "join", "naomi@example.org", now=NOW)
    with pytest.raises(ConfirmLinkInvalid) as caught:
        verify(SECRET, token, row(email_confirmed=True), now=NOW)
    assert caught.value.status_code == 400


def test_a_change_link_dies_when_the_change_is_cancelled_replaced_or_done():
    token = mint_token(SECRET, 7, "change", "naomi@example.net", now=NOW)
    for after in (
        row(email_confirmed=True),  # cancelled
        row(email_confirmed=True, pending_email="someone@else.example"),  # another change asked for since
        row(email="naomi@example.net", email_confirmed=True),  # done
    ):
        with pytest.raises(ConfirmLinkInvalid):
            verify(SECRET, token, after, now=NOW)


def test_a_link_for_the_first_address_does_not_confirm_a_change_and_back():
    both = row(pending_email="naomi@example.net")
    join = mint_token(SECRET, 7, "join", "naomi@example.org", now=NOW)
    change = mint_token(SECRET, 7, "change", "naomi@example.net", now=NOW)
    assert verify(SECRET, join, both, now=NOW).purpose == "join"
    assert verify(SECRET, change, both, now=NOW).purpose == "change"
    # Signed for the address, so the change's link cannot pass for the address joined with.
    crossed = mint_token(SECRET, 7, "change", "naomi@example.org", now=NOW)
    with pytest.raises(ConfirmLinkInvalid):
        verify(SECRET, crossed, row(), now=NOW)


def test_a_link_signed_with_another_key_or_for_another_member_is_refused():
    token = mint_token(SECRET, 7, "join", "naomi@example.org", now=NOW)
    with pytest.raises(ConfirmLinkInvalid):
        verify("another secret key altogether", token, row(), now=NOW)
    with pytest.raises(ConfirmLinkInvalid):
        verify(SECRET, "8." + token.split(".", 1)[1], row(id=8), now=NOW)
    with pytest.raises(ConfirmLinkInvalid):
        verify(SECRET, token, None, now=NOW)


def test_the_key_is_not_the_password_reset_key():
    """The same member, time and address signed for a password reset give another signature."""
    from prayerboard.services import recovery

    reset = recovery.mint_token(
        SECRET, {"id": 7, "password_hash": "", "session_epoch": 0, "email": "naomi@example.org"}, now=NOW
    )
    assert reset.rsplit(".", 1)[1] != mint_token(SECRET, 7, "join", "naomi@example.org", now=NOW).rsplit(".", 1)[1]


@pytest.mark.parametrize(
    "token",
    [
        "",
        "nonsense",
        "7.1",
        "7..x",
        "x.1.abc",
        "7.1.abc.d",
        "é.1.x",
        "7." + "9" * 13 + ".x",
        "1" * 19 + ".1.x",
        "x" * 500,
    ],
)
def test_garbage_is_refused_before_anything_is_read(token):
    with pytest.raises(ConfirmLinkInvalid):
        verify(SECRET, token, row(), now=NOW)


def test_every_altered_character_is_refused():
    token = mint_token(SECRET, 7, "join", "naomi@example.org", now=NOW)
    member_id, expires, signature = token.split(".")
    altered = [f"{member_id}.{int(expires) + 1}.{signature}"]
    for i in range(len(signature)):
        swapped = "A" if signature[i] != "A" else "B"
        altered.append(f"{member_id}.{expires}.{signature[:i]}{swapped}{signature[i + 1 :]}")
    for bad in altered:
        with pytest.raises(ConfirmLinkInvalid):
            verify(SECRET, bad, row(), now=NOW)


def test_a_token_is_short_and_plain():
    token = mint_token(SECRET, 123456789012345678, "change", "x" * 240 + "@example.org", now=time.time())
    assert token.isascii() and len(token) <= 80
    assert all(c.isalnum() or c in "._-" for c in token)


def test_the_mail_holds_the_link_and_nothing_else_about_the_account():
    link = "https://pray.example.org/register/confirm/7.1.abc"
    subject, text = confirm_message("Grace Board", link, "join")
    assert subject == "Confirm your email address for Grace Board"
    assert link in text and "48 hours" in text
    subject, text = confirm_message("Grace Board", link, "change")
    assert "new email address" in subject and "old address" in text


def test_the_old_address_is_told_of_a_change_without_any_of_the_new_address():
    subject, text = change_notice("Grace Board")
    assert "@" not in text and "example.net" not in text
    assert "Forgot your password?" in text and "also cancels the change" in text
    assert "being changed" in subject


def test_the_confirm_path_is_one_a_visitor_may_reach_on_a_members_only_board():
    from prayerboard.app import PENDING_PATHS, VISITOR_PATHS_ON_MEMBERS_ONLY_BOARD

    assert email_address.CONFIRM_PATH.startswith(VISITOR_PATHS_ON_MEMBERS_ONLY_BOARD)
    assert email_address.CONFIRM_PATH.startswith(PENDING_PATHS)
