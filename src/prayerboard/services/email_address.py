"""A member's email address: confirming it with a link mailed to it, and changing it.

A confirmation link ``/register/confirm/<id>.<expiry>.<signature>`` carries the member's id and
its expiry (48 hours), signed under a key derived from the secret key for this use alone,
together with the address it confirms and what confirming it changes: the address the member
joined with while it is unconfirmed, or the new address of a change while that change waits.
Confirming changes exactly that, so a link works once, and a later change to another address
leaves the earlier link pointing at nothing (docs/security.md, "Confirming addresses").

A changed address is kept in ``pending_email`` and used for nothing until it is confirmed: mail,
password resets included, keeps going to ``email``.
"""

from __future__ import annotations

import datetime as dt
import hmac
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from prayerboard import passwords, signing, tables
from prayerboard.db import transaction
from prayerboard.forms import EMAIL_RE, Credentials, FormErrors, clean_text, parse_login
from prayerboard.policy import Actor, require
from prayerboard.services import outbox, site, utcnow
from prayerboard.services.accounts import (
    GENERIC_LOGIN_ERROR,
    GONE,
    AddressNotConfirmed,
    LoginThrottle,
    SignInAttempt,
    TypedTargetThrottle,
    actor_from_row,
    authenticate,
    password_hash_to_check,
    restricted_state,
    username_key,
)
from prayerboard.services.errors import NotFound, ServiceError
from prayerboard.tables import AuthorRestriction, Flag, Follow, Member, MemberNote, Post, Prayer, Reply
from prayerboard.vocab import MailKind, MemberState, Role

CONFIRM_LINK_SECONDS = 48 * 3600  # two days: a mail read the next evening still works
CONFIRM_PATH = "/register/confirm/"
# One address may belong to several accounts (a family); each waiting one gets its own link.
ACCOUNTS_PER_ADDRESS = 3
TARGET_MAX = tables.EMAIL_MAX  # the longest email address; a username is shorter

# What a link confirms: the address the member joined with, or the new one of a change.
Purpose = Literal["join", "change"]


class ConfirmLinkInvalid(ServiceError):
    """This link cannot be used. It may have been used already, or copied only in part."""


class ConfirmLinkExpired(ServiceError):
    """This link has expired: links to confirm an address work for 48 hours."""

    status_code = 410


@dataclass(frozen=True, slots=True)
class Links:
    """What a confirmation mail needs: the key to sign with, where links start
    (``mail.link_base``, never a ``Host`` a request named) and the board's name."""

    secret_key: str
    base_url: str
    board_name: str

    async def send_link(self, member_id: int, address: str) -> None:
        """Mail a new member the link that confirms the address they joined with; called in the
        transaction that makes the member (``accounts.register``)."""
        await _enqueue_link(self, member_id, "join", address)


@dataclass(frozen=True, slots=True)
class ConfirmTarget:
    """What a valid link confirms, as the link saw the member."""

    member_id: int
    purpose: Purpose
    address: str


# ---------------------------------------------------------------------------------------------
# Links


def _signature(secret_key: str, member_id: int, expires: int, purpose: Purpose, address: str) -> str:
    return signing.signature(
        "prayerboard email confirmation", secret_key, str(member_id), str(expires), purpose, address
    )


def mint_token(secret_key: str, member_id: int, purpose: Purpose, address: str, now: float | None = None) -> str:
    """A link's token confirming ``address`` for the member, for ``purpose``."""
    expires = int(now if now is not None else time.time()) + CONFIRM_LINK_SECONDS
    return f"{member_id}.{expires}.{_signature(secret_key, member_id, expires, purpose, address)}"


def _parse(token: str) -> tuple[int, int, str]:
    parts = signing.split_expiring(token)
    if parts is None:
        raise ConfirmLinkInvalid()
    return parts


