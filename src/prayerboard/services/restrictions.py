"""Restrictions on "the author of post #N": silence or suspend whoever wrote a post, unseen.

docs/privacy.md, "Acting on an anonymous author". A restriction is its own row
(``AuthorRestriction``); the member's own row, pages and profile never change, and
``accounts.load_actor`` applies it where a session becomes an actor. To a moderator a
restriction exists only as "the author of post #N" and looks the same whether it took effect
or waits for an admin. Placing one does the same work, writes the same rows and gets the same
answer whoever the author is: an ordinary member, a moderator, an admin, a deleted account,
someone already restricted. Only admins see which restrictions wait for them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from prayerboard import policy
from prayerboard.db import transaction
from prayerboard.policy import MODERATOR_ROLES, Actor, can
from prayerboard.services import utcnow
from prayerboard.services.errors import NotFound
from prayerboard.services.moderation.log import CONFIRM_ACTION, LIFT_ACTION, Notice, Target, record, require_moderator
from prayerboard.tables import AuthorRestriction, Post
from prayerboard.vocab import RestrictionAction, RestrictionStatus

# The actions as the post's moderation page names them, and the restriction each places.
AUTHOR_ACTIONS = {f"{action}_author": action for action in RestrictionAction}
IN_PLACE = ["active", "awaiting_admin"]
_EFFECTS = {"silence": "pause your posting and replies", "suspend": "suspend your account"}
_DONE = {"silence": "paused your posting and replies", "suspend": "suspended your account"}


def _is_admin(actor: Actor) -> bool:
    return can(actor, "confirm_author_restriction")


def _require_admin(actor: Actor | None) -> Actor:
    return policy.require(
        actor, "confirm_author_restriction", refusal="Only an admin can confirm or decline a restriction."
    )


@dataclass(frozen=True, slots=True)
class PlacedRestriction:
    """A restriction in place on the author of a post, as that post's moderation page lists it.

    It has no status: to a moderator every restriction reads the same. ``awaiting_admin`` is
    True only for an admin reader, on one that waits for them.
    """

    id: int
    action: RestrictionAction
    reason: str
    created_at: dt.datetime
    by: str | None  # None: the moderator's account is gone
    awaiting_admin: bool


@dataclass(frozen=True, slots=True)
class WaitingRestriction:
    """A restriction waiting for an admin (admins only): it names the post, never the member."""

    id: int
    post: int | None  # None once the post is deleted; ``post_public_id`` is kept
    post_public_id: str
    action: RestrictionAction
    reason: str
    created_at: dt.datetime
    by: str | None


@dataclass(frozen=True, slots=True)
class _Restriction:
    """A restriction as confirming, declining or lifting it reads it (the author is told)."""

    id: int
    post: int | None
    post_public_id: str
    member: int | None
    action: RestrictionAction
    reason: str


async def restrict_author(actor: Actor | None, post_id: int, action: str, reason: str) -> None:
    """Silence or suspend "the author of post #N", with its log entry, in one transaction.

    When the author is a moderator or an admin and the actor is not an admin, the restriction
    waits for an admin; nothing a moderator can see tells the two apart. No branch here skips
    a query for some authors: the same three rows are written every time.
    """
    moderator = require_moderator(actor)
    if action not in RestrictionAction.values():
        raise NotFound()
    async with transaction():
        post = (
            await Post.select(
                Post.id, Post.public_id, Post.title, Post.author, Post.author.role.as_alias("author_role")
            )
            .where(Post.id == post_id)
            .first()
        )
        if post is None:
            raise NotFound()
        waits = post["author_role"] in MODERATOR_ROLES and not _is_admin(moderator)
        await AuthorRestriction.insert(
            AuthorRestriction(
                post=post_id,
                post_public_id=post["public_id"],
                member=post["author"],
                action=action,
                status="awaiting_admin" if waits else "active",
                reason=reason,
                created_by=moderator.id,
                created_at=utcnow(),
            )
        )
        if waits:
            text = (
                f"A moderator has asked an admin to {_EFFECTS[action]} because of your post “{post['title']}”: {reason}"
            )
        else:
            text = f"A moderator has {_DONE[action]} because of your post “{post['title']}”: {reason}"
        # The entry names the post, never the member; only the author reads the notice, and a
        # deleted account's copy is read by no one.
        notice = Notice(text, f"/posts/{post['public_id']}")
        await record(moderator, f"{action}_author", Target.post(post_id), None, reason, notice, post["author"])


async def on_post(actor: Actor | None, post_id: int) -> list[PlacedRestriction]:
    """The restrictions in place on the author of this post, oldest first.

    Admins also learn which ones wait for them (``awaiting_admin``); to moderators every
    restriction reads the same.
    """
    moderator = require_moderator(actor)
    rows: list[dict[str, Any]] = (
        await AuthorRestriction.select(
            AuthorRestriction.id,
            AuthorRestriction.action,
            AuthorRestriction.status,
            AuthorRestriction.reason,
            AuthorRestriction.created_at,
            AuthorRestriction.created_by.username.as_alias("by"),
        )
        .where((AuthorRestriction.post == post_id) & AuthorRestriction.status.is_in(IN_PLACE))
        .order_by(AuthorRestriction.id)
    )
    admin = _is_admin(moderator)
    return [
        PlacedRestriction(
            id=row["id"],
            action=RestrictionAction(row["action"]),
            reason=row["reason"],
            created_at=row["created_at"],
            by=row["by"],
            awaiting_admin=admin and row["status"] == RestrictionStatus.AWAITING_ADMIN,
        )
        for row in rows
    ]


async def lift(actor: Actor | None, post_id: int, restriction_id: int | None, reason: str) -> None:
    """Lift a restriction on the author of this post, whether or not it had taken effect."""
    moderator = require_moderator(actor)
    await _end(
        moderator,
        restriction_id,
        reason,
        (AuthorRestriction.post == post_id) & AuthorRestriction.status.is_in(IN_PLACE),
    )


async def awaiting(actor: Actor | None) -> list[WaitingRestriction]:
    """Admins: restrictions a moderator placed on a moderator's or an admin's post, oldest first."""
    _require_admin(actor)
    rows: list[dict[str, Any]] = (
        await AuthorRestriction.select(
            AuthorRestriction.id,
            AuthorRestriction.post,
            AuthorRestriction.post_public_id,
            AuthorRestriction.action,
            AuthorRestriction.reason,
            AuthorRestriction.created_at,
            AuthorRestriction.created_by.username.as_alias("by"),
        )
        .where(AuthorRestriction.status == "awaiting_admin")
        .order_by(AuthorRestriction.id)
    )
    return [
        WaitingRestriction(
            id=row["id"],
            post=row["post"],
            post_public_id=row["post_public_id"],
            action=RestrictionAction(row["action"]),
            reason=row["reason"],
            created_at=row["created_at"],
            by=row["by"],
        )
        for row in rows
    ]


async def confirm(actor: Actor | None, restriction_id: int | None, reason: str) -> None:
    """Admins: let a waiting restriction take effect. Logged against the post, never the member.

    The entry is one moderators do not see (``ADMIN_ONLY_LOG_ACTIONS``): only a privileged
    author's restriction is ever confirmed.
    """
    admin = _require_admin(actor)
    async with transaction():
        row = await _waiting_or_in_place(restriction_id, AuthorRestriction.status == "awaiting_admin")
        await AuthorRestriction.update({AuthorRestriction.status: "active"}).where(AuthorRestriction.id == row.id)
        notice = Notice(f"An admin has {_DONE[row.action]}: {row.reason}")
        await record(admin, CONFIRM_ACTION, Target.post(row.post or 0), None, reason or "confirmed", notice, row.member)


async def decline(actor: Actor | None, restriction_id: int | None, reason: str) -> None:
    """Admins: drop a waiting restriction. Moderators see it as any lift by an admin."""
    await _end(_require_admin(actor), restriction_id, reason, AuthorRestriction.status == "awaiting_admin")


async def _waiting_or_in_place(restriction_id: int | None, condition: Any) -> _Restriction:
    row: dict[str, Any] | None = None
    if restriction_id is not None:
        row = (
            await AuthorRestriction.select(
                AuthorRestriction.id,
                AuthorRestriction.post,
                AuthorRestriction.post_public_id,
                AuthorRestriction.member,
                AuthorRestriction.action,
                AuthorRestriction.reason,
            )
            .where((AuthorRestriction.id == restriction_id) & condition)
            .first()
        )
    if row is None:
        raise NotFound()
    return _Restriction(
        id=row["id"],
        post=row["post"],
        post_public_id=row["post_public_id"],
        member=row["member"],
        action=RestrictionAction(row["action"]),
        reason=row["reason"],
    )


async def _end(moderator: Actor, restriction_id: int | None, reason: str, condition: Any) -> None:
    async with transaction():
        row = await _waiting_or_in_place(restriction_id, condition)
        await AuthorRestriction.update(
            {AuthorRestriction.status: "lifted", AuthorRestriction.lifted_at: utcnow()}
        ).where(AuthorRestriction.id == row.id)
        notice = Notice(
            "A moderator has lifted a restriction placed because of your post.",
            f"/posts/{row.post_public_id}" if row.post else "",
        )
        await record(moderator, LIFT_ACTION, Target.post(row.post or 0), None, reason, notice, row.member)
