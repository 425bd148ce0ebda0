"""Carrying out an action from the table on a post, a reply or a member (docs/moderation.md).

Each function checks the policy, checks that the action applies to the item as it is now,
changes the item and writes the log entry with the author's notice, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prayerboard import policy
from prayerboard.db import transaction
from prayerboard.forms import FormErrors
from prayerboard.policy import Actor
from prayerboard.services import restrictions, utcnow
from prayerboard.services.errors import Forbidden, NotFound, ServiceError
from prayerboard.services.moderation.actions import Action, Effect, ItemState
from prayerboard.services.moderation.items import item_state, load_item, table_for
from prayerboard.services.moderation.log import MODERATORS_ONLY, Notice, Target, record, require_moderator
from prayerboard.services.moderation.reports import AUTO_HIDE_REASON
from prayerboard.services.posts import recount_replies, touch
from prayerboard.tables import Flag, Member, MemberNote, Post, Reply, Revision
from prayerboard.vocab import MODERATOR_ROLES, MemberState, ModerationState, Role, TargetKind

REFUSALS = {"reveal_author": "Only an admin can reveal an anonymous author."}


class NotApplicable(ServiceError):
    """That action does not apply to this item as it is now. Nothing was changed."""

    status_code = 409

    def __init__(self, action: Action, state: ItemState) -> None:
        what = "member" if state.kind == TargetKind.MEMBER else f"{state.kind.value} ({state.moderation.label})"
        super().__init__(f"“{action.label}” does not apply to this {what} as it is now. Nothing was changed.")


@dataclass(frozen=True)
class Content:
    """What a moderator sent with a content action: the reason, and for a redaction the new text."""

    reason: str = ""
    body: str | None = None
    title: str | None = None
    restriction: int | None = None  # the restriction to lift


def _check(actor: Actor | None, action: Action, state: ItemState) -> Actor:
    moderator = policy.require(actor, action.permission, refusal=REFUSALS.get(action.permission, MODERATORS_ONLY))
    if not action.applies_to(state):
        raise NotApplicable(action, state)
    return moderator


async def check_content(actor: Actor | None, action: Action, kind: TargetKind, target_id: int) -> ItemState:
    """Refuse early (forbidden, gone, not applicable) before a form is even read for its reason."""
    require_moderator(actor)
    state = await item_state(await load_item(kind, target_id))
    _check(actor, action, state)
    return state


async def on_content(
    actor: Actor | None, action: Action, kind: TargetKind, target_id: int, sent: Content
) -> RevealedAuthor | None:
    """Carry ``action`` out on a post or reply; a reveal answers who wrote the post."""
    require_moderator(actor)
    if kind not in action.kinds:
        raise NotFound()
    if action.effect == Effect.RESTRICT_AUTHOR:
        await check_content(actor, action, kind, target_id)
        # One answer for every author (docs/privacy.md, "Acting on an anonymous author").
        await restrictions.restrict_author(actor, target_id, restrictions.AUTHOR_ACTIONS[action.name], sent.reason)
        return None
    if action.effect == Effect.LIFT_RESTRICTION:
        await check_content(actor, action, kind, target_id)
        await restrictions.lift(actor, target_id, sent.restriction, sent.reason)
        return None
    if action.effect == Effect.REVEAL:
        return await _reveal(actor, action, target_id, sent.reason)
    table = table_for(kind)
    async with transaction():
        # Take the item's row lock first: a second moderator acting at the same moment waits,
        # then reads the state this action left, and is refused if the action no longer applies.
        await table.update({table.moderation: table.moderation}).where(table.id == target_id)
        row = await load_item(kind, target_id)
        moderator = _check(actor, action, await item_state(row))
        changes: dict[Any, Any] = {}
        if action.effect == Effect.MODERATE:
            assert action.sets_moderation is not None
            changes = {
                table.moderation: action.sets_moderation,
                table.moderation_reason: sent.reason if action.author_reads_reason else "",
            }
        elif action.effect == Effect.ANONYMISE:
            changes = {Post.anonymous: True, Post.named_before_hiding: False, Post.anonymised_by_moderator: True}
            await Reply.update({Reply.anonymous: True, Reply.named_before_hiding: False}).where(
                (Reply.post == target_id) & (Reply.author == row.author)
            )
        elif action.effect == Effect.REDACT:
            if not sent.body:
                raise FormErrors({"body": "Please give the text as it should read."}, {"reason": sent.reason})
            await Revision.insert(
                Revision(
                    target_kind=kind,
                    target_id=target_id,
                    title=row.title,
                    body=row.body,
                    editor=moderator.id,
                    by_moderator=True,
                    created_at=utcnow(),
                )
            )
            changes = {table.body: sent.body, table.edited_by_moderator: True}
            if kind == TargetKind.POST and sent.title:
                changes[Post.title] = sent.title
        elif action.effect == Effect.LOCK:
            changes = {Post.replies_locked: bool(action.sets_locked)}
        elif (
            action.effect == Effect.DISMISS
            and row.moderation == ModerationState.HIDDEN
            and row.moderation_reason == AUTO_HIDE_REASON
        ):
            # The reports were unfounded: what they hid comes back, and the item leaves the queue.
            changes = {table.moderation: ModerationState.VISIBLE, table.moderation_reason: ""}
        if changes:
            await table.update(changes).where(table.id == target_id)
            if kind == TargetKind.POST:
                # What the post shows changed: the feed's ``updated`` moves (docs/privacy.md, "Times").
                await touch(Post.id == target_id, action.effect == Effect.ANONYMISE or row.anonymous)
            if kind == TargetKind.REPLY and action.effect != Effect.REDACT:
                # The post's count follows what readers can see (docs/privacy.md, "Counts").
                await recount_replies(row.post)
        # Any decision settles the reports on the item.
        await Flag.update({Flag.resolved: True}).where((Flag.target_kind == kind) & (Flag.target_id == target_id))
        notice = Notice(action.notice_for(kind, sent.reason), row.link) if action.notice else None
        await record(moderator, action.log_action, Target(kind, target_id), row.author, sent.reason, notice)
    return None


@dataclass(frozen=True, slots=True)
class RevealedAuthor:
    """Who wrote an anonymous post, as an admin's reveal tells it (None where the account is gone)."""

    username: str | None
    display_name: str | None


