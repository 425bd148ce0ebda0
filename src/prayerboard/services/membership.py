"""Who may join (docs/privacy.md, "Who may join"): registering under the board's join policy,
invitation links, and the applicants a moderator approves or declines.

- "open": anyone who registers is a member at once.
- "approval": a new member is "pending" (a visitor as far as content goes) until a moderator
  approves them; a declined applicant's account is deleted.
- "invitation": registering needs a single-use invitation link that an admin or moderator made.
  Only a hash of the token is stored; the link is shown once, to its maker.

The invitation is checked before anything else in the form, so someone without one learns
nothing, not even whether a username is taken. On a members-only board that admits others
("open" or "approval"), the registration form is the one place left that can tell whether a
username exists; each refusal for a taken name counts against the client's address, as failed
sign-ins do, so the form cannot be used to list the members.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from prayerboard.db import transaction
from prayerboard.forms import FormErrors, Registration, clean_text, parse_registration
from prayerboard.policy import Actor
from prayerboard.services import accounts, utcnow
from prayerboard.services.errors import NotFound, ServiceError, Throttled, try_again_in
from prayerboard.services.moderation.log import Target, record, require_moderator
from prayerboard.services.site import SiteSettings
from prayerboard.stores import Counters
from prayerboard.tables import Invitation, Member
from prayerboard.vocab import MemberState, TargetKind

INVITATION_TOKEN_BYTES = 24  # 192 bits: not guessable, short enough for a link in a message
INVITATION_NOTE_MAX = 200


INVITATION_NEEDED = (
    "This board is by invitation only. Please ask an admin or moderator for an invitation link; "
    "each link works once, and only until it expires."
)


class InvitationRefused(ServiceError):
    """No invitation, or one that is used, revoked or expired: the same answer for each."""

    status_code = 403

    def __init__(self) -> None:
        super().__init__(INVITATION_NEEDED)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Invitations


@dataclass(frozen=True)
class NewInvitation:
    """An invitation just made: the token is known here, once, and never again."""

    id: int
    token: str
    expires_at: dt.datetime


async def create_invitation(actor: Actor, note: str, days: int) -> NewInvitation:
    """Make a single-use invitation that expires after ``days``; logged in the same transaction."""
    require_moderator(actor)
    if len(note) > INVITATION_NOTE_MAX:
        raise FormErrors({"note": f"Please keep the note under {INVITATION_NOTE_MAX} characters."}, {"note": note})
    token = secrets.token_urlsafe(INVITATION_TOKEN_BYTES)
    now = utcnow()
    expires_at = now + dt.timedelta(days=days)
    async with transaction():
        row = (
            await Invitation.insert(
                Invitation(
                    token_hash=_token_hash(token), note=note, created_by=actor.id, created_at=now, expires_at=expires_at
                )
            ).returning(Invitation.id)
        )[0]
        await record(actor, "invite", Target(TargetKind.INVITE, row["id"]), None, note)
    return NewInvitation(id=row["id"], token=token, expires_at=expires_at)


InvitationStatus = Literal["open", "used", "revoked", "expired"]


@dataclass(frozen=True, slots=True)
class InvitationView:
    """An invitation as moderators list it: never its token (none is kept)."""

    id: int
    note: str
    created_at: dt.datetime
    expires_at: dt.datetime
    status: InvitationStatus
    created_by_username: str | None  # None: the maker's account is gone


def _status(row: Mapping[str, Any], now: dt.datetime) -> InvitationStatus:
    if row["used_at"] is not None:
        return "used"
    if row["revoked"]:
        return "revoked"
    if row["expires_at"] <= now:
        return "expired"
    return "open"


async def invitations(actor: Actor) -> list[InvitationView]:
    """Every invitation, newest first, with its status; never a token (none is kept)."""
    require_moderator(actor)
    rows: list[dict[str, Any]] = await Invitation.select(
        Invitation.id,
        Invitation.note,
        Invitation.created_at,
        Invitation.expires_at,
        Invitation.used_at,
        Invitation.revoked,
        Invitation.created_by.username.as_alias("created_by_username"),
    ).order_by(Invitation.id, ascending=False)
    now = utcnow()
    return [
        InvitationView(
            id=row["id"],
            note=row["note"],
            created_at=row["created_at"],
            expires_at=row["expires_at"],
            status=_status(row, now),
            created_by_username=row["created_by_username"],
        )
        for row in rows
    ]


async def revoke_invitation(actor: Actor, invitation_id: int) -> None:
    """Make an unused invitation unusable; logged in the same transaction."""
    require_moderator(actor)
    async with transaction():
        revoked = (
            await Invitation.update({Invitation.revoked: True})
            .where(
                (Invitation.id == invitation_id) & Invitation.used_at.is_null() & (Invitation.revoked == False)  # noqa: E712
            )
            .returning(Invitation.id)
        )
        if not revoked:
            raise NotFound("That invitation is not open any more, or never was.")
        await record(actor, "revoke_invite", Target(TargetKind.INVITE, invitation_id), None, "")


def _usable(token: str) -> Any:
    return (
        (Invitation.token_hash == _token_hash(token))
        & Invitation.used_at.is_null()
        & (Invitation.revoked == False)  # noqa: E712
        & (Invitation.expires_at > utcnow())
    )


async def check_invitation(site: SiteSettings, token: str | None) -> None:
    """On an invitation-only board, refuse unless ``token`` is an open invitation."""
    if site.join_policy != "invitation":
        return
    if not token or not await Invitation.exists().where(_usable(token)):
        raise InvitationRefused()


# ---------------------------------------------------------------------------------------------
# Joining


REGISTRATION_WINDOW_SECONDS = 3600  # registrations per address are counted per hour


@dataclass(frozen=True)
class JoinLimits:
    """How often one client address may try to join, counted in the shared store.

    Every registration that gets past the form counts against ``registrations_per_hour``: each
    new account costs a password hash, and a stream of sign-ups from one place is a flood, not
    a congregation. On a members-only board, refusals for a taken username also count against
    ``taken_per_address`` per ``taken_window_seconds``, so the form cannot list the members.
    """

    counters: Counters
    taken_per_address: int
    taken_window_seconds: int
    registrations_per_hour: int

    def taken_key(self, address: str) -> str:
        return accounts.counter_key("join:taken", address)

    async def check_taken(self, address: str) -> None:
        count, remaining = await self.counters.peek(self.taken_key(address))
        if count >= self.taken_per_address:
            raise Throttled(f"Too many attempts to join. Please {try_again_in(remaining)}.", retry_after=remaining)

    async def count_registration(self, address: str) -> None:
        """Count this attempt (one atomic increment) and refuse it when over the hour's limit."""
        count, remaining = await self.counters.hit(
            accounts.counter_key("join:address", address), REGISTRATION_WINDOW_SECONDS
        )
        if count > self.registrations_per_hour:
            raise Throttled(
                f"Too many new accounts from your network. Please {try_again_in(remaining)}.", retry_after=remaining
            )


