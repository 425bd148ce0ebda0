"""Getting back into an account: password reset links by email, and the admin's shell commands.

A reset link carries the member's id and its expiry, signed with the secret key together with
the member's current password hash, session epoch and address; setting a password changes the
hash and bumps the epoch, so a link works once, and ends every other session of the member
(docs/security.md, "Password reset"). Asking for a link answers the same, after the same work,
whether or not the address or name belongs to anyone.
"""

from __future__ import annotations

import hmac
import html
import ipaddress
import logging
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from prayerboard import passwords, signing
from prayerboard.db import transaction
from prayerboard.forms import FormErrors, clean_text, password_problem
from prayerboard.policy import Actor
from prayerboard.services import outbox, site
from prayerboard.services.accounts import (
    GONE,
    TypedTargetThrottle,
    actor_from_row,
    restricted_state,
    username_key,
)
from prayerboard.services.errors import ServiceError
from prayerboard.services.moderation.log import Target, record
from prayerboard.tables import Member
from prayerboard.vocab import MemberState, Role

RESET_LINK_SECONDS = 3600  # an hour: long enough to find the mail, short enough to go stale
RESET_MAIL_KIND = "password_reset"
# One address may belong to several accounts (a family); each gets its own link, up to this many.
ACCOUNTS_PER_ADDRESS = 3
TARGET_MAX = 254  # the longest email address; a username is shorter
# Set by ``prayerboard run`` for its app processes: the address it was told to listen on.
RUN_HOST_ENV = "PRAYERBOARD_RUN_HOST"
_EVERY_ADDRESS = {"", "0.0.0.0", "::"}

log = logging.getLogger("prayerboard.mail")


class ResetLinkInvalid(ServiceError):
    """This link cannot be used. It may have been used already, or copied only in part."""


class ResetLinkExpired(ServiceError):
    """This link has expired: links work for one hour."""

    status_code = 410


@dataclass(frozen=True, slots=True)
class ResetTarget:
    """The member a valid link is for, as the link saw them."""

    member_id: int
    username: str
    password_hash: str
    session_epoch: int


@dataclass(frozen=True, slots=True)
class ResetRequest:
    """Someone asking for a link: what they typed, from where, and how links should start
    (empty when no link may be mailed: see ``reset_link_base``)."""

    target: str
    address: str
    base_url: str
    board_name: str


# ---------------------------------------------------------------------------------------------
# Links


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def reset_link_base(public_url: str | None, request_base_url: str, run_host: str | None = None) -> str:
    """Where a reset link starts, or "" when no link may be mailed for this request.

    The configured public address always. Without one, the address the request came to only
    when its host cannot have been chosen by a stranger: a loopback name or address, or exactly
    the address ``prayerboard run --host`` listens on (when that is not every address). Any
    other ``Host`` header could be the asker's own, and the member's link would point there
    (docs/security.md, "Password reset").
    """
    if public_url:
        return public_url.rstrip("/")
    host = (urlsplit(request_base_url).hostname or "").lower()
    bound = (os.environ.get(RUN_HOST_ENV, "") if run_host is None else run_host).strip().strip("[]").lower()
    if host and (_is_loopback(host) or (bound not in _EVERY_ADDRESS and host == bound)):
        return request_base_url.rstrip("/")
    return ""


def _signature(secret_key: str, member_id: int, expires: int, row: Mapping[str, Any]) -> str:
    fields = (str(member_id), str(expires), row["password_hash"], str(row["session_epoch"]), row["email"])
    return signing.signature("prayerboard password reset", secret_key, *fields)


def mint_token(secret_key: str, row: Mapping[str, Any], now: float | None = None) -> str:
    """A link's token for the member ``row`` (id, password_hash, session_epoch, email)."""
    expires = int(now if now is not None else time.time()) + RESET_LINK_SECONDS
    return f"{row['id']}.{expires}.{_signature(secret_key, row['id'], expires, row)}"


def _parse(token: str) -> tuple[int, int, str]:
    parts = signing.split_expiring(token)
    if parts is None:
        raise ResetLinkInvalid()
    return parts


async def check_token(secret_key: str, token: str, now: float | None = None) -> ResetTarget:
    """The member a link is for, or ``ResetLinkInvalid`` / ``ResetLinkExpired``.

    A used link no longer matches (the password hash and session epoch have changed); a deleted
    or suspended account's link matches nothing: the same answer as a forged one.
    """
    member_id, expires, signature = _parse(token)
    row = (
        await Member.select(Member.id, Member.username, Member.email, Member.password_hash, Member.session_epoch)
        .where((Member.id == member_id) & Member.state.not_in(list(GONE)))
        .first()
    )
    expected = _signature(secret_key, member_id, expires, row) if row else ""
    if row is None or not hmac.compare_digest(signature.encode(), expected.encode()):
        raise ResetLinkInvalid()
    # Only a link the board signed is called expired; anything else is simply not a link.
    if expires < int(now if now is not None else time.time()):
        raise ResetLinkExpired()
    if await restricted_state(member_id) == MemberState.SUSPENDED:
        raise ResetLinkInvalid()
    return ResetTarget(member_id, row["username"], row["password_hash"], row["session_epoch"])