async def _reveal(actor: Actor | None, action: Action, post_id: int, reason: str) -> RevealedAuthor:
    """Admins only: who wrote an anonymous post. Needs a reason; always logged."""
    async with transaction():
        row = await load_item(TargetKind.POST, post_id)
        admin = _check(actor, action, await item_state(row))
        author: dict[str, Any] = (
            await Post.select(Post.author.username, Post.author.display_name).where(Post.id == post_id).first()
        ) or {}
        await record(admin, action.log_action, Target.post(post_id), row.author, reason)
    return RevealedAuthor(username=author.get("author.username"), display_name=author.get("author.display_name"))


async def check_member(actor: Actor | None, action: Action, member_id: int) -> None:
    """Refuse early: the member is gone, or is a moderator or an admin and the actor is not an admin."""
    moderator = require_moderator(actor)
    if TargetKind.MEMBER not in action.kinds:
        raise NotFound()
    target = await Member.select(Member.id, Member.role, Member.state).where(Member.id == member_id).first()
    if target is None or (action.effect != Effect.NOTE and target["state"] == MemberState.DELETED):
        raise NotFound()
    if action.effect == Effect.MEMBER_STATE and target["role"] in MODERATOR_ROLES and moderator.role != Role.ADMIN:
        raise Forbidden("Only an admin can act on a moderator.")


async def on_member(actor: Actor | None, action: Action, member_id: int, reason: str, note: str = "") -> None:
    """Silence, suspend or restore a member by name, or note something about them privately.

    Suspension ends their sessions at once. Acting on "the author of post #N" is another thing
    altogether (``services/restrictions``): it never touches the member's row.
    """
    moderator = require_moderator(actor)
    async with transaction():
        await check_member(moderator, action, member_id)
        if action.effect == Effect.NOTE:
            await MemberNote.insert(MemberNote(member=member_id, author=moderator.id, body=note, created_at=utcnow()))
            await record(moderator, action.log_action, Target.member(member_id), member_id, "private note added")
            return
        assert action.sets_member_state is not None
        changes: dict[Any, Any] = {Member.state: action.sets_member_state}
        if action.sets_member_state == MemberState.SUSPENDED:
            # Every session of theirs ends now, and stays ended even if they are restored later.
            changes[Member.session_epoch] = Member.session_epoch + 1
        await Member.update(changes).where(Member.id == member_id)
        notice = Notice(action.notice.format(reason=reason)) if action.notice else None
        await record(moderator, action.log_action, Target.member(member_id), member_id, reason, notice)
