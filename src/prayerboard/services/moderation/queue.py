"""What moderators read: the review queue, its waiting count, an item's page and a member's page.

Each page is handed a frozen view. None of them carries the member id or the name of an
anonymous post's or reply's author, nor why an anonymous post waits for approval: the one
place that decides either is ``ItemDetail.of`` (docs/privacy.md, "Acting on an anonymous
author"); an admin learns the author only through a reveal, which is logged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from prayerboard.policy import Actor, can
from prayerboard.rows import to_the_hour
from prayerboard.services import utcnow
from prayerboard.services.errors import NotFound
from prayerboard.services.moderation.actions import Action, ItemState, Place, offered
from prayerboard.services.moderation.items import ItemRow, item_state, load_item, table_for
from prayerboard.services.moderation.log import require_moderator
from prayerboard.services.moderation.reports import URGENT_REASON
from prayerboard.services.moderation.safeguarding import Panel, panel
from prayerboard.tables import Flag, Member, MemberNote, Revision
from prayerboard.vocab import MemberState, ModerationState, ReportReason, Role, TargetKind

HELD = [ModerationState.PENDING, ModerationState.HIDDEN]


def _reason_label(reason: str) -> str:
    parsed = ReportReason.parse(reason)
    return parsed.label if parsed is not None else reason


# ---------------------------------------------------------------------------------------------
# Views


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One post or reply waiting in the queue. It names no author, anonymous or not; an
    anonymous item's waiting time is no finer than the hour (``coarse``)."""

    kind: TargetKind
    address: str
    post_address: str
    title: str
    body: str
    moderation: ModerationState
    # "Waiting for approval" is all a page says of a held post: whether it was a first post or
    # a watched word would narrow down its author.
    state_label: str
    reasons: tuple[str, ...]  # the open reports' reasons, as labels, in the order made
    notes: tuple[str, ...]
    urgent: bool
    coarse: bool
    since: dt.datetime
    waited: dt.timedelta
    waited_hours: int


@dataclass(frozen=True, slots=True)
class ItemAuthor:
    """The named author of a post or reply, as a moderator sees them: never an anonymous one's."""

    member_id: int
    username: str


@dataclass(frozen=True, slots=True)
class ReportView:
    reason: str
    label: str
    note: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class RevisionView:
    """An earlier text of the item, kept for moderators."""

    title: str
    body: str
    created_at: dt.datetime
    by_moderator: bool


@dataclass(frozen=True, slots=True)
class ItemDetail:
    """A post or reply as a moderator sees it, with the actions that apply to it now."""

    kind: TargetKind
    address: str
    post_address: str
    title: str
    body: str
    moderation: ModerationState
    state_label: str
    reason: str  # why it is held, hidden or removed; "" for an anonymous post waiting for approval
    replies_locked: bool
    anonymous: bool
    author: ItemAuthor | None  # None for an anonymous item, always
    reports: tuple[ReportView, ...]
    revisions: tuple[RevisionView, ...]
    actions: tuple[Action, ...]
    can_redact: bool
    can_lift: bool
    safeguarding: Panel | None = None  # an urgent report's panel (docs/moderation.md, "Safeguarding")

    @classmethod
    def of(
        cls,
        row: ItemRow,
        author_username: str | None,
        reports: tuple[ReportView, ...],
        revisions: tuple[RevisionView, ...],
        allowed: dict[Place, tuple[Action, ...]],
        safeguarding: Panel | None = None,
    ) -> ItemDetail:
        """The one place that decides what a moderator learns of who wrote the item and why it waits."""
        return cls(
            kind=row.kind,
            address=row.public_id,
            post_address=row.post_public_id,
            title=row.title,
            body=row.body,
            moderation=row.moderation,
            state_label=row.moderation.label,
            # Why an anonymous post waits (a first post, a watched word) would narrow down its author.
            reason="" if row.anonymous and row.moderation == ModerationState.PENDING else row.moderation_reason,
            replies_locked=row.replies_locked,
            anonymous=row.anonymous,
            author=None if row.anonymous or author_username is None else ItemAuthor(row.author, author_username),
            reports=reports,
            revisions=revisions,
            actions=allowed.get(Place.BUTTONS, ()),
            can_redact=bool(allowed.get(Place.REDACT)),
            can_lift=bool(allowed.get(Place.LIFT)),
            safeguarding=safeguarding,
        )


@dataclass(frozen=True, slots=True)
class MemberNoteView:
    body: str
    created_at: dt.datetime
    by: str | None  # None: the moderator's account is gone


@dataclass(frozen=True, slots=True)
class MemberDetail:
    """A member as moderators see them on their page, with the private notes about them."""

    id: int
    username: str
    display_name: str
    role: Role
    state: MemberState
    created_at: dt.datetime
    notes: tuple[MemberNoteView, ...]
    actions: tuple[Action, ...]


