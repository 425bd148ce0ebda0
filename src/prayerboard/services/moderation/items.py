"""The post or reply a moderator looks at or acts on, and its state for the action table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prayerboard.services.errors import NotFound
from prayerboard.services.moderation.actions import ItemState
from prayerboard.tables import Flag, Post, Reply
from prayerboard.vocab import ModerationState, TargetKind


def table_for(kind: TargetKind) -> type[Post] | type[Reply]:
    return Reply if kind == TargetKind.REPLY else Post


@dataclass(frozen=True, slots=True)
class ItemRow:
    """A post or reply as moderation reads it, to act on it: the author's id is here so an
    action can tell them and log them; the views moderators are shown are made from this and
    carry it only where the item is named (``queue.ItemDetail``)."""

    kind: TargetKind
    id: int
    public_id: str
    post: int  # the post's row id: its own for a post, its thread's for a reply
    post_public_id: str
    author: int
    title: str  # "" for a reply
    body: str
    moderation: ModerationState
    moderation_reason: str
    anonymous: bool
    anonymised_for_good: bool  # a post a moderator made anonymous; False for a reply
    replies_locked: bool  # False for a reply

    @property
    def link(self) -> str:
        """Where the item is seen in place: by addresses, never row ids."""
        return f"/posts/{self.post_public_id}" + (f"#reply-{self.public_id}" if self.kind == TargetKind.REPLY else "")


async def load_item(kind: TargetKind, target_id: int) -> ItemRow:
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
        columns += [
            Post.title,
            Post.replies_locked,
            Post.anonymised_by_moderator,
            Post.public_id.as_alias("post_public_id"),
        ]
    else:
        columns += [Reply.post, Reply.post.public_id.as_alias("post_public_id")]
    row: dict[str, Any] | None = await table.select(*columns).where(table.id == target_id).first()
    if row is None:
        raise NotFound()
    return ItemRow(
        kind=kind,
        id=row["id"],
        public_id=row["public_id"],
        post=row["id"] if kind == TargetKind.POST else row["post"],
        post_public_id=row["post_public_id"],
        author=row["author"],
        title=row.get("title") or "",
        body=row["body"],
        moderation=ModerationState(row["moderation"]),
        moderation_reason=row["moderation_reason"],
        anonymous=bool(row["anonymous"]),
        anonymised_for_good=bool(row.get("anonymised_by_moderator", False)),
        replies_locked=bool(row.get("replies_locked", False)),
    )


async def has_open_reports(kind: TargetKind, target_id: int) -> bool:
    return bool(
        await Flag.exists().where(
            (Flag.target_kind == kind) & (Flag.target_id == target_id) & (Flag.resolved == False)  # noqa: E712
        )
    )


async def item_state(row: ItemRow) -> ItemState:
    """What the action table needs to know of an item."""
    return ItemState(
        kind=row.kind,
        moderation=row.moderation,
        replies_locked=row.replies_locked,
        open_reports=await has_open_reports(row.kind, row.id),
        anonymous=row.anonymous,
        anonymised_for_good=row.anonymised_for_good,
    )
