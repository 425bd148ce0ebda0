"""What moderators read: the review queue, its waiting count, an item's page and a member's page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prayerboard.policy import Actor, can
from prayerboard.services import utcnow
from prayerboard.services.errors import NotFound
from prayerboard.services.moderation.actions import ItemState, Place, offered
from prayerboard.services.moderation.items import item_state, load_item, table_for
from prayerboard.services.moderation.log import require_moderator
from prayerboard.services.moderation.reports import URGENT_REASON
from prayerboard.tables import Flag, Member, MemberNote, Post, Reply, Revision
from prayerboard.vocab import ModerationState, ReportReason, TargetKind

HELD = [ModerationState.PENDING, ModerationState.HIDDEN]


def to_the_hour(moment: Any) -> Any:
    """An anonymous item's time, no finer than the hour (docs/privacy.md, "Times")."""
    return moment.replace(minute=0, second=0, microsecond=0) if isinstance(moment, dt.datetime) else moment


def _reason_label(reason: str) -> str:
    parsed = ReportReason.parse(reason)
    return parsed.label if parsed is not None else reason


def _state_label(state: str) -> str:
    # "Waiting for approval" is all a page says of a held post: whether it was a first post or a
    # watched word would narrow down its author.
    parsed = ModerationState.parse(state)
    return parsed.label if parsed is not None else state


async def queue(actor: Actor | None) -> list[dict[str, Any]]:
    """Reported, pending and hidden items: urgent first, then oldest first, with waiting time and reasons."""
    require_moderator(actor)
    now = utcnow()
    items: dict[tuple[str, int], dict[str, Any]] = {}
    flags = (
        await Flag.select(Flag.target_kind, Flag.target_id, Flag.post, Flag.reason, Flag.note, Flag.created_at)
        .where(Flag.resolved == False)  # noqa: E712
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
        item["reasons"].append(_reason_label(f["reason"]))
        if f["note"]:
            item["notes"].append(f["note"])
        item["urgent"] = item["urgent"] or f["reason"] == URGENT_REASON
    for kind in (TargetKind.POST, TargetKind.REPLY):
        table = table_for(kind)
        columns: list[Any] = [table.id, table.moderation, table.created_at, table.edited_at, table.body]
        columns.append(Post.title if table is Post else Reply.post)
        rows = await table.select(*columns).where(table.moderation.is_in(HELD))
        for row in rows:
            # An edit can hold a post again (a watched word): it waits from then, as a new post
            # does from its writing, so the wait does not tell which of the two held it.
            item = items.setdefault(
                (kind.value, row["id"]),
                {
                    "kind": kind.value,
                    "id": row["id"],
                    "post_id": row["id"] if kind == TargetKind.POST else row["post"],
                    "since": row["edited_at"] or row["created_at"],
                    "reasons": [],
                    "notes": [],
                    "urgent": False,
                    "state": row["moderation"],
                },
            )
            if item["state"] == "reported" and row["moderation"] != ModerationState.VISIBLE:
                item["state"] = row["moderation"]
    for (kind_name, target_id), item in list(items.items()):
        try:
            row = await load_item(TargetKind(kind_name), target_id)
        except NotFound:
            # Reported, then deleted by its author: nothing is left to review.
            del items[(kind_name, target_id)]
            continue
        item["title"] = row.get("title") or ""
        item["address"], item["post_address"] = row["public_id"], row["post_public_id"]
        item["body"] = row["body"]
        item["moderation"] = row["moderation"]
        item["state_label"] = _state_label(row["moderation"])
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
    for kind in (TargetKind.POST, TargetKind.REPLY):
        table = table_for(kind)
        held = await table.select(table.id).where(table.moderation.is_in(HELD))
        reported = (
            await Flag.select(Flag.target_id)
            .where(
                (Flag.resolved == False)  # noqa: E712
                & (Flag.target_kind == kind)
                & Flag.target_id.is_in(table.select(table.id))  # a deleted item waits for nobody
            )
            .distinct()
        )
        waiting.update((kind.value, r["id"]) for r in held)
        waiting.update((kind.value, r["target_id"]) for r in reported)
    return len(waiting)


async def item_detail(actor: Actor | None, kind: TargetKind, target_id: int) -> dict[str, Any]:
    """A post or reply as a moderator sees it: text, state, open reports, earlier revisions, and
    the actions that apply to it now (from the action table; admins' actions to admins only).

    The author of an anonymous post is not named here; revealing them is a separate action.
    """
    moderator = require_moderator(actor)
    row = await load_item(kind, target_id)
    state = await item_state(kind, row)
    table = table_for(kind)
    extra = (
        await table.select(table.moderation_reason, table.author.username.as_alias("author_username"))
        .where(table.id == target_id)
        .first()
    )
    reports = await Flag.select(Flag.reason, Flag.note, Flag.created_at).where(
        (Flag.target_kind == kind) & (Flag.target_id == target_id) & (Flag.resolved == False)  # noqa: E712
    )
    revisions = (
        await Revision.select(Revision.title, Revision.body, Revision.created_at, Revision.by_moderator)
        .where((Revision.target_kind == kind) & (Revision.target_id == target_id))
        .order_by(Revision.id, ascending=False)
    )

    def allowed(place: Place) -> list[Any]:
        return [action for action in offered(state, place) if can(moderator, action.permission)]

    return {
        "kind": kind.value,
        "id": target_id,
        "post_id": row["id"] if kind == TargetKind.POST else row["post"],
        "address": row["public_id"],
        "post_address": row["post_public_id"],
        "title": row.get("title") or "",
        "body": row["body"],
        "moderation": row["moderation"],
        "state_label": _state_label(row["moderation"]),
        # Why an anonymous post waits (a first post, a watched word) would narrow down its author.
        "reason": ""
        if not extra or (row["anonymous"] and row["moderation"] == ModerationState.PENDING)
        else extra["moderation_reason"],
        "replies_locked": row.get("replies_locked", False),
        "anonymous": row["anonymous"],
        "author_username": None if row["anonymous"] else (extra or {}).get("author_username"),
        "member_id": None if row["anonymous"] else row["author"],
        "reports": [{**r, "label": _reason_label(r["reason"])} for r in reports],
        "revisions": revisions,
        "actions": allowed(Place.BUTTONS),
        "can_redact": bool(allowed(Place.REDACT)),
        "can_lift": bool(allowed(Place.LIFT)),
    }


async def member_detail(actor: Actor | None, member_id: int) -> dict[str, Any]:
    """A member as moderators see them, with the private notes about them."""
    require_moderator(actor)
    member: dict[str, Any] | None = (
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
    member["actions"] = offered(ItemState(TargetKind.MEMBER))
    return member
