"""Posts, updates, replies and "I'm praying": the board's use cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prayerboard import policy
from prayerboard.db import transaction
from prayerboard.forms import FormErrors, PostInput
from prayerboard.policy import Actor, can
from prayerboard.services import moderation, utcnow
from prayerboard.services.errors import Forbidden, NotFound
from prayerboard.tables import Member, Post, PostUpdate, Prayer, Reply
from prayerboard.text import excerpt

REPLIES_PER_PAGE_LIMIT = 500  # a thread longer than this shows its newest 500 replies



# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class BoardQuery:
    """What the board shows: filters and a keyset cursor (``before`` or ``after`` a post id)."""

    kind: str | None = None
    category: str | None = None
    answered: bool = False
    before: int | None = None
    after: int | None = None


@dataclass
class BoardPage:
    posts: list[dict[str, Any]]
    older: int | None = None  # pass as ``before`` for the next (older) page
    newer: int | None = None  # pass as ``after`` for the previous (newer) page
    query: BoardQuery = field(default_factory=BoardQuery)


CARD_COLUMNS = (
    Post.id,
    Post.author,
    Post.kind,
    Post.title,
    Post.body,
    Post.category,
    Post.visibility,
    Post.anonymous,
    Post.status,
    Post.moderation,
    Post.replies_locked,
    Post.praying_count,
    Post.reply_count,
    Post.created_at,
    Post.answered_at,
    Post.edited_at,
    Post.moderation_reason,
    Post.edited_by_moderator,
    Post.author.display_name.as_alias("author_display_name"),
    Post.author.username.as_alias("author_username"),
)


def apply_author(actor: Actor | None, row: dict[str, Any], action: str) -> None:
    """Replace the joined author columns with what ``actor`` may see of them (None when hidden)."""
    shown = can(actor, action, row)
    name, username = row.pop("author_display_name"), row.pop("author_username")
    row["author_name"] = name if shown else None
    row["author_username"] = username if shown else None
    row["is_own"] = actor is not None and actor.id is not None and row["author"] == actor.id


def _present_post(actor: Actor | None, row: dict[str, Any], praying: bool) -> dict[str, Any]:
    """Apply the privacy rules to one post row for ``actor``."""
    apply_author(actor, row, "see_author")
    row["praying"] = praying
    row["excerpt"] = excerpt(row["body"])
    return row


async def _praying_set(actor: Actor | None, post_ids: list[int]) -> set[int]:
    if actor is None or actor.id is None or not post_ids:
        return set()
    rows = await Prayer.select(Prayer.post).where(
        (Prayer.member == actor.id) & Prayer.post.is_in(post_ids)
    )
    return {r["post"] for r in rows}


async def board(actor: Actor | None, query: BoardQuery, page_size: int) -> BoardPage:
    """One page of the board, newest first, by keyset pagination on the post id."""
    select = policy.visible_posts(actor, *CARD_COLUMNS)
    if query.kind:
        select = select.where(Post.kind == query.kind)
    if query.category:
        select = select.where(Post.category == query.category)
    if query.answered:
        select = select.where(Post.status == "answered")
    else:
        select = select.where(Post.status != "archived")
    going_back = query.after is not None and query.before is None
    if going_back:
        select = select.where(Post.id > query.after).order_by(Post.id, ascending=True)
    else:
        if query.before is not None:
            select = select.where(Post.id < query.before)
        select = select.order_by(Post.id, ascending=False)
    rows = await select.limit(page_size + 1)
    has_more = len(rows) > page_size
    rows = rows[:page_size]
    if going_back:
        rows.reverse()
    praying = await _praying_set(actor, [r["id"] for r in rows])
    posts = [_present_post(actor, r, r["id"] in praying) for r in rows]
    page = BoardPage(posts=posts, query=query)
    if posts:
        if going_back:
            page.older = posts[-1]["id"]
            page.newer = posts[0]["id"] if has_more else None
        else:
            page.older = posts[-1]["id"] if has_more else None
            page.newer = posts[0]["id"] if query.before is not None else None
    return page


async def _load_post(post_id: int) -> dict[str, Any] | None:
    return await Post.select(*CARD_COLUMNS).where(Post.id == post_id).first()


async def viewable_post(actor: Actor | None, post_id: int) -> dict[str, Any]:
    """The post row if ``actor`` may see it; otherwise NotFound, so existence is not revealed."""
    row = await _load_post(post_id)
    if row is None or not can(actor, "view_post", row):
        raise NotFound()
    return row


async def post_detail(actor: Actor | None, post_id: int) -> dict[str, Any]:
    """A post with its updates and the replies ``actor`` may see."""
    row = await viewable_post(actor, post_id)
    praying = await _praying_set(actor, [post_id])
    post = _present_post(actor, row, post_id in praying)
    post["updates"] = (
        await PostUpdate.select(PostUpdate.id, PostUpdate.body, PostUpdate.created_at)
        .where(PostUpdate.post == post_id)
        .order_by(PostUpdate.id)
    )
    replies = (
        await Reply.select(
            Reply.id,
            Reply.author,
            Reply.body,
            Reply.anonymous,
            Reply.moderation,
            Reply.moderation_reason,
            Reply.edited_by_moderator,
            Reply.created_at,
            Reply.edited_at,
            Reply.author.display_name.as_alias("author_display_name"),
            Reply.author.username.as_alias("author_username"),
        )
        .where(Reply.post == post_id)
        .order_by(Reply.id, ascending=False)
        .limit(REPLIES_PER_PAGE_LIMIT)
    )
    replies.reverse()
    post["replies"] = [_present_reply(actor, r) for r in replies if can(actor, "view_reply", r)]
    return post


def _present_reply(actor: Actor | None, row: dict[str, Any]) -> dict[str, Any]:
    apply_author(actor, row, "see_reply_author")
    return row


async def post_for_edit(actor: Actor, post_id: int) -> dict[str, Any]:
    row = await viewable_post(actor, post_id)
    if not can(actor, "edit_post", row):
        raise Forbidden("Only the author can edit this post.")
    return row


# ---------------------------------------------------------------------------------------------
# Writing


async def _refuse_blocked_words(text: str, field: str, data: dict[str, Any]) -> str | None:
    """Refuse text with a blocking watched word; return "review" when a word asks for review."""
    verdict, word = await moderation.screen_text(text)
    if verdict == "block":
        raise FormErrors(
            {field: f"Please rephrase: the word \u201c{word}\u201d can't be posted on this board."}, data
        )
    return verdict


async def create_post(actor: Actor, data: PostInput, rules: moderation.ModerationRules) -> int:
    """Publish a post, or hold it for review (a new member's first posts, watched words); returns its id."""
    if not can(actor, "create_post"):
        raise Forbidden("Your account cannot post right now.")
    verdict = await _refuse_blocked_words(f"{data.title}\n{data.body}", "body", data.__dict__)
    await moderation.check_rate(actor, "post", rules)
    held = verdict == "review" or await moderation.needs_first_post_approval(actor, rules)
    now = utcnow()
    rows = await Post.insert(
        Post(
            author=actor.id,
            kind=data.kind,
            title=data.title,
            body=data.body,
            category=data.category,
            visibility=data.visibility,
            anonymous=data.anonymous,
            moderation="pending" if held else "visible",
            created_at=now,
            last_activity_at=now,
        )
    ).returning(Post.id)
    return rows[0]["id"]


async def edit_post(actor: Actor, post_id: int, data: PostInput) -> None:
    # An edit is screened like a new post, so watched words cannot be slipped in afterwards.
    verdict = await _refuse_blocked_words(f"{data.title}\n{data.body}", "body", data.__dict__)
    async with transaction():
        row = await post_for_edit(actor, post_id)
        # A post a moderator made anonymous stays anonymous, whatever the author's form says.
        anonymous = data.anonymous or await moderation.anonymised_by_moderator(post_id)
        if verdict == "review" and row["moderation"] == "visible":
            await Post.update({Post.moderation: "pending"}).where(Post.id == post_id)
        await Post.update(
            {
                Post.kind: data.kind,
                Post.title: data.title,
                Post.body: data.body,
                Post.category: data.category,
                Post.visibility: data.visibility,
                Post.anonymous: anonymous,
                Post.edited_at: utcnow(),
            }
        ).where(Post.id == post_id)
        # Replies the author wrote in their own thread follow the post's anonymity.
        await Reply.update({Reply.anonymous: anonymous}).where(
            (Reply.post == post_id) & (Reply.author == actor.id)
        )


async def delete_post(actor: Actor, post_id: int) -> None:
    """The author removes their post, with its updates, replies and prayers, for good."""
    async with transaction():
        row = await viewable_post(actor, post_id)
        if not can(actor, "delete_post", row):
            raise Forbidden("Only the author can delete this post.")
        await Post.delete().where(Post.id == post_id)


async def add_update(actor: Actor, post_id: int, body: str) -> None:
    async with transaction():
        row = await viewable_post(actor, post_id)
        if not can(actor, "add_update", row):
            raise Forbidden("Only the author can add an update.")
        now = utcnow()
        await PostUpdate.insert(PostUpdate(post=post_id, body=body, created_at=now))
        await Post.update({Post.last_activity_at: now}).where(Post.id == post_id)


async def mark_answered(actor: Actor, post_id: int) -> None:
    async with transaction():
        row = await viewable_post(actor, post_id)
        if not can(actor, "mark_answered", row):
            raise Forbidden("Only the author can mark an open request answered.")
        now = utcnow()
        await Post.update(
            {Post.status: "answered", Post.answered_at: now, Post.last_activity_at: now}
        ).where(Post.id == post_id)


async def add_reply(actor: Actor, post_id: int, body: str, rules: moderation.ModerationRules) -> int:
    # Watched words block replies too; "review" words hold posts, not encouragement.
    await _refuse_blocked_words(body, "body", {"body": body})
    await moderation.check_rate(actor, "reply", rules)
    async with transaction():
        row = await viewable_post(actor, post_id)
        if not can(actor, "reply", row):
            if row["replies_locked"]:
                raise Forbidden("Replies to this post are closed.")
            raise Forbidden("You cannot reply to this post.")
        now = utcnow()
        # The author's replies in their own anonymous thread are anonymous too.
        anonymous = bool(row["anonymous"]) and row["author"] == actor.id
        rows = await Reply.insert(
            Reply(post=post_id, author=actor.id, body=body, anonymous=anonymous, created_at=now)
        ).returning(Reply.id)
        await Post.update(
            {Post.reply_count: Post.reply_count + 1, Post.last_activity_at: now}
        ).where(Post.id == post_id)
    return rows[0]["id"]


async def _own_reply(actor: Actor, post_id: int, reply_id: int, action: str) -> dict[str, Any]:
    await viewable_post(actor, post_id)
    reply = (
        await Reply.select(Reply.id, Reply.author, Reply.body, Reply.moderation, Reply.anonymous)
        .where((Reply.id == reply_id) & (Reply.post == post_id))
        .first()
    )
    if reply is None or not can(actor, "view_reply", reply):
        raise NotFound()
    if not can(actor, action, reply):
        raise Forbidden("Only the person who wrote this reply can change it.")
    return reply


async def reply_for_edit(actor: Actor, post_id: int, reply_id: int) -> dict[str, Any]:
    return await _own_reply(actor, post_id, reply_id, "edit_reply")


async def edit_reply(actor: Actor, post_id: int, reply_id: int, body: str) -> None:
    await _refuse_blocked_words(body, "body", {"body": body})
    async with transaction():
        await _own_reply(actor, post_id, reply_id, "edit_reply")
        await Reply.update({Reply.body: body, Reply.edited_at: utcnow()}).where(Reply.id == reply_id)


async def delete_reply(actor: Actor, post_id: int, reply_id: int) -> None:
    async with transaction():
        await _own_reply(actor, post_id, reply_id, "delete_reply")
        deleted = await Reply.delete().where(Reply.id == reply_id).returning(Reply.id)
        if deleted:
            await Post.update({Post.reply_count: Post.reply_count - 1}).where(Post.id == post_id)


@dataclass(frozen=True)
class PrayerState:
    praying: bool
    count: int


async def toggle_prayer(actor: Actor, post_id: int) -> PrayerState:
    """Press or unpress "I'm praying"; the count changes in the same transaction, so it stays exact."""
    async with transaction():
        row = await viewable_post(actor, post_id)
        if not can(actor, "pray", row):
            raise Forbidden("You cannot pray for this post right now.")
        inserted = await (
            Prayer.insert(Prayer(post=post_id, member=actor.id, created_at=utcnow()))
            .on_conflict(target=(Prayer.post, Prayer.member), action="DO NOTHING")
            .returning(Prayer.id)
        )
        if inserted:
            praying, delta = True, 1
        else:
            removed = await Prayer.delete().where(
                (Prayer.post == post_id) & (Prayer.member == actor.id)
            ).returning(Prayer.id)
            praying, delta = False, -1 if removed else 0
        if delta:
            await Post.update({Post.praying_count: Post.praying_count + delta}).where(Post.id == post_id)
        count = await Post.select(Post.praying_count).where(Post.id == post_id).first()
    return PrayerState(praying=praying, count=count["praying_count"])


async def post_defaults(actor: Actor) -> dict[str, Any]:
    """Starting values for a new post: the member's own privacy defaults."""
    row = (
        await Member.select(Member.default_visibility, Member.default_anonymous)
        .where(Member.id == actor.id)
        .first()
    )
    return {
        "kind": "request",
        "visibility": row["default_visibility"] if row else "public",
        "anonymous": bool(row and row["default_anonymous"]),
    }