async def reset_password(target: ResetTarget, password: str) -> Actor:
    """Set the new password from a checked link; every session of the member ends.

    One guarded update: only while the hash and epoch are still those the link was checked
    against, so two uses of one link at once cannot both succeed.
    """
    problem = password_problem(password)
    if problem:
        raise FormErrors({"password": problem}, {})
    new_hash = await passwords.hash_password(password)
    rows = (
        await Member.update(
            {
                Member.password_hash: new_hash,
                Member.session_epoch: Member.session_epoch + 1,
                # The link reached this address, so it is the member's; and a change of address
                # asked for before (perhaps by whoever knew the old password) is dropped with it.
                Member.email_confirmed: True,
                Member.pending_email: "",
            }
        )
        .where(
            (Member.id == target.member_id)
            & (Member.password_hash == target.password_hash)
            & (Member.session_epoch == target.session_epoch)
            & Member.state.not_in(list(GONE))
        )
        .returning(*Member.all_columns())
    )
    if not rows:
        raise ResetLinkInvalid()
    return actor_from_row(rows[0])


# ---------------------------------------------------------------------------------------------
# Asking for a link


class ResetThrottle(TypedTargetThrottle):
    """Requests for a password reset link (``accounts.TypedTargetThrottle``)."""

    prefix = "reset"
    refusal = "Too many requests for a new password."


def parse_target(raw: Mapping[str, Any]) -> str:
    target = clean_text(raw.get("login"), multiline=False)
    if not target:
        raise FormErrors({"login": "Enter your email address or username."}, {"login": ""})
    if len(target) > TARGET_MAX:
        raise FormErrors({"login": f"That is longer than any address ({TARGET_MAX} characters)."}, {"login": target})
    return target


# Stands in for a member when nobody matched: a link and a message are made for it all the
# same, and thrown away, so an unknown address costs what a known one does.
_NOBODY: Mapping[str, Any] = {"id": 0, "email": "", "password_hash": "!", "session_epoch": 0, "state": ""}


def reset_message(board_name: str, link: str) -> tuple[str, str, str]:
    """The mail's subject, plain text and HTML: the link and nothing else about the account."""
    subject = f"Set a new password for {board_name}"
    text = (
        f"Someone, we hope you, asked to set a new password for your account on {board_name}.\n\n"
        f"To choose a new password, open this link within the hour:\n\n{link}\n\n"
        "The link works once. If you did not ask, you can ignore this message: your password "
        "stays as it is.\n"
    )
    link_html = html.escape(link)
    body = (
        f"<p>Someone, we hope you, asked to set a new password for your account on {html.escape(board_name)}.</p>"
        f'<p>To choose a new password, open this link within the hour:</p><p><a href="{link_html}">{link_html}</a></p>'
        "<p>The link works once. If you did not ask, you can ignore this message: your password "
        "stays as it is.</p>"
    )
    return subject, text, body


async def request_reset(request: ResetRequest, throttle: ResetThrottle, secret_key: str) -> None:
    """Send a reset link to the account(s) behind a username or email address, if any.

    No early return: whether or not anyone matched, a link is signed and its message written,
    so the answer and its timing are the same; only a real, usable account's message is put in
    the outbox. Deleted and suspended accounts get nothing, and nobody does when the request
    came to an address a link may not start with (``request.base_url`` empty).
    """
    target = request.target
    await throttle.count(target, request.address)
    rows: Sequence[Mapping[str, Any]] = (
        await Member.select(Member.id, Member.email, Member.password_hash, Member.session_epoch, Member.state)
        .where((Member.username_key == username_key(target)) | (Member.email == target.lower()))
        .order_by(Member.id)
        .limit(ACCOUNTS_PER_ADDRESS)
    )
    if not request.base_url:
        log.warning(
            "a password reset link was asked for at an address other than this machine's, and no "
            "mail was sent: set PRAYERBOARD_PUBLIC_URL to the board's address (docs/security.md)"
        )
    async with transaction():
        for row in rows or [_NOBODY]:
            suspended = await restricted_state(row["id"]) == MemberState.SUSPENDED
            token = mint_token(secret_key, row)
            base_url = request.base_url or "http://localhost"
            subject, text, body = reset_message(request.board_name, f"{base_url}/password/reset/{token}")
            if row is _NOBODY or suspended or row["state"] in GONE or not row["email"] or not request.base_url:
                continue
            await outbox.enqueue(
                to_address=row["email"],
                subject=subject,
                text=text,
                html=body,
                kind=RESET_MAIL_KIND,
                member_id=row["id"],
            )


# ---------------------------------------------------------------------------------------------
# The admin's shell commands


class NoSuchMember(ServiceError):
    """No member has that username."""

    status_code = 404


async def _member_by_username(username: str) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await Member.select(Member.id, Member.username, Member.role, Member.state)
        .where((Member.username_key == username_key(username)) & (Member.state != MemberState.DELETED))
        .first()
    )
    if row is None:
        raise NoSuchMember(f"No member has the username {username!r}.")
    return row


async def promote_to_admin(username: str) -> bool:
    """Make an existing member an admin, logged as the board's action; False if they already were."""
    async with transaction():
        row = await _member_by_username(username)
        if row["role"] == Role.ADMIN:
            return False
        await Member.update({Member.role: Role.ADMIN}).where(Member.id == row["id"])
        await site.forget_setup_code()
        await record(
            None, f"role_{Role.ADMIN}", Target.member(row["id"]), row["id"], "made an admin from the command line"
        )
    return True


async def set_password(username: str, password: str) -> None:
    """Give a member a new password from the command line; every session of theirs ends."""
    problem = password_problem(password)
    if problem:
        raise FormErrors({"password": problem}, {})
    row = await _member_by_username(username)
    new_hash = await passwords.hash_password(password)
    # A change of address asked for before (perhaps by whoever knew the old password) is dropped.
    await Member.update(
        {Member.password_hash: new_hash, Member.session_epoch: Member.session_epoch + 1, Member.pending_email: ""}
    ).where((Member.id == row["id"]) & (Member.state != MemberState.DELETED))