async def join(
    raw: Mapping[str, Any],
    site: SiteSettings,
    token: str | None,
    address: str,
    limits: JoinLimits,
    confirm: accounts.AddressCheck | None = None,
) -> Actor:
    """Register under the board's join policy; the new member's actor ("pending" on approval boards).

    The invitation is checked before the form is even read; the attempt is counted against the
    address before any name is looked up or password hashed. When the board asks new members to
    confirm their address, ``confirm`` mails the link, whichever way they joined: an invitation
    is a link a moderator passed on, and says nothing about the address typed here.
    """
    confirm = confirm if site.confirm_email else None
    await check_invitation(site, token)
    form = parse_registration(raw)
    # On a members-only board a refused name tells a stranger that someone by that name is
    # here: such refusals are counted per address, with or without an invitation.
    probing_matters = site.members_only
    if probing_matters:
        await limits.check_taken(address)
    await limits.count_registration(address)
    try:
        if site.join_policy == "invitation":
            return await _join_by_invitation(form, token or "", confirm)
        state = MemberState.PENDING if site.join_policy == "approval" else MemberState.ACTIVE
        setup_code = clean_text(raw.get("setup_code"), multiline=False)
        return await accounts.register(form, state=state, confirm=confirm, setup_code=setup_code)
    except FormErrors as exc:
        if probing_matters and "username" in exc.errors:
            await limits.counters.hit(limits.taken_key(address), limits.taken_window_seconds)
        raise


async def _join_by_invitation(form: Registration, token: str, confirm: accounts.AddressCheck | None) -> Actor:
    # Claim the invitation first, in one statement, so two people with one link cannot both join;
    # give it back if the account cannot be made (a taken name, say).
    claimed = await Invitation.update({Invitation.used_at: utcnow()}).where(_usable(token)).returning(Invitation.id)
    if not claimed:
        raise InvitationRefused()
    invitation_id = claimed[0]["id"]
    try:
        actor = await accounts.register(form, confirm=confirm)
    except BaseException:
        await Invitation.update({Invitation.used_at: None}).where(Invitation.id == invitation_id)
        raise
    await Invitation.update({Invitation.used_by: actor.id}).where(Invitation.id == invitation_id)
    return actor


# ---------------------------------------------------------------------------------------------
# Applicants


@dataclass(frozen=True, slots=True)
class Applicant:
    """Someone waiting for approval, as moderators list them."""

    id: int
    username: str
    display_name: str
    created_at: dt.datetime


async def applicants(actor: Actor) -> list[Applicant]:
    """Members waiting for approval, oldest first."""
    require_moderator(actor)
    rows: list[dict[str, Any]] = (
        await Member.select(Member.id, Member.username, Member.display_name, Member.created_at)
        .where(Member.state == MemberState.PENDING)
        .order_by(Member.id)
    )
    return [
        Applicant(id=r["id"], username=r["username"], display_name=r["display_name"], created_at=r["created_at"])
        for r in rows
    ]


async def _pending(member_id: int) -> None:
    """Refuse unless the member is still waiting for approval."""
    if not await Member.exists().where((Member.id == member_id) & (Member.state == MemberState.PENDING)):
        raise NotFound("That applicant is not waiting any more.")


async def approve_applicant(actor: Actor, member_id: int, reason: str) -> None:
    """Let an applicant in as a member; logged in the same transaction."""
    require_moderator(actor)
    async with transaction():
        await _pending(member_id)
        await Member.update({Member.state: "active"}).where(Member.id == member_id)
        await record(actor, "approve_member", Target.member(member_id), member_id, reason)


async def decline_applicant(actor: Actor, member_id: int, reason: str) -> None:
    """Turn an applicant away: their account is deleted (they could write nothing while waiting).

    The log keeps the decision, not the person: the member column empties with the row.
    """
    require_moderator(actor)
    async with transaction():
        await _pending(member_id)
        await record(actor, "decline_member", Target.member(member_id), member_id, reason)
        await Member.delete().where(Member.id == member_id)