def _waiting(row: Mapping[str, Any]) -> list[tuple[Purpose, str]]:
    """What this member has waiting for confirmation now: a change, their first address, both or neither."""
    waiting: list[tuple[Purpose, str]] = []
    if row["pending_email"]:
        waiting.append(("change", row["pending_email"]))
    if not row["email_confirmed"] and row["email"]:
        waiting.append(("join", row["email"]))
    return waiting


_ROW_COLUMNS = (Member.id, Member.email, Member.email_confirmed, Member.pending_email, Member.state)


def verify(secret_key: str, token: str, row: Mapping[str, Any] | None, now: float | None = None) -> ConfirmTarget:
    """What ``token`` confirms for the member ``row`` as it is now (id, email, email_confirmed,
    pending_email; None when there is no such usable member), or ``ConfirmLinkInvalid`` /
    ``ConfirmLinkExpired``.

    A link matches only what is waiting now: a used link (the address is confirmed), and a
    change cancelled or replaced by another, are refused like a forged link.
    """
    member_id, expires, signature = _parse(token)
    found: ConfirmTarget | None = None
    if row is not None and row["id"] == member_id:
        for purpose, address in _waiting(row):
            expected = _signature(secret_key, member_id, expires, purpose, address)
            if hmac.compare_digest(signature.encode(), expected.encode()):
                found = ConfirmTarget(member_id, purpose, address)
    if found is None:
        raise ConfirmLinkInvalid()
    # Only a link the board signed is called expired; anything else is simply not a link.
    if expires < int(now if now is not None else time.time()):
        raise ConfirmLinkExpired()
    return found


async def check_token(secret_key: str, token: str, now: float | None = None) -> ConfirmTarget:
    """What a link confirms (``verify``), read against the member's row now; a deleted or
    suspended account's link matches nothing."""
    member_id = _parse(token)[0]
    row = await Member.select(*_ROW_COLUMNS).where((Member.id == member_id) & Member.state.not_in(list(GONE))).first()
    found = verify(secret_key, token, row, now)
    if await restricted_state(member_id) == MemberState.SUSPENDED:
        raise ConfirmLinkInvalid()
    return found


async def confirm(target: ConfirmTarget) -> Actor:
    """Confirm what a checked link confirms; the member, to be signed in.

    One guarded update that matches only the state the link was checked against, so two uses
    of one link at once cannot both succeed. A change makes the new address the member's.
    """
    alive = (Member.id == target.member_id) & Member.state.not_in(list(GONE))
    if target.purpose == "change":
        query = Member.update(
            {Member.email: target.address, Member.pending_email: "", Member.email_confirmed: True}
        ).where(alive & (Member.pending_email == target.address))
    else:
        query = Member.update({Member.email_confirmed: True}).where(
            alive & (Member.email == target.address) & (Member.email_confirmed == False)  # noqa: E712
        )
    rows = await query.returning(*Member.all_columns())
    if not rows:
        raise ConfirmLinkInvalid()
    return actor_from_row(rows[0])


# ---------------------------------------------------------------------------------------------
# The messages


def confirm_message(board_name: str, link: str, purpose: Purpose) -> tuple[str, str]:
    """A confirmation mail's subject and plain text: the link and nothing else about the account."""
    if purpose == "change":
        subject = f"Confirm your new email address for {board_name}"
        opening = f"Someone, we hope you, asked to use this address for an account on {board_name}."
        after = "Until then, mail for the account keeps going to its old address."
    else:
        subject = f"Confirm your email address for {board_name}"
        opening = f"Someone, we hope you, joined {board_name} with this address."
        after = "You can sign in once the address is confirmed."
    text = (
        f"{opening}\n\n"
        f'To confirm it, open this link within 48 hours and press "Confirm":\n\n{link}\n\n'
        f"{after} If this was not you, you can ignore this message: nothing changes.\n"
    )
    return subject, text


