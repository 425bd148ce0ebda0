"""Member profiles: who someone is on the board, and what they wrote that the viewer may see.

A profile never lists an anonymous post or reply to anyone but its author: listing it under a
name would undo the very thing the author asked for. Nor does it list the member's replies in
their own anonymous thread, whose words would point back to them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from piccolo.query.methods.select import Select

from prayerboard import policy
from prayerboard.ids import looks_like_public_id
from prayerboard.policy import Actor, can
from prayerboard.rows import POST_COLUMNS, REPLY_COLUMNS, PostCard, PostRow, ReplyListing, ReplyRow
from prayerboard.services.accounts import username_key
from prayerboard.services.errors import NotFound
from prayerboard.services.posts import present_post, reply_listing
from prayerboard.tables import USERNAME_MAX, Member, Post, Reply
from prayerboard.text import excerpt
from prayerboard.vocab import MemberState

PROFILE_LIST_SIZE = 20  # posts, and replies, shown per page of a profile
# No public face on the board (pending: not yet admitted).
GONE_STATES = (MemberState.SUSPENDED, MemberState.DELETED, MemberState.PENDING)


@dataclass(frozen=True, slots=True)
class ProfileMember:
    """Who a profile is about, as anyone may see it: no id, the month joined and no more."""

    username: str
    display_name: str
    joined_month: str  # the month is enough; the day says more than needed
    joined_iso_month: str


@dataclass(frozen=True, slots=True)
class Profile:
    member: ProfileMember
    posts: list[PostCard]
    older_posts: str | None
    replies: list[ReplyListing]
    older_replies: str | None
    is_own: bool  # the viewer's own profile: the page offers their settings


async def _listed_member(username: str) -> dict[str, Any]:
    """The member named ``username`` (any letter case) if their profile may be shown; else NotFound."""
    # A name no one could have registered names nobody; NUL would also upset PostgreSQL.
    if not username or len(username) > USERNAME_MAX or not username.isprintable():
        raise NotFound()
    member = (
        await Member.select(Member.id, Member.username, Member.display_name, Member.state, Member.created_at)
        .where(Member.username_key == username_key(username))
        .first()
    )
    if member is None or member["state"] in GONE_STATES:
        raise NotFound()
    return member


async def _newest_first(
    listed: Callable[..., Select[Any]], table: type[Post] | type[Reply], columns: tuple[Any, ...], before: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of ``listed(*columns)``, newest first by keyset on the row id, and the next cursor.

    Cursors are public ids, like every address (docs/privacy.md, "Ids"). A cursor counts only
    if it is on this very list, so it tells nothing of a post or reply the viewer may not see
    here; any other starts from the top.
    """
    select = listed(*columns)
    if before and looks_like_public_id(before):
        cursor = await listed(table.id).where(table.public_id == before).first()
        if cursor is not None:
            select = select.where(table.id < cursor["id"])
    rows: list[dict[str, Any]] = await select.order_by(table.id, ascending=False).limit(PROFILE_LIST_SIZE + 1)
    older = rows[PROFILE_LIST_SIZE - 1]["public_id"] if len(rows) > PROFILE_LIST_SIZE else None
    return rows[:PROFILE_LIST_SIZE], older


async def _posts_by(
    actor: Actor | None, member_id: int, own: bool, before: str | None
) -> tuple[list[PostCard], str | None]:
    def listed(*columns: Any) -> Select[Post]:
        select = policy.visible_posts(actor, *columns).where(Post.author == member_id)
        return select if own else select.where(Post.anonymous.eq(False))

    found, older = await _newest_first(listed, Post, POST_COLUMNS, before)
    rows = [PostRow.from_row(r) for r in found]
    return [present_post(actor, r, False) for r in rows if can(actor, "see_author", r)], older


async def _replies_by(
    actor: Actor | None, member_id: int, own: bool, before: str | None
) -> tuple[list[ReplyListing], str | None]:
    def listed(*columns: Any) -> Select[Reply]:
        select = policy.visible_replies(actor, *columns).where(Reply.author == member_id)
        if own:
            return select
        # Their replies in their own anonymous thread would name the thread's author.
        thread: Any = Reply.post  # the join to the post (typed as a plain column)
        return select.where(Reply.anonymous.eq(False) & (thread.anonymous.eq(False) | (thread.author != member_id)))

    found, older = await _newest_first(listed, Reply, REPLY_COLUMNS, before)
    rows = [ReplyRow.from_row(r) for r in found]
    return [reply_listing(actor, r, excerpt(r.body)) for r in rows if can(actor, "see_reply_author", r)], older


async def profile(
    actor: Actor | None, username: str, posts_before: str | None = None, replies_before: str | None = None
) -> Profile:
    """A member's profile as ``actor`` may see it: name, month joined, their posts and replies.

    Anonymous posts and replies are listed to their author alone (the page marks them), never
    to anyone else. Suspended and deleted members, and names nobody holds, are NotFound.
    """
    member = await _listed_member(username)
    own = actor is not None and actor.id == member["id"]
    posts, older_posts = await _posts_by(actor, member["id"], own, posts_before)
    replies, older_replies = await _replies_by(actor, member["id"], own, replies_before)
    joined = member["created_at"]
    return Profile(
        member=ProfileMember(
            username=member["username"],
            display_name=member["display_name"],
            joined_month=f"{joined:%B %Y}",
            joined_iso_month=f"{joined:%Y-%m}",
        ),
        posts=posts,
        older_posts=older_posts,
        replies=replies,
        older_replies=older_replies,
        is_own=own,
    )
