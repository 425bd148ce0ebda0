"""What goes with a deleted post or reply: everything keyed by it that no foreign key takes along.

Foreign keys already take a post's updates, replies, prayers and reports with it. But a
report on a reply, a revision and a notification's link name their object by kind and id
alone, and nothing in the database stops them outliving it. Ids are never given out twice
(docs/privacy.md, "Ids"), so such a row could never be shown with a later object; it would
still keep earlier text, a report or a pointer that the author asked to be gone. So these
functions delete them, inside the caller's transaction and before the object itself.

Kept on purpose: the moderation log (append-only; its entries then point at nothing) and
author restrictions (their post is set to null, and ``post_public_id`` still names it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from piccolo.columns.combination import Or, Where

from prayerboard.tables import Flag, Notification, Post, Reply, Revision

_CHUNK = 200  # ids per statement: well under SQLite's and PostgreSQL's parameter limits


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _addresses(row: dict[str, Any]) -> tuple[str, ...]:
    """Every way a link may name the object: its row id and its public id."""
    return tuple(str(value) for value in (row["id"], row.get("public_id")) if value)


def _any_of(conditions: list[Where | Or]) -> Where | Or:
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = combined | condition
    return combined


async def _forget_keyed(target_kind: str, ids: Sequence[int]) -> None:
    """Delete the reports and revisions of these posts or replies."""
    for chunk in _chunks(ids):
        for table in (Flag, Revision):
            await table.delete().where((table.target_kind == target_kind) & table.target_id.is_in(list(chunk)))


async def _forget_links(conditions: list[Where | Or]) -> None:
    for chunk in _chunks(conditions):
        await Notification.delete().where(_any_of(list(chunk)))


async def forget_replies(reply_ids: Sequence[int]) -> None:
    """Before deleting these replies: their reports, revisions and notifications that link to them."""
    if not reply_ids:
        return
    await _forget_keyed("reply", reply_ids)
    links: list[Where | Or] = []
    for chunk in _chunks(reply_ids):
        rows = await Reply.select(
            Reply.id,
            Reply.public_id,
            Reply.post.id.as_alias("post_id"),
            Reply.post.public_id.as_alias("post_public_id"),
        ).where(Reply.id.is_in(list(chunk)))
        for row in rows:
            posts = _addresses({"id": row["post_id"], "public_id": row["post_public_id"]})
            links += [
                Notification.link == f"/posts/{post}#reply-{reply}" for post in posts for reply in _addresses(row)
            ]
    await _forget_links(links)


async def forget_posts(post_ids: Sequence[int]) -> None:
    """Before deleting these posts: what is keyed by them and by their replies.

    Their replies' reports and revisions, their own reports and revisions, and every
    notification that links to them or into them. Updates, replies and prayers go with the
    post through their foreign keys.
    """
    if not post_ids:
        return
    reply_ids: list[int] = []
    links: list[Where | Or] = []
    for chunk in _chunks(post_ids):
        reply_ids += [row["id"] for row in await Reply.select(Reply.id).where(Reply.post.is_in(list(chunk)))]
        for row in await Post.select(Post.id, Post.public_id).where(Post.id.is_in(list(chunk))):
            for address in _addresses(row):
                links += [Notification.link == f"/posts/{address}", Notification.link.like(f"/posts/{address}#%")]
    await _forget_keyed("reply", reply_ids)
    await _forget_keyed("post", post_ids)
    await _forget_links(links)
