"""Moderation: reports, the review queue, actions on posts, replies and members, and the log.

Every moderator action is one function that checks the policy, changes the item and writes
its log entry in the same transaction, so no path can act without leaving a record. The
author of moderated content is told in the app what happened and why, without ever being
named to anyone else.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from prayerboard.db import is_unique_violation, transaction
from prayerboard.forms import FormErrors
from prayerboard.policy import Actor, can
from prayerboard.services import utcnow
from prayerboard.services.errors import Forbidden, NotFound, Throttled, try_again_in
from prayerboard.stores import Counters
from prayerboard.tables import (
    Flag,
    Member,
    MemberNote,
    ModerationLogEntry,
    Notification,
    Post,
    Reply,
    Revision,
    WatchedWord,
)
from prayerboard.vocab import ReportReason, Role

POST_ACTIONS = ("approve", "reject", "hide", "unhide", "anonymise", "redact", "lock", "unlock", "remove", "dismiss")
REPLY_ACTIONS = ("approve", "reject", "hide", "unhide", "redact", "remove", "dismiss")
MEMBER_ACTIONS = ("silence", "suspend", "restore")
FLAG_REASON_LABELS = {
    "spam": "Spam",
    "private_details": "Shares someone's private details",
    "unkind": "Unkind or harmful",
    "danger": "Someone may be in danger",
    "other": "Other",
}
REASON_MAX = 1000
URGENT_REASON = "danger"
AUTO_HIDE_REASON = "Hidden after reports, waiting for a moderator."
FIRST_DAY = dt.timedelta(days=1)
# Whose reports count toward hiding an item at once: members at least a day old with at least
# one post that is on the board (so, where first posts wait for approval, one a moderator let
# through). Sign-ups are free, so without this three throwaway accounts could hide any post;
# their reports still reach the queue, where a moderator weighs them.
COUNTED_REPORTER_MIN_AGE = FIRST_DAY
# What the queue and the item page call each state. "Waiting for approval" is all they say of a
# held post: whether it was a first post or a watched word would narrow down its author.
STATE_LABELS = {"pending": "Waiting for approval", "hidden": "Hidden", "removed": "Removed", "visible": "Visible"}
# Restrictions on "the author of post #N" (services/restrictions.py) are logged under these.
LIFT_ACTION = "lift_author_restriction"
CONFIRM_ACTION = "confirm_author_restriction"
# Entries moderators do not see: only a moderator's or an admin's restriction is ever
# confirmed, so the entry would tell who wrote the post (docs/privacy.md, "Acting on an
# anonymous author").
ADMIN_ONLY_LOG_ACTIONS = [CONFIRM_ACTION]


@dataclass(frozen=True)
class ModerationRules:
    """Thresholds and limits from settings, with the shared counters for rate limits."""

    counters: Counters
    flag_threshold: int = 3
    approve_first_posts: int = 1
    posts_per_hour: int = 10
    replies_per_hour: int = 30
    reports_per_hour: int = 20
    first_day_divisor: int = 3  # a member's first day allows a third of each limit


async def log_action(
    moderator: Actor | None, action: str, target_kind: str, target_id: int, member_id: int | None, reason: str
) -> None:
    """Append one log entry; call it inside the action's own transaction."""
    await ModerationLogEntry.insert(
        ModerationLogEntry(
            moderator=moderator.id if moderator else None,
            action=action,
            target_kind=target_kind,
            target_id=target_id,
            member=member_id,
            reason=reason,
            created_at=utcnow(),
        )
    )


async def notify(member_id: int | None, text: str, link: str = "") -> None:
    """Tell one member, in the app, what happened to what they wrote."""
    if member_id is None:
        return
    await Notification.insert(Notification(member=member_id, text=text, link=link, created_at=utcnow()))


def require_moderator(actor: Actor | None) -> Actor:
    """The actor, if they may moderate; otherwise Forbidden."""
    if actor is None or not can(actor, "moderate"):
        raise Forbidden("Only moderators can do that.")
    return actor


