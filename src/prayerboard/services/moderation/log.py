"""The moderation log and the notices authors get (docs/moderation.md, "The log").

Every moderator action writes one log entry, in the action's own transaction, and most tell
the member concerned what happened and why; ``record`` writes both together, so no path can
act without leaving a record or tell an author without logging it. A notice never names an
anonymous author to anyone but that author.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from prayerboard import policy
from prayerboard.forms import FormErrors, clean_text
from prayerboard.policy import Actor, can
from prayerboard.rows import to_the_hour
from prayerboard.services import notifications, utcnow
from prayerboard.tables import ModerationLogEntry, Notification, Post, Reply
from prayerboard.vocab import TargetKind

REASON_MAX = 1000
# Restrictions on "the author of post #N" (services/restrictions.py) are logged under these.
LIFT_ACTION = "lift_author_restriction"
CONFIRM_ACTION = "confirm_author_restriction"
# Entries moderators do not see: only a moderator's or an admin's restriction is ever
# confirmed, so the entry would tell who wrote the post (docs/privacy.md, "Acting on an
# anonymous author").
ADMIN_ONLY_LOG_ACTIONS = [CONFIRM_ACTION]
MODERATORS_ONLY = "Only moderators can do that."


@dataclass(frozen=True, slots=True)
class Target:
    """What a log entry is about: a post, a reply or a member by row id (or a board list)."""

    kind: TargetKind
    id: int

    @classmethod
    def post(cls, post_id: int) -> Target:
        return cls(TargetKind.POST, post_id)

    @classmethod
    def reply(cls, reply_id: int) -> Target:
        return cls(TargetKind.REPLY, reply_id)

    @classmethod
    def member(cls, member_id: int) -> Target:
        return cls(TargetKind.MEMBER, member_id)


@dataclass(frozen=True, slots=True)
class Notice:
    """What the member concerned reads in the app, and where it leads."""

    text: str
    link: str = ""


def require_moderator(actor: Actor | None) -> Actor:
    """The actor, if they may moderate; visitors are sent to sign in, others refused."""
    return policy.require(actor, "moderate", refusal=MODERATORS_ONLY)


def clean_reason(raw: Any, required: bool = True) -> str:
    """A moderator's reason from a form: one text, at most ``REASON_MAX`` characters."""
    reason = clean_text(raw, multiline=True)[:REASON_MAX]
    if required and not reason:
        raise FormErrors({"reason": "Please give a reason; it goes into the moderation log."}, {})
    return reason


async def notify(member_id: int | None, text: str, link: str = "") -> None:
    """Tell one member, in the app, what happened to them or to what they wrote."""
    if member_id is None:
        return
    rows = await Notification.insert(
        Notification(member=member_id, text=text, link=link, created_at=utcnow())
    ).returning(Notification.id)
    await notifications.notice_written(member_id, rows[0]["id"])


async def record(
    moderator: Actor | None,
    action: str,
    target: Target,
    member_id: int | None,
    reason: str,
    notice: Notice | None = None,
    notify_member: int | None = None,
    dated_to_the_hour: bool = False,
) -> None:
    """Append one log entry and, with ``notice``, tell the member concerned; inside the action's transaction.

    ``moderator`` None is the board itself (an automatic hide, an author's edit). ``member_id``
    is the member the entry is about, when the log may name them; the notice goes to
    ``notify_member`` when given (an anonymous author the entry must not name), else to
    ``member_id``. ``dated_to_the_hour`` for an entry the board writes because an author did
    something: the author may be anonymous, and an anonymous author's times are never finer than
    the hour on any surface, moderators' pages included (docs/privacy.md, "Times").
    """
    now = utcnow()
    await ModerationLogEntry.insert(
        ModerationLogEntry(
            moderator=moderator.id if moderator else None,
            action=action,
            target_kind=target.kind.value,
            target_id=target.id,
            member=member_id,
            reason=reason,
            created_at=to_the_hour(now) if dated_to_the_hour else now,
        )
    )
    if notice is not None:
        await notify(notify_member if notify_member is not None else member_id, notice.text, notice.link)


async def addresses(target_kind: str, target_ids: list[int]) -> dict[int, str]:
    """The public ids of posts or replies by row id; gone ones are missing."""
    table = Reply if target_kind == TargetKind.REPLY else Post
    if not target_ids:
        return {}
    rows = await table.select(table.id, table.public_id).where(table.id.is_in(sorted(set(target_ids))))
    return {row["id"]: row["public_id"] for row in rows}


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One line of the log as moderators read it.

    ``member_username`` is only ever set on an entry about a member as such: an entry about a
    post or reply names the item (``target_address``, None once it is gone), never its author,
    since that would tell who wrote an anonymous post. ``from_row`` is the one place that says so.
    """

    action: str
    target_kind: TargetKind
    target_address: str | None
    reason: str
    created_at: dt.datetime
    moderator_username: str | None  # None: the board itself, or a moderator whose account is gone
    member_username: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any], addresses: dict[TargetKind, dict[int, str]]) -> LogEntry:
        kind = TargetKind(row["target_kind"])
        return cls(
            action=row["action"],
            target_kind=kind,
            target_address=addresses.get(kind, {}).get(row["target_id"]),
            reason=row["reason"],
            created_at=row["created_at"],
            moderator_username=row["moderator_username"],
            member_username=row["member_username"] if kind == TargetKind.MEMBER else None,
        )


async def log_entries(
    actor: Actor | None,
    action: str | None = None,
    moderator: str | None = None,
    member: str | None = None,
    limit: int = 200,
) -> list[LogEntry]:
    """The moderation log, newest first, filterable by action, moderator and member (usernames).

    Entries about "the author of post #N" name the post only, so no member filter finds them.
    """
    reader = require_moderator(actor)
    query = ModerationLogEntry.select(
        ModerationLogEntry.action,
        ModerationLogEntry.target_kind,
        ModerationLogEntry.target_id,
        ModerationLogEntry.reason,
        ModerationLogEntry.created_at,
        ModerationLogEntry.moderator.username.as_alias("moderator_username"),
        ModerationLogEntry.member.username.as_alias("member_username"),
    )
    if not can(reader, "reveal_author"):
        query = query.where(ModerationLogEntry.action.not_in(ADMIN_ONLY_LOG_ACTIONS))
    if action:
        query = query.where(ModerationLogEntry.action == action)
    if moderator:
        query = query.where(ModerationLogEntry.moderator.username_key == moderator.casefold())
    if member:
        # Only entries about the member as such: matching content entries would reveal who
        # wrote an anonymous post.
        query = query.where(
            (ModerationLogEntry.member.username_key == member.casefold())
            & (ModerationLogEntry.target_kind == TargetKind.MEMBER)
        )
    rows: list[dict[str, Any]] = await query.order_by(ModerationLogEntry.id, ascending=False).limit(limit)
    # Items are named by their addresses (docs/privacy.md, "Ids"); a gone item has none.
    found = {
        kind: await addresses(kind, [r["target_id"] for r in rows if r["target_kind"] == kind])
        for kind in (TargetKind.POST, TargetKind.REPLY)
    }
    return [LogEntry.from_row(row, found) for row in rows]
