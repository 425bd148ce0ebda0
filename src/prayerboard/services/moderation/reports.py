"""Members' reports, and hiding an item at once when enough established members report it.

docs/moderation.md, "Reports and hiding at once". Every report reaches the queue; only the
reports of members who were established when they reported count toward hiding the item
before a moderator has looked.
"""

from __future__ import annotations

from prayerboard import policy
from prayerboard.db import is_unique_violation, transaction
from prayerboard.forms import FormErrors
from prayerboard.policy import Actor
from prayerboard.rows import PostRow, ReplyRow
from prayerboard.services import notifications, utcnow
from prayerboard.services.errors import NotFound
from prayerboard.services.moderation import limits
from prayerboard.services.moderation.items import table_for
from prayerboard.services.moderation.log import REASON_MAX, Target, record
from prayerboard.services.posts import load_reply, recount_replies, viewable_post
from prayerboard.tables import Flag, Post
from prayerboard.vocab import MemberState, ModerationState, ReportReason, TargetKind

URGENT_REASON = ReportReason.DANGER
AUTO_HIDE_REASON = "Hidden after reports, waiting for a moderator."
# Whose reports count toward hiding an item at once: members at least a day old with at least
# one post that is on the board (so, where first posts wait for approval, one a moderator let
# through). Sign-ups are free, so without this three throwaway accounts could hide any post;
# their reports still reach the queue, where a moderator weighs them.
COUNTED_REPORTER_MIN_AGE = limits.FIRST_DAY
IN_GOOD_STANDING = (MemberState.ACTIVE, MemberState.SILENCED)


async def _counted_reporters(kind: TargetKind, target_id: int) -> int:
    """Open reports on the item whose reporters were established WHEN they reported.

    Judged at each report's own time, so throwaway accounts that report now and grow a day
    old later never start to count; a reporter no longer in good standing counts no more.
    """
    reports = await Flag.select(
        Flag.reporter,
        Flag.created_at,
        Flag.reporter.created_at.as_alias("joined"),
        Flag.reporter.state.as_alias("reporter_state"),
    ).where((Flag.target_kind == kind) & (Flag.target_id == target_id) & (Flag.resolved == False))  # noqa: E712
    counted = 0
    for report in reports:
        if report["reporter_state"] not in IN_GOOD_STANDING:
            continue
        if report["created_at"] - report["joined"] < COUNTED_REPORTER_MIN_AGE:
            continue
        if await Post.exists().where(
            (Post.author == report["reporter"])
            & (Post.moderation == ModerationState.VISIBLE)
            & (Post.created_at < report["created_at"])
        ):
            counted += 1
    return counted


async def flag(
    actor: Actor, target_kind: str, target_id: int, reason: str, note: str, rules: limits.ModerationRules
) -> None:
    """Report a post or reply; enough established reporters hide it at once, pending review.

    Every report reaches the queue; only those of members ``COUNTED_REPORTER_MIN_AGE`` old
    with a post on the board count toward ``rules.flag_threshold``.
    """
    if ReportReason.parse(reason) is None:
        raise FormErrors({"reason": "Choose a reason from the list."}, {"note": note})
    kind = TargetKind.REPLY if target_kind == TargetKind.REPLY else TargetKind.POST
    item: PostRow | ReplyRow
    if kind == TargetKind.REPLY:
        reply = await load_reply(target_id)
        if reply is None or reply.moderation != ModerationState.VISIBLE:
            raise NotFound()
        post = await viewable_post(actor, reply.post)
        item = reply
    else:
        post = item = await viewable_post(actor, target_id)
    owner = item.author
    policy.require(actor, "flag", item, refusal="You cannot report this.")
    already = FormErrors({"reason": "You have already reported this. Thank you."}, {})
    if await Flag.exists().where(
        (Flag.target_kind == kind) & (Flag.target_id == target_id) & (Flag.reporter == actor.id)
    ):
        raise already  # before the rate limit, so a repeated click costs no report
    await limits.check_rate(actor, "report", rules)
    table = table_for(kind)
    async with transaction():
        # Take the item's row lock first, as ``recount_replies`` does: on PostgreSQL a report
        # made at the same moment waits here, and its count (a new statement, a fresh
        # snapshot) then includes this one, so the Nth report always sees the N-1 before it.
        await table.update({table.moderation: table.moderation}).where(table.id == target_id)
        try:
            await Flag.insert(
                Flag(
                    target_kind=kind,
                    target_id=target_id,
                    post=post.id,
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
        if reason == URGENT_REASON:
            section = "replies" if kind == TargetKind.REPLY else "posts"
            await notifications.urgent_report(actor, post, f"/mod/{section}/{item.public_id}")
        reporters = await _counted_reporters(kind, target_id)
        if reporters >= rules.flag_threshold:
            hidden = (
                await table.update(
                    {table.moderation: ModerationState.HIDDEN, table.moderation_reason: AUTO_HIDE_REASON}
                )
                .where((table.id == target_id) & (table.moderation == ModerationState.VISIBLE))
                .returning(table.id)
            )
            if hidden:
                if kind == TargetKind.REPLY:
                    await recount_replies(post.id)
                await record(None, "auto_hide", Target(kind, target_id), owner, f"{reporters} members reported it")
