"""Accounts: registration, sign-in with throttling and device cookies, and loading the signed-in actor."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, Self

from prayerboard import passwords
from prayerboard.db import is_unique_violation, transaction
from prayerboard.forms import Credentials, FormErrors, Registration
from prayerboard.policy import Actor
from prayerboard.services import display_names, site, utcnow
from prayerboard.services.errors import Throttled, try_again_in
from prayerboard.settings import Settings
from prayerboard.stores import Counters
from prayerboard.tables import AuthorRestriction, Member, RetiredUsername, SiteSetting
from prayerboard.vocab import MemberState, RestrictionAction, RestrictionStatus, Role

GENERIC_LOGIN_ERROR = "That username and password do not match."
ADDRESS_NOT_CONFIRMED = "Confirm your email address first: open the link we sent you, or ask for a new one below."
GONE = frozenset({MemberState.SUSPENDED, MemberState.DELETED})  # accounts no session may use

# A deleted member's username is kept from everyone else this long, so that old links, old
# mentions and old memories of the name do not lead to a stranger (docs/privacy.md, "Ids").
USERNAME_RETIRED_DAYS = 365

# A new account's sessions start at a random epoch, so a session is tied to the account it was
# made for and not merely to its id: even an id given out twice would not match it. Below 2^30
# so the epoch can be bumped (suspension, deletion) for ever within PostgreSQL's integer.
SESSION_EPOCH_START_LIMIT = 2**30


def username_key(username: str) -> str:
    """The case-insensitive identity of a username."""
    return username.casefold()


def actor_from_row(row: Mapping[str, Any]) -> Actor:
    return Actor(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        state=MemberState(row["state"]),
        session_epoch=row.get("session_epoch", 0),
    )


async def _retired(key: str) -> bool:
    """Whether a deleted member held this username within ``USERNAME_RETIRED_DAYS``."""
    since = utcnow() - dt.timedelta(days=USERNAME_RETIRED_DAYS)
    return await RetiredUsername.exists().where(
        (RetiredUsername.username_key == key) & (RetiredUsername.retired_at > since)
    )


async def retire_username(key: str) -> None:
    """Keep a deleted member's username from everyone else, from now on, for a year.

    Called in the deletion's transaction; a name retired before (and taken again once its
    year was over) starts a new year.
    """
    now = utcnow()
    await RetiredUsername.insert(RetiredUsername(username_key=key, retired_at=now)).on_conflict(
        target=RetiredUsername.username_key, action="DO UPDATE", values=[(RetiredUsername.retired_at, now)]
    )


class AddressCheck(Protocol):
    """Mails a new member the link that confirms their address (``email_address.Links``)."""

    async def send_link(self, member_id: int, address: str) -> None: ...


async def register(
    form: Registration,
    role: Role = Role.MEMBER,
    state: MemberState = MemberState.ACTIVE,
    confirm: AddressCheck | None = None,
    setup_code: str = "",
) -> Actor:
    """Create a member; a username taken in any letter case, or retired, is refused at its field.

    A retired name gets the same words as a taken one: whether an account was deleted is
    nobody else's business. The name is checked before the password is hashed, so a flood of
    sign-ups for a taken name costs no hashing at all. With ``confirm``, the address starts
    unconfirmed and its link is mailed in the transaction that makes the member
    (docs/security.md, "Confirming addresses").
    """
    key = username_key(form.username)
    taken = FormErrors(
        {"username": "That username is taken. Please choose another."},
        {"username": form.username, "display_name": form.display_name, "email": form.email},
    )
    if await Member.exists().where(Member.username_key == key) or await _retired(key):
        raise taken
    await display_names.check_display_name(form.display_name, taken.values)
    password_hash = await passwords.hash_password(form.password)
    try:
        async with transaction():
            row = await _insert_member(form, key, password_hash, role, state, confirm, setup_code)
    except site.WrongSetupCode as exc:
        raise FormErrors({"setup_code": str(exc)}, {**taken.values, "setup_code": setup_code}) from exc
    except Exception as exc:
        # Two people registering the same name at once: the unique index decides.
        if is_unique_violation(exc):
            raise taken from exc
        raise
    return actor_from_row(row)


async def _insert_member(
    form: Registration,
    key: str,
    password_hash: str,
    role: Role,
    state: MemberState,
    confirm: AddressCheck | None,
    setup_code: str,
) -> dict[str, Any]:
    now = utcnow()
    row: dict[str, Any] = (
        await Member.insert(
            Member(
                username=form.username,
                username_key=key,
                display_name=form.display_name,
                email=form.email,
                email_confirmed=confirm is None,
                password_hash=password_hash,
                role=role,
                state=state,
                session_epoch=secrets.randbelow(SESSION_EPOCH_START_LIMIT),
                created_at=now,
                # A new member's digests count from the day they join (services/mailings.py).
                news_mailed_at=now,
                review_mailed_at=now,
                prayer_list_mailed_at=now,
            )
        ).returning(*Member.all_columns())
    )[0]
    if role == Role.ADMIN:
        await site.forget_setup_code()  # ``prayerboard create-admin`` made the board's admin
    elif role == Role.MEMBER and await site.claim_first_member(setup_code):
        # Whoever installed the board, with the code from its log, runs it (docs/security.md,
        # "The first member").
        await Member.update({Member.role: Role.ADMIN, Member.state: MemberState.ACTIVE}).where(Member.id == row["id"])
        row = {**row, "role": Role.ADMIN, "state": MemberState.ACTIVE}
    if confirm is not None:
        await confirm.send_link(row["id"], row["email"])
    return row


def counter_key(kind: str, value: str) -> str:
    """A shared counter's key for ``value`` (a name or an address as typed): short and fixed.

    Whatever was typed, the key fits the counter's column: a 200-character name whose case
    folding doubles it, or a 300-character forwarded address, is a digest like any other.
    """
    digest = hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return f"{kind}:{digest}"


# ---------------------------------------------------------------------------------------------
# Device cookies (OWASP "Slow down online guessing attacks with device cookies")

DEVICE_COOKIE = "prayerboard_device"
DEVICE_COOKIE_DAYS = 365  # a browser someone signs in from now and then stays trusted a year
DEVICE_COOKIE_ACCOUNTS = 4  # a family computer: a few accounts per browser, newest first
_DEVICE_SIGNATURE_BYTES = 16  # 128-bit HMAC tag: not forgeable, short enough for a cookie
_DEVICE_NONCE_BYTES = 12


def _device_signature(secret_key: str, member_id: int, nonce: str) -> str:
    # A key of its own, derived from the secret key, so no other signature can pass for this one.
    key = hashlib.sha256(b"prayerboard device cookie\x00" + secret_key.encode()).digest()
    tag = hmac.new(key, f"{member_id}.{nonce}".encode(), hashlib.sha256).digest()[:_DEVICE_SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(tag).decode().rstrip("=")


def _device_tokens(cookie: str | None) -> list[tuple[int, str, str]]:
    tokens = []
    for token in (cookie or "").split("~")[:DEVICE_COOKIE_ACCOUNTS]:
        parts = token.split(".")
        if len(parts) == 3 and parts[0].isdecimal() and len(parts[0]) < 20:
            tokens.append((int(parts[0]), parts[1], parts[2]))
    return tokens


def trusted_device(secret_key: str, cookie: str | None, member_id: int) -> str | None:
    """The nonce of a valid device token for ``member_id`` in ``cookie``, or None."""
    for token_member, nonce, signature in _device_tokens(cookie):
        if token_member == member_id and hmac.compare_digest(
            signature, _device_signature(secret_key, member_id, nonce)
        ):
            return nonce
    return None


def device_cookie_after_sign_in(secret_key: str, cookie: str | None, member_id: int) -> str:
    """The device cookie for a browser that just signed in to ``member_id``.

    A browser that already held a token for the account keeps it (its count of failures goes
    with it); others get a fresh one. Tokens for other accounts are kept, newest first.
    """
    nonce = trusted_device(secret_key, cookie, member_id) or secrets.token_urlsafe(_DEVICE_NONCE_BYTES)
    mine = f"{member_id}.{nonce}.{_device_signature(secret_key, member_id, nonce)}"
    others = [".".join((str(m), n, sig)) for m, n, sig in _device_tokens(cookie) if m != member_id]
    return "~".join([mine, *others][:DEVICE_COOKIE_ACCOUNTS])


# ---------------------------------------------------------------------------------------------
# Sign-in


@dataclass(frozen=True)
class SignInAttempt:
    """Who is trying to sign in from where, and the device cookie their browser sent."""

    credentials: Credentials
    address: str
    device_cookie: str | None = None


# A trusted browser may sign in this many times the failure limit per window, successes
# included: far more than a person signs in, far fewer than a flood of password checks.
DEVICE_ATTEMPTS_FACTOR = 4


class TypedTargetThrottle:
    """Requests for something mailed (a reset link, a confirmation link) counted per client
    address and per name or address typed.

    Counted like sign-in (``LoginThrottle``), before anything is looked up, and on what was
    typed rather than on an account found, so a refusal says nothing about who exists. Each
    kind of request has its own counters (``prefix``) and words (``refusal``).
    """

    prefix: ClassVar[str]
    refusal: ClassVar[str]

    def __init__(self, counters: Counters, per_target: int, per_address: int, window_seconds: int) -> None:
        self.counters = counters
        self.per_target = per_target
        self.per_address = per_address
        self.window_seconds = window_seconds

    @classmethod
    def with_sign_in_limits(cls, counters: Counters, settings: Settings) -> Self:
        return cls(
            counters,
            per_target=settings.login_failures_per_account,
            per_address=settings.login_failures_per_address,
            window_seconds=settings.login_failure_window_seconds,
        )

    async def count(self, target: str, address: str) -> None:
        for key, limit in (
            (counter_key(f"{self.prefix}:address", address), self.per_address),
            (counter_key(f"{self.prefix}:target", target.casefold()), self.per_target),
        ):
            count, remaining = await self.counters.hit(key, self.window_seconds)
            if count > limit:
                raise Throttled(f"{self.refusal} Please {try_again_in(remaining)}.", retry_after=remaining)


class LoginThrottle:
    """Sign-in attempts counted in a shared store before any password is checked.

    Untrusted attempts (no valid device cookie for the account) are counted per account and per
    client address; attempts from a browser holding a device cookie for the account are
    counted per device cookie only. So an attacker's guesses throttle the untrusted way in, and
    the owner's browser, which signed in before, still gets through (docs/security.md, "Sign-in
    and floods").
    """

    def __init__(self, counters: Counters, per_account: int, per_address: int, window_seconds: int) -> None:
        self.counters = counters
        self.per_account = per_account
        self.per_address = per_address
        self.window_seconds = window_seconds

    def _account_key(self, username: str) -> str:
        return counter_key("login:account", username_key(username))

    async def count(self, username: str, address: str, device_nonce: str | None) -> None:
        """Count this attempt, then refuse it with a retry time if it is over a limit.

        Each count is one atomic increment-and-read, so concurrent guesses cannot all slip
        under the limit; an attempt over the limit is refused before its password is checked.
        """
        if device_nonce is not None:
            limits = (
                (counter_key("login:device", device_nonce), self.per_account),
                # Every attempt, the right password too, and never reset: a trusted browser must
                # not turn its own account into a machine for argon2 checks and new sessions.
                (counter_key("login:device-all", device_nonce), self.per_account * DEVICE_ATTEMPTS_FACTOR),
            )
        else:
            limits = (
                # The address first: an address over its limit adds no row for each name it tries.
                (counter_key("login:address", address), self.per_address),
                (self._account_key(username), self.per_account),
            )
        for key, limit in limits:
            count, remaining = await self.counters.hit(key, self.window_seconds)
            if count > limit:
                raise Throttled(
                    f"Too many failed sign-ins. Please {try_again_in(remaining)}.",
                    retry_after=remaining,
                )

    async def succeeded(self, username: str, device_nonce: str | None) -> None:
        """The right password: the account's (or this device's) count starts again."""
        key = counter_key("login:device", device_nonce) if device_nonce is not None else self._account_key(username)
        await self.counters.reset(key)


class AddressNotConfirmed(FormErrors):
    """The right password, for a member who has not confirmed the address they joined with."""

    status_code = 403

    def __init__(self, username: str) -> None:
        super().__init__({"username": ADDRESS_NOT_CONFIRMED}, {"username": username})


# The site setting ``prayerboard demo`` writes: "1" on a board that holds only the demo's members.
DEMO_BOARD_SETTING = "demo"


async def password_hash_to_check(stored_hash: str | None) -> str | None:
    """The hash a password is checked against: a demo member's opens only on a board marked as a demo.

    Elsewhere the marked hash is returned as it is, which no password matches
    (``passwords.DEMO_HASH_MARK``); the check still costs one full verification.
    """
    if stored_hash is None or not stored_hash.startswith(passwords.DEMO_HASH_MARK):
        return stored_hash
    demo_board = await SiteSetting.exists().where((SiteSetting.key == DEMO_BOARD_SETTING) & (SiteSetting.value == "1"))
    return stored_hash.removeprefix(passwords.DEMO_HASH_MARK) if demo_board else stored_hash


async def authenticate(
    attempt: SignInAttempt, throttle: LoginThrottle, secret_key: str, confirmed_only: bool = False
) -> Actor:
    """Check a username and password; the same message and cost whether or not the account exists.

    The attempt is counted before the password is checked (``LoginThrottle.count``). Every
    attempt that is not throttled runs one full password verification, for an unknown name, a
    deleted or suspended account and a wrong password alike, so neither the answer nor its
    timing tells them apart. A member suspended as "the author of post N" cannot sign in either.
    With ``confirmed_only`` (the board asks new members to confirm their address), the right
    password of a member who has not confirmed it is answered ``AddressNotConfirmed``: only
    someone who knows the password learns that the account waits.
    """
    credentials = attempt.credentials
    row = await Member.select().where(Member.username_key == username_key(credentials.username)).first()
    device_nonce = trusted_device(secret_key, attempt.device_cookie, row["id"]) if row else None
    await throttle.count(credentials.username, attempt.address, device_nonce)
    checked_hash = await password_hash_to_check(row["password_hash"] if row else None)
    ok = await passwords.verify_password(checked_hash, credentials.password)
    if ok and row is not None and await restricted_state(row["id"]) == MemberState.SUSPENDED:
        ok = False
    if not ok or row is None or row["state"] in GONE:
        raise FormErrors({"password": GENERIC_LOGIN_ERROR}, {"username": credentials.username})
    await throttle.succeeded(credentials.username, device_nonce)
    if confirmed_only and not row["email_confirmed"]:
        raise AddressNotConfirmed(row["username"])
    if checked_hash is not None and passwords.needs_rehash(checked_hash):
        new_hash = await passwords.hash_password(credentials.password)
        if checked_hash != row["password_hash"]:  # a demo member stays one
            new_hash = passwords.DEMO_HASH_MARK + new_hash
        await Member.update({Member.password_hash: new_hash}).where(Member.id == row["id"])
    return actor_from_row(row)


async def load_actor(member_id: int, session_epoch: int = 0, signed_in_at: float | None = None) -> Actor | None:
    """The member behind a session, or None when the account can no longer be used.

    A session signed in before the member's sessions were ended (``session_epoch`` bumped by a
    suspension or deletion) is dead for good, even after the account is restored. Since every
    account starts at its own random epoch, the epoch also ties the session to the account it
    was made for: a session of a deleted member matches no later member, even one that had
    somehow been given the same id (docs/privacy.md, "Ids").
    """
    row = (
        await Member.select(
            Member.id, Member.username, Member.display_name, Member.role, Member.state, Member.session_epoch
        )
        .where(Member.id == member_id)
        .first()
    )
    if row is None or row["state"] in GONE or row["session_epoch"] != session_epoch:
        return None
    restricted = await restricted_state(member_id, signed_in_at)
    if restricted == MemberState.SUSPENDED:
        return None
    if restricted == MemberState.SILENCED and row["state"] == MemberState.ACTIVE:
        row["state"] = MemberState.SILENCED
    return actor_from_row(row)


async def restricted_state(member_id: int, signed_in_at: float | None = None) -> MemberState | None:
    """The strictest restriction placed on this member as "the author of post N", if any.

    Such restrictions never change the member's own row (docs/privacy.md, "Acting on an
    anonymous author"), so they are applied here, where a session becomes an actor. For a
    session signed in at ``signed_in_at`` (Unix seconds), a suspension placed after that
    counts even once lifted: a suspension ends every session for good, as one of the member
    does (docs/privacy.md, "Sessions").
    """
    in_effect: Any = AuthorRestriction.status == RestrictionStatus.ACTIVE
    if signed_in_at is not None:
        since = dt.datetime.fromtimestamp(signed_in_at, dt.UTC)
        in_effect = in_effect | (
            (AuthorRestriction.action == RestrictionAction.SUSPEND)
            & (AuthorRestriction.created_at > since)
            & (AuthorRestriction.status == RestrictionStatus.LIFTED)
        )
    actions = {
        row["action"]
        for row in await AuthorRestriction.select(AuthorRestriction.action).where(
            (AuthorRestriction.member == member_id) & in_effect
        )
    }
    if RestrictionAction.SUSPEND in actions:
        return MemberState.SUSPENDED
    if RestrictionAction.SILENCE in actions:
        return MemberState.SILENCED
    return None
