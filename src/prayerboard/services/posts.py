"""Posts, updates, replies and "I'm praying": the board's use cases."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from prayerboard import policy
from prayerboard.db import transaction
from prayerboard.forms import FormErrors, PostInput
from prayerboard.ids import looks_like_public_id
from prayerboard.policy import POST_ACTIONS, REPLY_ACTIONS, Actor, allowed, can, require
from prayerboard.rows import (
    POST_COLUMNS,
    REPLY_COLUMNS,
    Byline,
    PostCard,
    PostDetail,
    PostRow,
    ReplyListing,
    ReplyRow,
    ReplyView,
    UpdateView,
    post_card,
)
from prayerboard.services import forgetting, notifications, utcnow
from prayerboard.services.errors import NotFound
from prayerboard.services.moderation import limits
from prayerboard.services.moderation.log import Notice, Target, record
from prayerboard.tables import Member, Post, PostUpdate, Prayer, Reply, Revision
from prayerboard.text import excerpt
from prayerboard.vocab import ModerationState, PostKind, PostStatus, TargetKind

REPLIES_PER_PAGE_LIMIT = 500  # a thread longer than this shows its newest 500 replies


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class BoardQuery:
    """What the board shows: filters and a keyset cursor (``before`` or ``after`` a post's public id)."""

    kind: str | None = None
    category: str | None = None
    answered: bool = False
    before: str | None = None
    after: str | None = None


@dataclass
class BoardPage:
    posts: list[PostCard]
    older: str | None = None  # pass as ``before`` for the next (older) page
    newer: str | None = None  # pass as ``after`` for the previous (newer) page
    query: BoardQuery = field(default_factory=BoardQuery)


async def post_number(public_id: str) -> int:
    """The row id behind a post's address; NotFound for an address no post has.

    Addresses are public ids, never row ids (docs/privacy.md, "Ids"): row ids stay inside.
    """
    if looks_like_public_id(public_id):
        row = await Post.select(Post.id).where(Post.public_id == public_id).first()
        if row is not None:
            return int(row["id"])
    raise NotFound()


async def reply_number(post_id: int | None, public_id: str) -> int:
    """The row id behind a reply's address (on post ``post_id``, when given); NotFound otherwise."""
    if looks_like_public_id(public_id):
        where: Any = Reply.public_id == public_id
        if post_id is not None:
            where = where & (Reply.post == post_id)
        row = await Reply.select(Reply.id).where(where).first()
        if row is not None:
            return int(row["id"])
    raise NotFound()


async def _cursor(actor: Actor | None, public_id: str | None) -> int | None:
    """A board cursor's row id; a cursor ``actor`` may not see (or that has gone) starts from
    the top, so a cursor tells nothing of a post one cannot see."""
    if public_id is None or not looks_like_public_id(public_id):
        return None
    row = await policy.visible_posts(actor, Post.id).where(Post.public_id == public_id).first()
    return row["id"] if row is not None else None


def byline(actor: Actor | None, row: PostRow | ReplyRow) -> Byline:
    """Who wrote ``row``, as ``actor`` may see it: the one place the author rule is applied."""
    action = "see_author" if isinstance(row, PostRow) else "see_reply_author"
    return Byline.of(row, actor.id if actor is not None else None, can(actor, action, row))


def present_post(actor: Actor | None, row: PostRow, praying: bool, text: str | None = None) -> PostCard:
    """The card ``actor`` sees of ``row``; ``text`` replaces the excerpt (a search snippet)."""
    return PostCard(
        **post_card(
            row,
            byline(actor, row),
            allowed(actor, POST_ACTIONS, row),
            praying,
            excerpt(row.body) if text is None else text,
        )
    )


async def _praying_set(actor: Actor | None, post_ids: list[int]) -> set[int]:
    if actor is None or actor.id is None or not post_ids:
        return set()
    rows = await Prayer.select(Prayer.post).where((Prayer.member == actor.id) & Prayer.post.is_in(post_ids))
    return {r["post"] for r in rows}


async def board(actor: Actor | None, query: BoardQuery, page_size: int) -> BoardPage:
    """One page of the board, newest first, by keyset pagination on the post id."""
    select = policy.visible_posts(actor, *POST_COLUMNS)
    if query.kind:
        select = select.where(Post.kind == query.kind)
    if query.category:
        select = select.where(Post.category == query.category)
    if query.answered:
        select = select.where(Post.status == PostStatus.ANSWERED)
    else:
        select = select.where(Post.status != PostStatus.ARCHIVED)
    before, after = await _cursor(actor, query.before), await _cursor(actor, query.after)
    going_back = after is not None and before is None
    if going_back:
        select = select.where(Post.id > after).order_by(Post.id, ascending=True)
    else:
        if before is not None:
            select = select.where(Post.id < before)
        select = select.order_by(Post.id, ascending=False)
    found = await select.limit(page_size + 1)
    has_more = len(found) > page_size
    rows = [PostRow.from_row(r) for r in found[:page_size]]
    if going_back:
        rows.reverse()
    praying = await _praying_set(actor, [r.id for r in rows])
    posts = [present_post(actor, r, r.id in praying) for r in rows]
    page = BoardPage(posts=posts, query=query)
    if posts:
        if going_back:
            page.older = posts[-1].public_id
            page.newer = posts[0].public_id if has_more else None
        else:
            page.older = posts[-1].public_id if has_more else None
            page.newer = posts[0].public_id if before is not None else None
    return page


async def load_post(post_id: int) -> PostRow | None:
    """The post row ``post_id``, whoever may see it (the caller asks the policy)."""
    row = await Post.select(*POST_COLUMNS).where(Post.id == post_id).first()
    return PostRow.from_row(row) if row is not None else None


async def load_reply(reply_id: int, post_id: int | None = None) -> ReplyRow | None:
    """The reply row ``reply_id`` (on post ``post_id``, when given), whoever may see it."""
    where: Any = Reply.id == reply_id
    if post_id is not None:
        where = where & (Reply.post == post_id)
    row = await Reply.select(*REPLY_COLUMNS).where(where).first()
    return ReplyRow.from_row(row) if row is not None else None


async def viewable_post(actor: Actor | None, post_id: int) -> PostRow:
    """The post row if ``actor`` may see it; otherwise NotFound, so existence is not revealed."""
    row = await load_post(post_id)
    if row is None or not can(actor, "view_post", row):
        raise NotFound()
    return row


def present_reply(actor: Actor | None, row: ReplyRow) -> ReplyView:
    """The reply as ``actor`` sees it in its thread."""
    author = byline(actor, row)
    return ReplyView(
        public_id=row.public_id,
        body=row.body,
        author_name=author.name,
        author_username=author.username,
        is_own=author.is_own,
        anonymous=row.anonymous,
        moderation=row.moderation,
        moderation_reason=row.moderation_reason,
        edited_by_moderator=row.edited_by_moderator,
        created_at=author.at(row.created_at),
        edited_at=author.at(row.edited_at),
        allowed=allowed(actor, REPLY_ACTIONS, row),
    )


def reply_listing(actor: Actor | None, row: ReplyRow, text: str) -> ReplyListing:
    """A reply listed away from its thread, with ``text`` for its excerpt; no member id leaves."""
    author = byline(actor, row)
    return ReplyListing(
        public_id=row.public_id,
        post_public_id=row.post_public_id,
        post_title=row.post_title,
        author_name=author.name,
        author_username=author.username,
        is_own=author.is_own,
        anonymous=row.anonymous,
        created_at=author.at(row.created_at),
        excerpt=text,
    )


async def post_detail(actor: Actor | None, post_id: int) -> PostDetail:
    """A post with its updates and the replies ``actor`` may see."""
    row = await viewable_post(actor, post_id)
    praying = await _praying_set(actor, [post_id])
    author = byline(actor, row)
    updates = (
        await PostUpdate.select(PostUpdate.id, PostUpdate.body, PostUpdate.created_at)
        .where(PostUpdate.post == post_id)
        .order_by(PostUpdate.id)
    )
    replies = [
        ReplyRow.from_row(r)
        for r in await Reply.select(*REPLY_COLUMNS)
        .where(Reply.post == post_id)
        .order_by(Reply.id, ascending=False)
        .limit(REPLIES_PER_PAGE_LIMIT)
    ]
    replies.reverse()
    return PostDetail(
        **post_card(
            row,
            author,
            allowed(actor, POST_ACTIONS, row),
            post_id in praying,
            excerpt(row.body),
            # An update's time is the anonymous author's time too.
            updates=tuple(UpdateView(body=u["body"], created_at=author.at(u["created_at"])) for u in updates),
            replies=tuple(present_reply(actor, r) for r in replies if can(actor, "view_reply", r)),
            viewer_name_hidden=await names_hidden(actor),
        )
    )


async def names_hidden(actor: Actor | None) -> bool:
    """Whether ``actor`` has "hide my name" on: then all they write is anonymous, whatever a form says."""
    if actor is None or actor.id is None:
        return False
    row = await Member.select(Member.names_hidden).where(Member.id == actor.id).first()
    return bool(row and row["names_hidden"])


async def post_for_edit(actor: Actor, post_id: int) -> PostRow:
    """The author's own post, to fill the edit form; Forbidden for anyone else."""
    row = await viewable_post(actor, post_id)
    require(actor, "edit_post", row, "Only the author can edit this post.")
    return row


# ---------------------------------------------------------------------------------------------
# Writing


async def _refuse_blocked_words(text: str, field: str, data: dict[str, Any]) -> str | None:
    """Refuse text with a blocking watched word; return "review" when a word asks for review."""
    verdict, word = await limits.screen_text(text)
    if verdict == "block":
        raise FormErrors({field: f"Please rephrase: the word \u201c{word}\u201d can't be posted on this board."}, data)
    return verdict


async def create_post(actor: Actor, data: PostInput, rules: limits.ModerationRules) -> str:
    """Publish a post, or hold it for review (a new member's first posts, watched words); returns its public id."""
    require(actor, "create_post", refusal="Your account cannot post right now.")
    verdict = await _refuse_blocked_words(f"{data.title}\n{data.body}", "body", data.__dict__)
    await limits.check_rate(actor, "post", rules)
    held = verdict == "review" or await limits.needs_first_post_approval(actor, rules)
    # While "hide my name" is on, everything new is anonymous (docs/privacy.md, "Hide my name").
    anonymous = data.anonymous or await names_hidden(actor)
    now = utcnow()
    async with transaction():
        rows = await Post.insert(
            Post(
                author=actor.id,
                kind=data.kind,
                title=data.title,
                body=data.body,
                category=data.category,
                visibility=data.visibility,
                anonymous=anonymous,
                moderation=ModerationState.PENDING if held else ModerationState.VISIBLE,
                created_at=now,
                last_activity_at=now,
            )
        ).returning(Post.id, Post.public_id)
        if held:
            held_row = await load_post(rows[0]["id"])
            if held_row is not None:
                await notifications.post_waiting(actor, held_row)
    return str(rows[0]["public_id"])


# Shown to the author of a redacted post or reply they edited: it is waiting, and why.
EDITED_AFTER_REDACTION_REASON = (
    "You changed text a moderator had edited, so a moderator will read it again before others can see it."
)


async def _keep_edited_text(actor: Actor, row: PostRow | ReplyRow, link: str) -> bool:
    """Keep the text an author's edit replaces (a revision moderators read); True if it must be reviewed.

    Call it in the edit's transaction, before the change. Text a moderator redacted goes back
    to review when its author edits it, or the author could simply write the redacted private
    details back; the edit is logged and the author told why it waits.
    """
    target_kind = TargetKind.POST if isinstance(row, PostRow) else TargetKind.REPLY
    await Revision.insert(
        Revision(
            target_kind=target_kind,
            target_id=row.id,
            title=row.title if isinstance(row, PostRow) else "",
            body=row.body,
            editor=actor.id,
            by_moderator=False,
            created_at=utcnow(),
        )
    )
    if not row.edited_by_moderator:
        return False
    await record(
        None,
        "edit_after_redaction",
        Target(target_kind, row.id),
        actor.id,
        "The author edited text a moderator had redacted.",
        Notice(EDITED_AFTER_REDACTION_REASON, link),
        dated_to_the_hour=True,  # the author's own time: they may be anonymous
    )
    return row.moderation == ModerationState.VISIBLE


async def edit_post(actor: Actor, post_id: int, data: PostInput) -> None:
    """The author changes their post, keeping the old text; a redacted post goes back to review.

    While the author's name is hidden, the post is anonymous for good.
    """
    # An edit is screened like a new post, so watched words cannot be slipped in afterwards.
    verdict = await _refuse_blocked_words(f"{data.title}\n{data.body}", "body", data.__dict__)
    async with transaction():
        row = await post_for_edit(actor, post_id)
        hidden = await names_hidden(actor)
        # A post a moderator made anonymous stays anonymous, whatever the author's form says.
        anonymous = data.anonymous or hidden or row.anonymised_by_moderator
        if verdict == "review" and row.moderation == ModerationState.VISIBLE:
            await Post.update({Post.moderation: ModerationState.PENDING}).where(Post.id == post_id)
        if await _keep_edited_text(actor, row, f"/posts/{row.public_id}"):
            await Post.update(
                {Post.moderation: ModerationState.PENDING, Post.moderation_reason: EDITED_AFTER_REDACTION_REASON}
            ).where(Post.id == post_id)
        now = utcnow()
        changes: dict[Any, Any] = {
            Post.kind: data.kind,
            Post.title: data.title,
            Post.body: data.body,
            Post.category: data.category,
            Post.visibility: data.visibility,
            Post.anonymous: anonymous,
            Post.edited_at: now,
        }
        if hidden:
            # Edited while the name was hidden: "show my name again" must not name what may now
            # say more than it did (docs/privacy.md, "Hide my name").
            changes[Post.named_before_hiding] = False
        await Post.update(changes).where(Post.id == post_id)
        await touch(Post.id == post_id, anonymous)
        # Replies the author wrote in their own thread follow the post into anonymity, but an
        # edit never names a reply: one written while their name was hidden must stay anonymous
        # (docs/privacy.md, "Hide my name").
        if anonymous:
            await Reply.update({Reply.anonymous: True, Reply.named_before_hiding: False}).where(
                (Reply.post == post_id) & (Reply.author == actor.id)
            )
        await _tell_moderators_if_held(actor, row, post_id)


async def _tell_moderators_if_held(actor: Actor, before: PostRow, post_id: int) -> bool:
    """If the author's change sent a visible post back to review, moderators hear of it; True then."""
    if before.moderation != ModerationState.VISIBLE:
        return False
    after = await load_post(post_id)
    if after is None or after.moderation != ModerationState.PENDING:
        return False
    await notifications.post_waiting(actor, after)
    return True


async def delete_post(actor: Actor, post_id: int) -> None:
    """The author removes their post, with its updates, replies and prayers, for good."""
    async with transaction():
        row = await viewable_post(actor, post_id)
        require(actor, "delete_post", row, "Only the author can delete this post.")
        await forgetting.forget_posts([post_id])  # reports, revisions, notifications
        await Post.delete().where(Post.id == post_id)


async def add_update(actor: Actor, post_id: int, body: str) -> None:
    """The author adds a dated follow-up; written while their name is hidden, it keeps the post anonymous."""
    async with transaction():
        row = await viewable_post(actor, post_id)
        require(actor, "add_update", row, "Only the author can add an update.")
        now = utcnow()
        await PostUpdate.insert(PostUpdate(post=post_id, body=body, created_at=now))
        changes: dict[Any, Any] = {Post.last_activity_at: now}
        if row.edited_by_moderator and row.moderation == ModerationState.VISIBLE:
            # An update is new text on a redacted post: it could carry the redacted details back,
            # so the post waits for review as after an edit (docs/security.md).
            await record(
                None,
                "edit_after_redaction",
                Target.post(post_id),
                actor.id,
                "The author added an update to a post a moderator had redacted.",
                Notice(EDITED_AFTER_REDACTION_REASON, f"/posts/{row.public_id}"),
                dated_to_the_hour=True,  # the author's own time, as for an edit
            )
            changes[Post.moderation] = ModerationState.PENDING
            changes[Post.moderation_reason] = EDITED_AFTER_REDACTION_REASON
        hidden = await names_hidden(actor)
        if hidden:
            changes[Post.named_before_hiding] = False  # as for an edit: see ``edit_post``
        await Post.update(changes).where(Post.id == post_id)
        await touch(Post.id == post_id, row.anonymous)
        if not await _tell_moderators_if_held(actor, row, post_id):
            await notifications.updated(actor, row)


async def mark_answered(actor: Actor, post_id: int) -> None:
    """The author marks their open request answered."""
    async with transaction():
        row = await viewable_post(actor, post_id)
        require(actor, "mark_answered", row, "Only the author can mark an open request answered.")
        now = utcnow()
        await Post.update({Post.status: PostStatus.ANSWERED, Post.answered_at: now, Post.last_activity_at: now}).where(
            Post.id == post_id
        )
        await touch(Post.id == post_id, row.anonymous)
        await notifications.answered(actor, row)


async def add_reply(actor: Actor, post_id: int, body: str, rules: limits.ModerationRules) -> str:
    """A member encourages the author; returns the reply's public id."""
    # Watched words block replies too; "review" words hold posts, not encouragement.
    await _refuse_blocked_words(body, "body", {"body": body})
    await limits.check_rate(actor, "reply", rules)
    async with transaction():
        row = await viewable_post(actor, post_id)
        refusal = "Replies to this post are closed." if row.replies_locked else "You cannot reply to this post."
        require(actor, "reply", row, refusal)
        now = utcnow()
        # The author's replies in their own anonymous thread are anonymous too, and so is
        # everything written while "hide my name" is on.
        anonymous = (row.anonymous and row.author == actor.id) or await names_hidden(actor)
        rows = await Reply.insert(
            Reply(post=post_id, author=actor.id, body=body, anonymous=anonymous, created_at=now)
        ).returning(Reply.public_id)
        await Post.update({Post.last_activity_at: now}).where(Post.id == post_id)
        await recount_replies(post_id)
        await notifications.replied(actor, row)
    return str(rows[0]["public_id"])


async def recount_replies(post_id: int) -> None:
    """Set the post's reply count to its visible replies, in the caller's transaction.

    Removed, hidden and pending replies are never counted (docs/privacy.md, "Counts"): a count
    that went up when someone replied and stayed up when a moderator hid the reply would tell
    readers a hidden reply exists. Call it wherever a reply is added, deleted or moderated.
    """
    # Take the post's row lock first, so that a concurrent reply's transaction waits for this
    # one, and the count below (a new statement, a fresh snapshot) includes its reply.
    await Post.update({Post.reply_count: Post.reply_count}).where(Post.id == post_id)
    visible = await Reply.count().where((Reply.post == post_id) & (Reply.moderation == ModerationState.VISIBLE))
    await Post.update({Post.reply_count: visible}).where(Post.id == post_id)


async def touch(which: Any, anonymous: bool) -> None:
    """Record that what the posts ``which`` selects show has changed (the feed's ``updated``).

    Call it in the change's transaction. ``changed_at`` only ever moves forward, so ``updated``
    never goes back. For a post that is (or just became) anonymous the time is the end of the
    current hour, never the minute: "hide my name" changes all of a member's posts at once, and
    one exact instant shared by several anonymous posts would tie them together
    (docs/privacy.md, "Times"). The end, not the start, so that it still lies after the post's
    other times, which are shown to the start of their hour.
    """
    stamp = utcnow()
    if anonymous:
        stamp = stamp.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    await Post.update({Post.changed_at: stamp}).where(which & (Post.changed_at.is_null() | (Post.changed_at < stamp)))


async def _own_reply(actor: Actor, post_id: int, reply_id: int, action: str) -> ReplyRow:
    await viewable_post(actor, post_id)
    reply = await load_reply(reply_id, post_id)
    if reply is None or not can(actor, "view_reply", reply):
        raise NotFound()
    require(actor, action, reply, "Only the person who wrote this reply can change it.")
    return reply


async def reply_for_edit(actor: Actor, post_id: int, reply_id: int) -> ReplyRow:
    """The member's own reply, to fill the edit form."""
    return await _own_reply(actor, post_id, reply_id, "edit_reply")


async def edit_reply(actor: Actor, post_id: int, reply_id: int, body: str) -> None:
    """The member changes their reply, keeping the old text; a redacted reply goes back to review.

    While their name is hidden, it becomes anonymous for good.
    """
    await _refuse_blocked_words(body, "body", {"body": body})
    async with transaction():
        reply = await _own_reply(actor, post_id, reply_id, "edit_reply")
        review = await _keep_edited_text(actor, reply, f"/posts/{reply.post_public_id}#reply-{reply.public_id}")
        changes: dict[Any, Any] = {Reply.body: body, Reply.edited_at: utcnow()}
        if review:
            changes.update(
                {Reply.moderation: ModerationState.PENDING, Reply.moderation_reason: EDITED_AFTER_REDACTION_REASON}
            )
        if await names_hidden(actor):
            # As for posts (``edit_post``): "show my name again" never names what was edited while hidden.
            changes.update({Reply.anonymous: True, Reply.named_before_hiding: False})
        await Reply.update(changes).where(Reply.id == reply_id)
        if review:
            await recount_replies(post_id)  # a reply waiting for review is not counted


async def delete_reply(actor: Actor, post_id: int, reply_id: int) -> None:
    """The author removes their reply for good, with its reports, revisions and notifications."""
    async with transaction():
        await _own_reply(actor, post_id, reply_id, "delete_reply")
        await forgetting.forget_replies([reply_id])
        deleted = await Reply.delete().where(Reply.id == reply_id).returning(Reply.id)
        if deleted:
            await recount_replies(post_id)  # a hidden reply was never counted: recount, don't subtract


@dataclass(frozen=True)
class PrayerState:
    praying: bool
    count: int


async def toggle_prayer(actor: Actor, post_id: int) -> PrayerState:
    """Press or unpress "I'm praying"; the count changes in the same transaction, so it stays exact."""
    async with transaction():
        row = await viewable_post(actor, post_id)
        require(actor, "pray", row, "You cannot pray for this post right now.")
        inserted = await (
            Prayer.insert(Prayer(post=post_id, member=actor.id, created_at=utcnow()))
            .on_conflict(target=(Prayer.post, Prayer.member), action="DO NOTHING")
            .returning(Prayer.id)
        )
        if inserted:
            praying, delta = True, 1
        else:
            removed = (
                await Prayer.delete().where((Prayer.post == post_id) & (Prayer.member == actor.id)).returning(Prayer.id)
            )
            praying, delta = False, -1 if removed else 0
        if delta:
            await Post.update({Post.praying_count: Post.praying_count + delta}).where(Post.id == post_id)
        if inserted:
            # After the count: the post's row lock, taken by that update, puts the presses on one
            # post in a line, so two never group into the author's notification at once (two
            # unread rows, or a deadlock between them on PostgreSQL).
            await notifications.prayed(actor, row)
        count = await Post.select(Post.praying_count).where(Post.id == post_id).first()
    if count is None:  # deleted by its author meanwhile
        raise NotFound()
    return PrayerState(praying=praying, count=count["praying_count"])


async def post_defaults(actor: Actor) -> dict[str, Any]:
    """Starting values for a new post's form: the member's own privacy defaults (anonymous while
    their name is hidden)."""
    row = (
        await Member.select(Member.default_visibility, Member.default_anonymous, Member.names_hidden)
        .where(Member.id == actor.id)
        .first()
    )
    return {
        "kind": PostKind.REQUEST,
        "visibility": row["default_visibility"] if row else "public",
        "anonymous": bool(row and (row["default_anonymous"] or row["names_hidden"])),
    }


def post_values(row: PostRow) -> dict[str, Any]:
    """The edit form's values for the author's own post."""
    return {
        "kind": row.kind,
        "title": row.title,
        "body": row.body,
        "category": row.category,
        "visibility": row.visibility,
        "anonymous": row.anonymous,
    }