def change_notice(board_name: str) -> tuple[str, str]:
    """The short notice to the old address that a change was asked for."""
    subject = f"Your email address on {board_name} is being changed"
    # The new address is not named, not even in part: whoever else reads this mailbox (someone
    # the member may be leaving) learns nothing of where their mail goes next.
    text = (
        f"Someone signed in to your account on {board_name} asked to change its email address "
        "to another one.\n\n"
        "Mail keeps coming to this address until the new one is confirmed. You can cancel the "
        "change in your settings.\n\n"
        'If this was not you, choose a new password at once with "Forgot your password?" on the '
        "sign-in page: that also cancels the change.\n"
    )
    return subject, text


async def _enqueue_link(links: Links, member_id: int, purpose: Purpose, address: str) -> None:
    token = mint_token(links.secret_key, member_id, purpose, address)
    subject, text = confirm_message(links.board_name, f"{links.base_url}{CONFIRM_PATH}{token}", purpose)
    await outbox.enqueue(
        to_address=address, subject=subject, text=text, kind=MailKind.CONFIRM_EMAIL, member_id=member_id
    )


# ---------------------------------------------------------------------------------------------
# Asking for a link again


class LinkThrottle(TypedTargetThrottle):
    """Requests for a confirmation link, and changes of address, counted per client address and
    per name or address typed (or per member, when signed in): ``accounts.TypedTargetThrottle``."""

    prefix = "confirm"
    refusal = "Too many requests for a link."


def parse_target(raw: Mapping[str, Any]) -> str:
    target = clean_text(raw.get("login"), multiline=False)
    if not target:
        raise FormErrors({"login": "Enter your email address or username."}, {"login": ""})
    if len(target) > TARGET_MAX:
        raise FormErrors({"login": f"That is longer than any address ({TARGET_MAX} characters)."}, {"login": target})
    return target


async def send_link_again(target: str, address: str, throttle: LinkThrottle, links: Links) -> None:
    """Mail a new link to each account behind a username or address that is waiting for its
    first address to be confirmed.

    The same answer and the same work whether or not anyone matched: a link is signed for each
    match or for nobody, and only a real, waiting account's message goes into the outbox.
    """
    await throttle.count(target, address)
    rows: Sequence[Mapping[str, Any]] = (
        await Member.select(*_ROW_COLUMNS)
        .where((Member.username_key == username_key(target)) | (Member.email == target.lower()))
        .order_by(Member.id)
        .limit(ACCOUNTS_PER_ADDRESS)
    )
    async with transaction():
        for row in rows or [_NOBODY]:
            suspended = await restricted_state(row["id"]) == MemberState.SUSPENDED
            mint_token(links.secret_key, row["id"], "join", row["email"])
            if row is _NOBODY or suspended or row["state"] in GONE or row["email_confirmed"] or not row["email"]:
                continue
            await _enqueue_link(links, row["id"], "join", row["email"])


# Stands in for a member when nobody matched, so an unknown name costs what a known one does.
_NOBODY: Mapping[str, Any] = {"id": 0, "email": "", "email_confirmed": True, "pending_email": "", "state": ""}


# ---------------------------------------------------------------------------------------------
# A signed-in member's address


EMAIL_FIELD = "new_email"
PASSWORD_FIELD = "email_password"
WRONG_PASSWORD = "That password is not right."


async def _own_row(actor: Actor) -> dict[str, Any]:
    require(actor, "manage_own_account")
    row: dict[str, Any] | None = (
        await Member.select(*_ROW_COLUMNS, Member.password_hash).where(Member.id == actor.id).first()
    )
    if row is None or row["state"] in GONE:
        raise NotFound()
    return row


def parse_new_address(raw: Any, field: str = EMAIL_FIELD, missing: str = "Enter your new email address.") -> str:
    """The new address, checked as registration checks one; lower case."""
    value = clean_text(raw, multiline=False)
    if not value:
        raise FormErrors({field: missing}, {field: ""})
    if len(value) > tables.EMAIL_MAX:
        raise FormErrors(
            {field: f"Email must be at most {tables.EMAIL_MAX} characters (it is {len(value):,})."},
            {field: value},
        )
    if not EMAIL_RE.match(value):
        raise FormErrors({field: "Enter an email address like name@example.org."}, {field: value})
    return value.lower()


