"""Accounts: registration, sign-in with throttling, and loading the signed-in actor."""

from __future__ import annotations

import datetime as dt
import secrets

from prayerboard import passwords
from prayerboard.db import is_unique_violation, transaction
from prayerboard.forms import Credentials, FormErrors, Registration
from prayerboard.policy import Actor
from prayerboard.services import display_names, utcnow
from prayerboard.services.errors import Throttled, try_again_in
from prayerboard.stores import Counters
from prayerboard.tables import AuthorRestriction, Member, RetiredUsername

GENERIC_LOGIN_ERROR = "That username and password do not match."

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


def actor_from_row(row: dict) -> Actor:
    return Actor(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        state=row["state"],
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


async def register(form: Registration, role: str = "member", state: str = "active") -> Actor:
    """Create a member; a username taken in any letter case, or retired, is refused at its field.

    A retired name gets the same words as a taken one: whether an account was deleted is
    nobody else's business.
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
        row = (
            await Member.insert(
                Member(
                    username=form.username,
                    username_key=key,
                    display_name=form.display_name,
                    email=form.email,
                    password_hash=password_hash,
                    role=role,
                    state=state,
                    session_epoch=secrets.randbelow(SESSION_EPOCH_START_LIMIT),
                    created_at=utcnow(),
                )
            ).returning(*Member.all_columns())
        )[0]
    except Exception as exc:
        # Two people registering the same name at once: the unique index decides.
        if is_unique_violation(exc):
            raise taken from exc
        raise
    return actor_from_row(row)


class LoginThrottle:
    """Failed sign-ins counted per account and per client address, in a shared store."""

    def __init__(self, counters: Counters, per_account: int, per_address: int, window_seconds: int) -> None:
        self.counters = counters
        self.per_account = per_account
        self.per_address = per_address
        self.window_seconds = window_seconds

    def _keys(self, username: str, address: str) -> tuple[str, str]:
        return f"login:account:{username_key(username)}", f"login:address:{address}"

    async def check(self, username: str, address: str) -> None:
        """Refuse with a retry time when either limit has been reached."""
        account_key, address_key = self._keys(username, address)
        for key, limit in ((account_key, self.per_account), (address_key, self.per_address)):
            count, remaining = await self.counters.peek(key)
            if count >= limit:
                raise Throttled(
                    f"Too many failed sign-ins. Please {try_again_in(remaining)}.",
                    retry_after=remaining,
                )

    async def failed(self, username: str, address: str) -> None:
        for key in self._keys(username, address):
            await self.counters.hit(key, self.window_seconds)

    async def succeeded(self, username: str) -> None:
        await self.counters.reset(self._keys(username, "")[0])


async def authenticate(credentials: Credentials, address: str, throttle: LoginThrottle) -> Actor:
    """Check a username and password; the same message and cost whether or not the account exists.

    Every attempt runs one full password verification, for an unknown name, a deleted or
    suspended account and a wrong password alike, so neither the answer nor its timing tells
    them apart. A member suspended as "the author of post N" cannot sign in either.
    """
    await throttle.check(credentials.username, address)
    row = (
        await Member.select()
        .where(Member.username_key == username_key(credentials.username))
        .first()
    )
    ok = await passwords.verify_password(row["password_hash"] if row else None, credentials.password)
    if ok and row is not None and await restricted_state(row["id"]) == "suspended":
        ok = False
    if not ok or row is None or row["state"] in {"suspended", "deleted"}:
        await throttle.failed(credentials.username, address)
        raise FormErrors({"password": GENERIC_LOGIN_ERROR}, {"username": credentials.username})
    await throttle.succeeded(credentials.username)
    if passwords.needs_rehash(row["password_hash"]):
        new_hash = await passwords.hash_password(credentials.password)
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
    if row is None or row["state"] in {"suspended", "deleted"} or row["session_epoch"] != session_epoch:
        return None
    restricted = await restricted_state(member_id, signed_in_at)
    if restricted == "suspended":
        return None
    if restricted == "silenced" and row["state"] == "active":
        row["state"] = "silenced"
    return actor_from_row(row)


async def restricted_state(member_id: int, signed_in_at: float | None = None) -> str | None:
    """The strictest restriction placed on this member as "the author of post N", if any.

    Such restrictions never change the member's own row (docs/privacy.md, "Acting on an
    anonymous author"), so they are applied here, where a session becomes an actor. For a
    session signed in at ``signed_in_at`` (Unix seconds), a suspension placed after that
    counts even once lifted: a suspension ends every session for good, as one of the member
    does (docs/privacy.md, "Sessions").
    """
    in_effect = AuthorRestriction.status == "active"
    if signed_in_at is not None:
        since = dt.datetime.fromtimestamp(signed_in_at, dt.timezone.utc)
        in_effect = in_effect | (
            (AuthorRestriction.action == "suspend") & (AuthorRestriction.created_at > since)
            & (AuthorRestriction.status == "lifted")
        )
    actions = {
        row["action"]
        for row in await AuthorRestriction.select(AuthorRestriction.action).where(
            (AuthorRestriction.member == member_id) & in_effect
        )
    }
    if "suspend" in actions:
        return "suspended"
    if "silence" in actions:
        return "silenced"
    return None


async def set_role(username: str, role: str) -> None:
    await Member.update({Member.role: role}).where(Member.username_key == username_key(username))
