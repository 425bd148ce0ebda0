"""The post or reply a moderator looks at or acts on, and its state for the action table."""

from __future__ import annotations

from typing import Any

from prayerboard.services.errors import NotFound
from prayerboard.services.moderation.actions import ItemState
from prayerboard.tables import Flag, Post, Reply
from prayerboard.vocab import ModerationState, TargetKind


def table_for(kind: TargetKind) -> type[Post] | type[Reply]:
    return Reply if kind == TargetKind.REPLY else Post


async def load_item(kind: TargetKind, target_id: int) -> dict[str, Any]:
    """A post's or reply's row as moderation reads it; NotFound when it is gone."""
    table = table_for(kind)
    columns: list[Any] = [
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
    row: dict[str, Any] | None = await table.select(*columns).where(table.id == target_id).first()
    if row is None:
        raise NotFound()
    return row


def content_link(row: dict[str, Any], kind: TargetKind) -> str:
    """Where a post or reply (a ``load_item`` row) is seen in place: by addresses, never row ids."""
    return f"/posts/{row['post_public_id']}" + (f"#reply-{row['public_id']}" if kind == TargetKind.REPLY else "")


async def has_open_reports(kind: TargetKind, target_id: int) -> bool:
    return bool(
        await Flag.exists().where(
            (Flag.target_kind == kind) & (Flag.target_id == target_id) & (Flag.resolved == False)  # noqa: E712
        )
    )


async def item_state(kind: TargetKind, row: dict[str, Any]) -> ItemState:
    """What the action table needs to know of a ``load_item`` row."""
    return ItemState(
        kind=kind,
        moderation=ModerationState(row["moderation"]),
        replies_locked=bool(row.get("replies_locked", False)),
        open_reports=await has_open_reports(kind, row["id"]),
        anonymous=bool(row["anonymous"]),
    )