def clean_reason(raw: Any, required: bool = True) -> str:
    from prayerboard.forms import clean_text

    reason = clean_text(raw, multiline=True)[:REASON_MAX]
    if required and not reason:
        raise FormErrors({"reason": "Please give a reason; it goes into the moderation log."}, {})
    return reason


# ---------------------------------------------------------------------------------------------
# Rate limits and screening of new content


async def check_rate(actor: Actor, what: str, rules: ModerationRules) -> None:
    """Count one more post, reply or report by ``actor`` this hour; refuse past the limit.

    A member's first day allows a third of each limit (at least one).
    """
    limit = {"post": rules.posts_per_hour, "reply": rules.replies_per_hour, "report": rules.reports_per_hour}[what]
    member = await Member.select(Member.created_at).where(Member.id == actor.id).first()
    if member is not None and utcnow() - member["created_at"] < FIRST_DAY:
        limit = max(1, limit // rules.first_day_divisor)
    count, remaining = await rules.counters.hit(f"rate:{what}:{actor.id}", 3600)
    if count > limit:
        raise Throttled(
            f"You have reached the limit of {limit} {what}s an hour. Please {try_again_in(remaining)}.",
            retry_after=remaining,
        )


async def screen_text(text: str) -> tuple[str | None, str | None]:
    """The strictest watched-word verdict for ``text``: ("block" | "review" | None, the word)."""
    words = await WatchedWord.select(WatchedWord.word, WatchedWord.action)
    verdict: tuple[str | None, str | None] = (None, None)
    for row in words:
        if re.search(rf"(?<!\w){re.escape(row['word'])}(?!\w)", text, re.IGNORECASE):
            if row["action"] == "block":
                return "block", row["word"]
            verdict = ("review", row["word"])
    return verdict


async def needs_first_post_approval(actor: Actor, rules: ModerationRules) -> bool:
    if rules.approve_first_posts <= 0 or actor.is_moderator:
        return False
    approved = await Post.count().where((Post.author == actor.id) & (Post.moderation == "visible"))
    return approved < rules.approve_first_posts


# ---------------------------------------------------------------------------------------------
# Reports


async def _counted_reporters(target_kind: str, target_id: int) -> int:
    """Open reports on the item whose reporters were established WHEN they reported.

    Judged at each report's own time, so throwaway accounts that report now and grow a day
    old later never start to count; a reporter no longer in good standing counts no more.
    """
    reports = await Flag.select(
        Flag.reporter,
        Flag.created_at,
        Flag.reporter.created_at.as_alias("joined"),
        Flag.reporter.state.as_alias("reporter_state"),
    ).where((Flag.target_kind == target_kind) & (Flag.target_id == target_id) & (Flag.resolved == False))  # noqa: E712
    counted = 0
    for report in reports:
        if report["reporter_state"] not in ("active", "silenced"):
            continue
        if report["created_at"] - report["joined"] < COUNTED_REPORTER_MIN_AGE:
            continue
        if await Post.exists().where(
            (Post.author == report["reporter"])
            & (Post.moderation == "visible")
            & (Post.created_at < report["created_at"])
        ):
            counted += 1
    return counted


async def flag(actor: Actor, target_kind: str, target_id: int, reason: str, note: str, rules: ModerationRules) -> None:
    """Report a post or reply; enough established reporters hide it at once, pending review.

    Every report reaches the queue; only those of members ``COUNTED_REPORTER_MIN_AGE`` old
    with a post on the board count toward ``rules.flag_threshold``.
    """
    from prayerboard.services.posts import viewable_post

    if reason not in ReportReason.values():
        raise FormErrors({"reason": "Choose a reason from the list."}, {"note": note})
    if target_kind == "reply":
        reply = (
            await Reply.select(Reply.id, Reply.post, Reply.author, Reply.moderation)
            .where(Reply.id == target_id)
            .first()
        )
        if reply is None or reply["moderation"] != "visible":
            raise NotFound()
        post = await viewable_post(actor, reply["post"])
        owner = reply["author"]
    else:
        post = await viewable_post(actor, target_id)
        owner = post["author"]
    if not can(actor, "flag", {"author": owner}):
        raise Forbidden("You cannot report this.")
    already = FormErrors({"reason": "You have already reported this. Thank you."}, {})
    if await Flag.exists().where(
        (Flag.target_kind == target_kind) & (Flag.target_id == target_id) & (Flag.reporter == actor.id)
    ):
        raise already  # before the rate limit, so a repeated click costs no report
    await check_rate(actor, "report", rules)
    table = Reply if target_kind == "reply" else Post
    async with transaction():
        # Take the item's row lock first, as ``recount_replies`` does: on PostgreSQL a report
        # made at the same moment waits here, and its count (a new statement, a fresh
        # snapshot) then includes this one, so the Nth report always sees the N-1 before it.
        await table.update({table.moderation: table.moderation}).where(table.id == target_id)
        try:
            await Flag.insert(
                Flag(
                    target_kind=target_kind,
                    target_id=target_id,
                    post=post["id"],
                    reporter=actor.id,
                    reason=reason,
                    note=note[:REASON_MAX],
                    created_at=utcnow(),
                )
            )
        except Exception as exc:
            if is_unique_violation(exc):
                raise already from exc
            raise
        reporters = await _counted_reporters(target_kind, target_id)
        if reporters >= rules.flag_threshold:
            hidden = (
                await table.update({table.moderation: "hidden", table.moderation_reason: AUTO_HIDE_REASON})
                .where((table.id == target_id) & (table.moderation == "visible"))
                .returning(table.id)
            )
            if hidden and target_kind == "reply":
                from prayerboard.services.posts import recount_replies

                await recount_replies(post["id"])
            if hidden:
                await log_action(None, "auto_hide", target_kind, target_id, owner, f"{reporters} members reported it")


# ---------------------------------------------------------------------------------------------
# Actions on posts and replies


async def _load(target_kind: str, target_id: int) -> dict[str, Any]:
    table = Reply if target_kind == "reply" else Post
    columns = [
        table.id,
        table.public_id,
        table.author,
        table.body,
        table.moderation,
        table.moderation_reason,
        table.anonymous,
    ]
    if table is Post:
        columns += [Post.title, Post.replies_locked, Post.public_id.as_alias("post_public_id")]
    else:
        columns += [Reply.post, Reply.post.public_id.as_alias("post_public_id")]
    row = await table.select(*columns).where(table.id == target_id).first()
    if row is None:
        raise NotFound()
    return row


def content_link(row: dict[str, Any], target_kind: str) -> str:
    """Where a post or reply (a ``_load`` row) is seen in place: by addresses, never row ids."""
    return f"/posts/{row['post_public_id']}" + (f"#reply-{row['public_id']}" if target_kind == "reply" else "")


async def addresses(target_kind: str, target_ids: list[int]) -> dict[int, str]:
    """The public ids of posts or replies by row id; gone ones are missing."""
    table = Reply if target_kind == "reply" else Post
    if not target_ids:
        return {}
    rows = await table.select(table.id, table.public_id).where(table.id.is_in(sorted(set(target_ids))))
    return {row["id"]: row["public_id"] for row in rows}


async def act_on_content(
    actor: Actor | None,
    target_kind: str,
    target_id: int,
    action: str,
    reason: str,
    new_body: str | None = None,
    new_title: str | None = None,
) -> None:
    """Approve, reject, hide, unhide, anonymise, redact, lock, unlock, remove or dismiss reports."""
    moderator = require_moderator(actor)
    allowed = POST_ACTIONS if target_kind == "post" else REPLY_ACTIONS
    if action not in allowed:
        raise NotFound()
    table = Reply if target_kind == "reply" else Post
    async with transaction():
        row = await _load(target_kind, target_id)
        post_id = row["id"] if target_kind == "post" else row["post"]
        link = content_link(row, target_kind)
        what = "your post" if target_kind == "post" else "your reply"
        changes: dict[Any, Any] = {}
        message = ""
        if action in ("approve", "unhide"):
            changes = {table.moderation: "visible", table.moderation_reason: ""}
            message = f"A moderator {'approved' if action == 'approve' else 'restored'} {what}."
        elif action == "hide":
            changes = {table.moderation: "hidden", table.moderation_reason: reason}
            message = f"A moderator hid {what}: {reason}"
        elif action == "reject":
            # A decision, not a pause: a rejected item leaves the queue, as a removed one does.
            changes = {table.moderation: "removed", table.moderation_reason: reason}
            message = f"A moderator declined {what}: {reason}"
        elif action == "remove":
            changes = {table.moderation: "removed", table.moderation_reason: reason}
            message = f"A moderator removed {what}: {reason}"
        elif action == "anonymise":
            changes = {Post.anonymous: True, Post.named_before_hiding: False, Post.anonymised_by_moderator: True}
            await Reply.update({Reply.anonymous: True, Reply.named_before_hiding: False}).where(
                (Reply.post == target_id) & (Reply.author == row["author"])
            )
            message = f"A moderator made {what} anonymous: {reason}"
        elif action == "redact":
            if not new_body:
                raise FormErrors({"body": "Please give the text as it should read."}, {"reason": reason})
            await Revision.insert(
                Revision(
                    target_kind=target_kind,
                    target_id=target_id,
                    title=row.get("title") or "",
                    body=row["body"],
                    editor=moderator.id,
                    by_moderator=True,
                    created_at=utcnow(),
                )
            )
            changes = {table.body: new_body, table.edited_by_moderator: True}
            if target_kind == "post" and new_title:
                changes[Post.title] = new_title
            message = f"A moderator edited {what}: {reason}"
        elif action == "dismiss" and row["moderation"] == "hidden" and row["moderation_reason"] == AUTO_HIDE_REASON:
            # The reports were unfounded: what they hid comes back, and the item leaves the queue.
            changes = {table.moderation: "visible", table.moderation_reason: ""}
        elif action in ("lock", "unlock"):
            changes = {Post.replies_locked: action == "lock"}
            message = f"A moderator {'closed' if action == 'lock' else 'reopened'} replies on your post."
        if changes:
            await table.update(changes).where(table.id == target_id)
            if target_kind == "post":
                from prayerboard.services.posts import touch

                # What the post shows changed: the feed's ``updated`` moves (docs/privacy.md, "Times").
                await touch(Post.id == target_id, action == "anonymise" or bool(row["anonymous"]))
            if target_kind == "reply" and action != "redact":
                # The post's count follows what readers can see (docs/privacy.md, "Counts").
                from prayerboard.services.posts import recount_replies

                await recount_replies(post_id)
        # Any decision settles the reports on the item.
        await Flag.update({Flag.resolved: True}).where(
            (Flag.target_kind == target_kind) & (Flag.target_id == target_id)
        )
        await log_action(moderator, action, target_kind, target_id, row["author"], reason)
        if message and action != "dismiss":
            await notify(row["author"], message, link)


# ---------------------------------------------------------------------------------------------
# Actions on members


async def act_on_member(actor: Actor | None, member_id: int, action: str, reason: str) -> None:
    """Silence, suspend or restore a member by name; suspension ends their sessions at once.

    Acting on "the author of post #N" is another thing altogether (``services/restrictions``):
    it never touches the member's row.
    """
    moderator = require_moderator(actor)
    if action not in MEMBER_ACTIONS:
        raise NotFound()
    state = {"silence": "silenced", "suspend": "suspended", "restore": "active"}[action]
    async with transaction():
        target = await Member.select(Member.id, Member.role, Member.state).where(Member.id == member_id).first()
        if target is None or target["state"] == "deleted":
            raise NotFound()
        if target["role"] in ("moderator", "admin") and actor.role != "admin":
            raise Forbidden("Only an admin can act on a moderator.")
        changes: dict[Any, Any] = {Member.state: state}
        if action == "suspend":
            # Every session of theirs ends now, and stays ended even if they are restored later.
            changes[Member.session_epoch] = Member.session_epoch + 1
        await Member.update(changes).where(Member.id == member_id)
        await log_action(moderator, action, "member", member_id, member_id, reason)
        if action != "suspend":
            await notify(
                member_id,
                {
                    "silence": f"A moderator has paused your posting and replies: {reason}",
                    "restore": "A moderator has restored your account.",
                }[action],
            )


async def reveal_author(actor: Actor | None, post_id: int, reason: str) -> dict[str, Any]:
    """Admins only: who wrote an anonymous post. Needs a reason; always logged."""
    if actor is None or not can(actor, "reveal_author"):
        raise Forbidden("Only an admin can reveal an anonymous author.")
    async with transaction():
        row = (
            await Post.select(Post.author, Post.author.username, Post.author.display_name)
            .where(Post.id == post_id)
            .first()
        )
        if row is None:
            raise NotFound()
        await log_action(actor, "reveal_author", "post", post_id, row["author"], reason)
    return {"username": row["author.username"], "display_name": row["author.display_name"]}


async def add_member_note(actor: Actor | None, member_id: int, body: str) -> None:
    moderator = require_moderator(actor)
    async with transaction():
        if not await Member.exists().where(Member.id == member_id):
            raise NotFound()
        await MemberNote.insert(MemberNote(member=member_id, author=moderator.id, body=body, created_at=utcnow()))
        await log_action(moderator, "note", "member", member_id, member_id, "private note added")


async def set_role(actor: Actor | None, member_id: int, role: str, reason: str) -> None:
    if actor is None or not can(actor, "manage_roles"):
        raise Forbidden("Only an admin can change roles.")

    if role not in Role.values():
        raise FormErrors({"role": "Choose a role from the list."}, {})
    async with transaction():
        if not await Member.exists().where(Member.id == member_id):
            raise NotFound()
        await Member.update({Member.role: role}).where(Member.id == member_id)
        await log_action(actor, f"role_{role}", "member", member_id, member_id, reason)


# ---------------------------------------------------------------------------------------------
# Reading: the queue, the log, notifications


def to_the_hour(moment: Any) -> Any:
    """An anonymous item's time, no finer than the hour (docs/privacy.md, "Times")."""
    return moment.replace(minute=0, second=0, microsecond=0) if isinstance(moment, dt.datetime) else moment


async def queue(actor: Actor | None) -> list[dict[str, Any]]:
    """Reported, pending and hidden items: urgent first, then oldest first, with waiting time and reasons."""
    require_moderator(actor)
    now = utcnow()
    items: dict[tuple[str, int], dict[str, Any]] = {}
    flags = (
        await Flag.select(Flag.target_kind, Flag.target_id, Flag.post, Flag.reason, Flag.note, Flag.created_at)
        .where(
            Flag.resolved == False  # noqa: E712
        )
        .order_by(Flag.id)
    )
    for f in flags:
        item = items.setdefault(
            (f["target_kind"], f["target_id"]),
            {
                "kind": f["target_kind"],
                "id": f["target_id"],
                "post_id": f["post"],
                "since": f["created_at"],
                "reasons": [],
                "notes": [],
                "urgent": False,
                "state": "reported",
            },
        )
        item["reasons"].append(FLAG_REASON_LABELS.get(f["reason"], f["reason"]))
        if f["note"]:
            item["notes"].append(f["note"])
        item["urgent"] = item["urgent"] or f["reason"] == URGENT_REASON
    for table, kind in ((Post, "post"), (Reply, "reply")):
        columns = [table.id, table.moderation, table.created_at, table.edited_at, table.body]
        columns.append(Post.title if table is Post else Reply.post)
        rows = await table.select(*columns).where(table.moderation.is_in(["pending", "hidden"]))
        for row in rows:
            # An edit can hold a post again (a watched word): it waits from then, as a new post
            # does from its writing, so the wait does not tell which of the two held it.
            item = items.setdefault(
                (kind, row["id"]),
                {
                    "kind": kind,
                    "id": row["id"],
                    "post_id": row["id"] if kind == "post" else row["post"],
                    "since": row["edited_at"] or row["created_at"],
                    "reasons": [],
                    "notes": [],
                    "urgent": False,
                    "state": row["moderation"],
                },
            )
            item["state"] = (
                row["moderation"] if item["state"] == "reported" and row["moderation"] != "visible" else item["state"]
            )
    for (kind, target_id), item in list(items.items()):
        try:
            row = await _load(kind, target_id)
        except NotFound:
            # Reported, then deleted by its author: nothing is left to review.
            del items[(kind, target_id)]
            continue
        item["title"] = row.get("title") or ""
        item["address"], item["post_address"] = row["public_id"], row["post_public_id"]
        item["body"] = row["body"]
        item["moderation"] = row["moderation"]
        item["state_label"] = STATE_LABELS.get(row["moderation"], row["moderation"])
        item["coarse"] = row["anonymous"]
        if row["anonymous"]:
            item["since"] = to_the_hour(item["since"])
        since = item["since"]
        item["waited"] = now - since if isinstance(since, dt.datetime) else dt.timedelta(0)
        item["waited_hours"] = int(item["waited"].total_seconds() // 3600)
    return sorted(items.values(), key=lambda i: (not i["urgent"], i["since"]))


async def waiting_count(actor: Actor | None) -> int:
    """How many items the queue holds, for the moderator's header: a few queries, not the queue."""
    if actor is None or not can(actor, "moderate"):
        return 0
    waiting: set[tuple[str, int]] = set()
    for table, kind in ((Post, "post"), (Reply, "reply")):
        held = await table.select(table.id).where(table.moderation.is_in(["pending", "hidden"]))
        reported = (
            await Flag.select(Flag.target_id)
            .where(
                (Flag.resolved == False)
                & (Flag.target_kind == kind)  # noqa: E712
                & Flag.target_id.is_in(table.select(table.id))  # a deleted item waits for nobody
            )
            .distinct()
        )
        waiting.update((kind, r["id"]) for r in held)
        waiting.update((kind, r["target_id"]) for r in reported)
    return len(waiting)


async def log_entries(
    actor: Actor | None,
    action: str | None = None,
    moderator: str | None = None,
    member: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The moderation log, newest first, filterable by action, moderator and member (usernames).

    Entries about "the author of post #N" name the post only, so no member filter finds them.
    """
    reader = require_moderator(actor)
    query = ModerationLogEntry.select(
        ModerationLogEntry.id,
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
            (ModerationLogEntry.member.username_key == member.casefold()) & (ModerationLogEntry.target_kind == "member")
        )
    rows = await query.order_by(ModerationLogEntry.id, ascending=False).limit(limit)
    for row in rows:
        if row["target_kind"] != "member":
            row["member_username"] = None  # content entries name the item, never its author
    # Items are named by their addresses (docs/privacy.md, "Ids"); a gone item has none.
    for kind in ("post", "reply"):
        found = await addresses(kind, [r["target_id"] for r in rows if r["target_kind"] == kind])
        for row in rows:
            if row["target_kind"] == kind:
                row["target_address"] = found.get(row["target_id"])
    return rows


async def notifications(actor: Actor) -> list[dict[str, Any]]:
    return (
        await Notification.select(Notification.text, Notification.link, Notification.created_at)
        .where(Notification.member == actor.id)
        .order_by(Notification.id, ascending=False)
        .limit(50)
    )


async def item_detail(actor: Actor | None, target_kind: str, target_id: int) -> dict[str, Any]:
    """A post or reply as a moderator sees it: text, state, open reports and earlier revisions.

    The author of an anonymous post is not named here; revealing them is a separate action.
    """
    require_moderator(actor)
    row = await _load(target_kind, target_id)
    table = Reply if target_kind == "reply" else Post
    extra = (
        await table.select(table.moderation_reason, table.author.username.as_alias("author_username"))
        .where(table.id == target_id)
        .first()
    )
    reports = await Flag.select(Flag.reason, Flag.note, Flag.created_at).where(
        (Flag.target_kind == target_kind) & (Flag.target_id == target_id) & (Flag.resolved == False)  # noqa: E712
    )
    revisions = (
        await Revision.select(Revision.title, Revision.body, Revision.created_at, Revision.by_moderator)
        .where((Revision.target_kind == target_kind) & (Revision.target_id == target_id))
        .order_by(Revision.id, ascending=False)
    )
    return {
        "kind": target_kind,
        "id": target_id,
        "post_id": row["id"] if target_kind == "post" else row["post"],
        "address": row["public_id"],
        "post_address": row["post_public_id"],
        "title": row.get("title") or "",
        "body": row["body"],
        "moderation": row["moderation"],
        "state_label": STATE_LABELS.get(row["moderation"], row["moderation"]),
        # Why an anonymous post waits (a first post, a watched word) would narrow down its author.
        "reason": ""
        if not extra or (row["anonymous"] and row["moderation"] == "pending")
        else extra["moderation_reason"],
        "replies_locked": row.get("replies_locked", False),
        "anonymous": row["anonymous"],
        "author_username": None if row["anonymous"] else (extra or {}).get("author_username"),
        "member_id": None if row["anonymous"] else row["author"],
        "reports": [{**r, "label": FLAG_REASON_LABELS.get(r["reason"], r["reason"])} for r in reports],
        "revisions": revisions,
    }


async def member_detail(actor: Actor | None, member_id: int) -> dict[str, Any]:
    require_moderator(actor)
    member = (
        await Member.select(
            Member.id, Member.username, Member.display_name, Member.role, Member.state, Member.created_at
        )
        .where(Member.id == member_id)
        .first()
    )
    if member is None:
        raise NotFound()
    member["notes"] = (
        await MemberNote.select(MemberNote.body, MemberNote.created_at, MemberNote.author.username.as_alias("by"))
        .where(MemberNote.member == member_id)
        .order_by(MemberNote.id, ascending=False)
    )
    return member


async def members_for_roles(actor: Actor | None) -> list[dict[str, Any]]:
    if actor is None or not can(actor, "manage_roles"):
        raise Forbidden("Only an admin can change roles.")
    return (
        await Member.select(Member.id, Member.username, Member.display_name, Member.role, Member.state)
        .where(Member.state != "deleted")
        .order_by(Member.username_key)
        .limit(500)
    )


async def watched_words(actor: Actor | None) -> list[dict[str, Any]]:
    if actor is None or not can(actor, "manage_roles"):
        raise Forbidden("Only an admin can edit watched words.")
    return await WatchedWord.select().order_by(WatchedWord.word)


async def add_watched_word(actor: Actor | None, word: str, action: str) -> None:
    if actor is None or not can(actor, "manage_roles"):
        raise Forbidden("Only an admin can edit watched words.")
    errors = {}
    if not word or len(word) > 100:
        errors["word"] = "Enter a word or phrase of at most 100 characters."
    if action not in ("block", "review"):
        errors["action"] = "Choose whether the word blocks a post or sends it to review."
    if errors:
        raise FormErrors(errors, {"word": word, "action": action})
    async with transaction():
        try:
            await WatchedWord.insert(WatchedWord(word=word.casefold(), action=action))
        except Exception as exc:
            if is_unique_violation(exc):
                raise FormErrors({"word": "That word is already watched."}, {"word": word}) from exc
            raise
        await log_action(actor, f"watch_{action}", "word", 0, None, word)


async def remove_watched_word(actor: Actor | None, word_id: int) -> None:
    if actor is None or not can(actor, "manage_roles"):
        raise Forbidden("Only an admin can edit watched words.")
    async with transaction():
        row = await WatchedWord.select(WatchedWord.word).where(WatchedWord.id == word_id).first()
        if row is None:
            raise NotFound()
        await WatchedWord.delete().where(WatchedWord.id == word_id)
        await log_action(actor, "unwatch", "word", word_id, None, row["word"])