@dataclass(slots=True)
class _Gathered:
    """A queue item while its reports and state are gathered, before it is frozen."""

    kind: TargetKind
    since: dt.datetime
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    urgent: bool = False


# ---------------------------------------------------------------------------------------------
# Reading


async def queue(actor: Actor | None) -> list[QueueItem]:
    """Reported, pending and hidden items: urgent first, then oldest first, with waiting time and reasons."""
    require_moderator(actor)
    now = utcnow()
    items: dict[tuple[TargetKind, int], _Gathered] = {}
    flags = (
        await Flag.select(Flag.target_kind, Flag.target_id, Flag.reason, Flag.note, Flag.created_at)
        .where(Flag.resolved == False)  # noqa: E712
        .order_by(Flag.id)
    )
    for f in flags:
        kind = TargetKind(f["target_kind"])
        item = items.setdefault((kind, f["target_id"]), _Gathered(kind, f["created_at"]))
        item.reasons.append(_reason_label(f["reason"]))
        if f["note"]:
            item.notes.append(f["note"])
        item.urgent = item.urgent or f["reason"] == URGENT_REASON
    for kind in (TargetKind.POST, TargetKind.REPLY):
        table = table_for(kind)
        rows = await table.select(table.id, table.created_at, table.edited_at).where(table.moderation.is_in(HELD))
        for row in rows:
            # An edit can hold a post again (a watched word): it waits from then, as a new post
            # does from its writing, so the wait does not tell which of the two held it.
            items.setdefault((kind, row["id"]), _Gathered(kind, row["edited_at"] or row["created_at"]))
    waiting: list[QueueItem] = []
    for (kind, target_id), item in items.items():
        try:
            found = await load_item(kind, target_id)
        except NotFound:
            # Reported, then deleted by its author: nothing is left to review.
            continue
        since = to_the_hour(item.since) if found.anonymous else item.since
        waited = now - since
        waiting.append(
            QueueItem(
                kind=kind,
                address=found.public_id,
                post_address=found.post_public_id,
                title=found.title,
                body=found.body,
                moderation=found.moderation,
                state_label=found.moderation.label,
                reasons=tuple(item.reasons),
                notes=tuple(item.notes),
                urgent=item.urgent,
                coarse=found.anonymous,
                since=since,
                waited=waited,
                waited_hours=int(waited.total_seconds() // 3600),
            )
        )
    return sorted(waiting, key=lambda i: (not i.urgent, i.since))


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


async def item_detail(actor: Actor | None, kind: TargetKind, target_id: int) -> ItemDetail:
    """A post or reply as a moderator sees it: text, state, open reports, earlier revisions, and
    the actions that apply to it now (from the action table; admins' actions to admins only).

    The author of an anonymous post is not named here, and their name is not even read;
    revealing them is a separate action.
    """
    moderator = require_moderator(actor)
    row = await load_item(kind, target_id)
    state = await item_state(row)
    author_username: str | None = None
    if not row.anonymous:
        table = table_for(kind)
        named = await table.select(table.author.username.as_alias("username")).where(table.id == target_id).first()
        author_username = named["username"] if named else None
    reports = await Flag.select(Flag.reason, Flag.note, Flag.created_at).where(
        (Flag.target_kind == kind) & (Flag.target_id == target_id) & (Flag.resolved == False)  # noqa: E712
    )
    revisions = (
        await Revision.select(Revision.title, Revision.body, Revision.created_at, Revision.by_moderator)
        .where((Revision.target_kind == kind) & (Revision.target_id == target_id))
        .order_by(Revision.id, ascending=False)
    )
    allowed = {
        place: tuple(action for action in offered(state, place) if can(moderator, action.permission))
        for place in (Place.BUTTONS, Place.REDACT, Place.LIFT)
    }
    return ItemDetail.of(
        row,
        author_username,
        reports=tuple(
            ReportView(reason=r["reason"], label=_reason_label(r["reason"]), note=r["note"], created_at=r["created_at"])
            for r in reports
        ),
        revisions=tuple(
            RevisionView(
                title=r["title"], body=r["body"], created_at=r["created_at"], by_moderator=bool(r["by_moderator"])
            )
            for r in revisions
        ),
        allowed=allowed,
        safeguarding=await panel(moderator, kind, target_id),
    )


async def member_detail(actor: Actor | None, member_id: int) -> MemberDetail:
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
    notes = (
        await MemberNote.select(MemberNote.body, MemberNote.created_at, MemberNote.author.username.as_alias("by"))
        .where(MemberNote.member == member_id)
        .order_by(MemberNote.id, ascending=False)
    )
    return MemberDetail(
        id=member["id"],
        username=member["username"],
        display_name=member["display_name"],
        role=Role(member["role"]),
        state=MemberState(member["state"]),
        created_at=member["created_at"],
        notes=tuple(MemberNoteView(body=n["body"], created_at=n["created_at"], by=n["by"]) for n in notes),
        actions=tuple(offered(ItemState(TargetKind.MEMBER))),
    )