async def request_change(
    actor: Actor, raw_address: Any, password: str, address: str, throttle: LinkThrottle, links: Links
) -> str:
    """Ask to change the member's address; the new address, which gets a link to confirm it.

    The member's password is checked (counted first, like a sign-in, so a session left open
    cannot be used to guess it). The old address keeps getting mail, and is told of the change
    when it was ever confirmed. Both messages are written in the change's transaction.
    """
    new_address = parse_new_address(raw_address)
    row = await _own_row(actor)
    if new_address == row["email"]:
        raise FormErrors({EMAIL_FIELD: "That is already your address."}, {EMAIL_FIELD: new_address})
    await throttle.count(f"member:{row['id']}", address)
    if not await passwords.verify_password(await password_hash_to_check(row["password_hash"]), password):
        raise FormErrors({PASSWORD_FIELD: WRONG_PASSWORD}, {EMAIL_FIELD: new_address})
    async with transaction():
        updated = (
            await Member.update({Member.pending_email: new_address})
            .where((Member.id == row["id"]) & Member.state.not_in(list(GONE)))
            .returning(Member.id)
        )
        if not updated:
            raise NotFound()
        await _enqueue_link(links, row["id"], "change", new_address)
        if row["email"] and row["email_confirmed"]:
            subject, text = change_notice(links.board_name)
            await outbox.enqueue(
                to_address=row["email"], subject=subject, text=text, kind=MailKind.CONFIRM_EMAIL, member_id=row["id"]
            )
    return new_address


async def cancel_change(actor: Actor) -> bool:
    """Drop a change waiting for confirmation (its link stops working); whether there was one."""
    require(actor, "manage_own_account")
    cancelled = (
        await Member.update({Member.pending_email: ""})
        .where((Member.id == actor.id) & (Member.pending_email != ""))
        .returning(Member.id)
    )
    return bool(cancelled)


async def send_own_link_again(actor: Actor, address: str, throttle: LinkThrottle, links: Links) -> str | None:
    """Mail the signed-in member a new link for what waits (a change first); the address it went
    to, or None when nothing waits."""
    row = await _own_row(actor)
    waiting = _waiting(row)
    if not waiting:
        return None
    await throttle.count(f"member:{row['id']}", address)
    purpose, to_address = waiting[0]
    async with transaction():
        await _enqueue_link(links, row["id"], purpose, to_address)
    return to_address


# ---------------------------------------------------------------------------------------------
# A wrong address typed when joining


CORRECTED_FIELD = "email"


@dataclass(frozen=True, slots=True)
class Correction:
    """A member who cannot sign in yet, naming themselves, and the address they meant."""

    credentials: Credentials
    new_address: str


def parse_correction(raw: Mapping[str, Any]) -> Correction:
    """The username, password and corrected address; the address is checked as registration
    checks one. On errors the values typed are kept, the password never."""
    values = {
        "username": clean_text(raw.get("username"), multiline=False),
        CORRECTED_FIELD: clean_text(raw.get(CORRECTED_FIELD), multiline=False),
    }
    errors: dict[str, str] = {}
    new_address = ""
    try:
        new_address = parse_new_address(
            raw.get(CORRECTED_FIELD), CORRECTED_FIELD, "Enter the email address the link should go to."
        )
    except FormErrors as exc:
        errors.update(exc.errors)
    try:
        credentials = parse_login(raw)
    except FormErrors as exc:
        errors.update(exc.errors)
    if errors:
        raise FormErrors(errors, values)
    return Correction(credentials, new_address)


