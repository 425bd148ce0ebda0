"""Retention: quiet requests are archived (kept, off the board); their author can renew them."""

from __future__ import annotations

import datetime as dt

from prayerboard.db import transaction
from prayerboard.policy import Actor, require
from prayerboard.services import utcnow
from prayerboard.services.posts import viewable_post
from prayerboard.tables import Post
from prayerboard.vocab import PostKind, PostStatus


async def archive_inactive(after_days: int) -> int:
    """Archive open requests with no activity for ``after_days`` days; returns how many."""
    if after_days <= 0:
        return 0
    cutoff = utcnow() - dt.timedelta(days=after_days)
    archived = (
        await Post.update({Post.status: PostStatus.ARCHIVED})
        .where((Post.kind == PostKind.REQUEST) & (Post.status == PostStatus.OPEN) & (Post.last_activity_at < cutoff))
        .returning(Post.id)
    )
    return len(archived)


async def renew_post(actor: Actor, post_id: int) -> None:
    """Bring an archived request back to the board, as if it had just had news."""
    async with transaction():
        row = await viewable_post(actor, post_id)
        require(actor, "renew_post", row, "Only the author can renew an archived request.")
        await Post.update({Post.status: PostStatus.OPEN, Post.last_activity_at: utcnow()}).where(Post.id == post_id)