async def correct_address(
    correction: Correction, address: str, device_cookie: str | None, throttle: LoginThrottle, links: Links
) -> str:
    """Replace the address of an account that has never been confirmed, and mail a link to the
    new one; the new address.

    The password is checked as a sign-in checks it (``accounts.authenticate``, counted by the
    same throttle first), and every refusal is a failed sign-in's answer: an unknown name, a
    wrong password, a gone account, and a confirmed member (whose address changes only through
    settings, confirmed) all look alike. The address the links were bound to is replaced, so
    every earlier link stops working (a change waiting is dropped too); the new link is written
    in the same transaction (docs/security.md, "Confirming addresses").
    """
    credentials = correction.credentials
    refused = FormErrors(
        {"password": GENERIC_LOGIN_ERROR},
        {"username": credentials.username, CORRECTED_FIELD: correction.new_address},
    )
    try:
        await authenticate(
            SignInAttempt(credentials, address, device_cookie), throttle, links.secret_key, confirmed_only=True
        )
    except AddressNotConfirmed:
        pass  # the right password, and an address never confirmed: the one case we serve
    except FormErrors as exc:
        raise refused from exc
    else:
        raise refused
    async with transaction():
        updated = (
            await Member.update({Member.email: correction.new_address, Member.pending_email: ""})
            .where(
                (Member.username_key == username_key(credentials.username))
                & (Member.email_confirmed == False)  # noqa: E712 - confirmed meanwhile: refused
                & Member.state.not_in(list(GONE))
            )
            .returning(Member.id)
        )
        if not updated:
            raise refused
        await _enqueue_link(links, updated[0]["id"], "join", correction.new_address)
    return correction.new_address


# ---------------------------------------------------------------------------------------------
# Accounts never confirmed

# An account whose first address was never confirmed is deleted this long after it was made,
# so it does not keep its username for ever. A link works 48 hours; a week leaves time to ask
# for another or to correct the address, and is still short for a name nobody can use.
UNCONFIRMED_KEPT_DAYS = 7
FORGET_AT_ONCE = 500  # per round of housekeeping; after a flood of sign-ups, the rest next hour

# What a member who took part left behind. One who never confirmed cannot have signed in while
# the board asked, but one may have while the setting was off: any of these keeps the account.
_TRACES = (
    Post.author,
    Reply.author,
    Prayer.member,
    Follow.member,
    Flag.reporter,
    MemberNote.member,
    AuthorRestriction.member,
)


async def forget_unconfirmed(now: dt.datetime | None = None) -> int:
    """Delete accounts made more than ``UNCONFIRMED_KEPT_DAYS`` ago whose address was never
    confirmed and that never took part; how many. Run by each process's housekeeping.

    Only while the board asks new members to confirm: with the setting off such members can
    sign in, and an account in use is not ours to take. The rows go (what hangs on them, their
    waiting mail, goes with them), and the username is free again rather than retired: nobody
    ever saw it take part. Kept: staff, anyone a moderator acted on (silenced, suspended,
    deleted, a note, a restriction), a change of address asked for (only a signed-in member
    can), and any trace in ``_TRACES``. One statement, so several processes may run it at once.
    """
    if not (await site.read_settings()).confirm_email:
        return 0
    cutoff = (now or utcnow()) - dt.timedelta(days=UNCONFIRMED_KEPT_DAYS)
    where: Any = (
        (Member.email_confirmed == False)  # noqa: E712
        & (Member.created_at < cutoff)
        & (Member.pending_email == "")
        & (Member.role == Role.MEMBER)
        & Member.state.is_in([MemberState.ACTIVE, MemberState.PENDING])
    )
    # Most hours nobody is due: one read of the member table and done. Otherwise the traces
    # are looked up only for those due (by the indexes on the members' columns), and the
    # delete repeats the whole guard, so what changed meanwhile keeps its account.
    due = [row["id"] for row in await Member.select(Member.id).where(where).limit(FORGET_AT_ONCE)]
    if not due:
        return 0
    where = where & Member.id.is_in(due)
    for column in _TRACES:
        where = where & Member.id.not_in(column._meta.table.select(column).where(column.is_in(due)))
    deleted = await Member.delete().where(where).returning(Member.id)
    return len(deleted)
