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

from prayerboard.forms import FormErrors
from prayerboard.policy import Actor, can
from prayerboard.rows import to_the_hour
from prayerboard.services import posts, utcnow
from prayerboard.services.errors import NotFound
from prayerboard.services.moderation import perform
from prayerboard.services.moderation.actions import TABLE, Action, Effect, ItemState, Place, lookup, offered
from prayerboard.services.moderation.items import ItemRow, item_state, load_item, table_for
from prayerboard.services.moderation.log import (
    ADMIN_ONLY_LOG_ACTIONS,
    CONFIRM_ACTION,
    LogEntry,
    require_moderator,
)
from prayerboard.services.moderation.reports import URGENT_REASON
from prayerboard.services.moderation.safeguarding import EMAIL_SHOWN, REACHED_OUT, WROTE_TO_AUTHOR, Panel, panel
from prayerboard.tables import Flag, Member, MemberNote, ModerationLogEntry, Post, Reply, Revision
from prayerboard.vocab import (
    MODERATOR_ROLES,
    MemberState,
    ModerationState,
    ReportReason,
    Role,
    TargetKind,
    WatchedWordAction,
)

HELD = [ModerationState.PENDING, ModerationState.HIDDEN]

# The queue's filters, as the page names them (``?show=``).
FILTERS: dict[str, str] = {
    "urgent": "Urgent",
    "reports": "Reported",
    "pending": "Pending approval",
    "hidden": ModerationState.HIDDEN.label,
}
# What can be done to many queue items at once: nothing that needs a reason, nothing that
# cannot be undone.
BULK_ACTIONS = ("approve", "dismiss")
BULK_MAX = 100  # items in one bulk request: a page of the queue, with room to spare
HISTORY_MAX = 100  # log entries on a member's page


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
    notes: tuple[str, ...]  # the reports' notes, each different one once
    urgent: bool
    coarse: bool
    since: dt.datetime
    waited: dt.timedelta
    waited_hours: int

    @property
    def reason_counts(self) -> tuple[tuple[str, int], ...]:
        """Each reason once with how many reports gave it ("Unkind or harmful", 3), in the order
        first given."""
        counts: dict[str, int] = {}
        for reason in self.reasons:
            counts[reason] = counts.get(reason, 0) + 1
        return tuple(counts.items())

    @property
    def selector(self) -> str:
        """How the queue's bulk form names the item: its kind and address."""
        return f"{self.kind.value}:{self.address}"

    def matches(self, show: str | None) -> bool:
        """Whether the item belongs under the filter ``show`` (None: all of them)."""
        if show == "urgent":
            return self.urgent
        if show == "reports":
            return bool(self.reasons)
        if show == "pending":
            return self.moderation == ModerationState.PENDING
        if show == "hidden":
            return self.moderation == ModerationState.HIDDEN
        return show is None


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
    # The log entries about them, and about what they wrote under their name: never about an
    # anonymous post or reply (docs/privacy.md, "Acting on an anonymous author").
    history: tuple[LogEntry, ...] = ()


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


@dataclass(frozen=True, slots=True)
class QueuePage:
    """The queue as its page shows it: the items under the filter chosen, and how many each
    filter holds."""

    items: list[QueueItem]
    show: str | None
    counts: dict[str, int]
    total: int


async def queue_page(actor: Actor | None, show: str | None) -> QueuePage:
    """The review queue under the filter ``show`` (None: everything), with each filter's count."""
    everything = await queue(actor)
    return QueuePage(
        items=[item for item in everything if item.matches(show)],
        show=show,
        counts={name: sum(1 for item in everything if item.matches(name)) for name in FILTERS},
        total=len(everything),
    )


def parse_filter(raw: object) -> str | None:
    """The queue filter named by ``?show=``; anything else shows the whole queue."""
    return raw if isinstance(raw, str) and raw in FILTERS else None


async def queue(actor: Actor | None) -> list[QueueItem]:
    """Reported, pending and hidden items: urgent first, then oldest first, with waiting time and
    reasons. Each item is there once, however many reports it has."""
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
        if f["note"] and f["note"] not in item.notes:
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
    """A member as moderators see them: the private notes about them, their history in the log,
    and the actions that fit their state (a moderator's or an admin's state is an admin's to change)."""
    moderator = require_moderator(actor)
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
    state, role = MemberState(member["state"]), Role(member["role"])
    may_change_state = role not in MODERATOR_ROLES or moderator.role == Role.ADMIN
    return MemberDetail(
        id=member["id"],
        username=member["username"],
        display_name=member["display_name"],
        role=role,
        state=state,
        created_at=member["created_at"],
        notes=tuple(MemberNoteView(body=n["body"], created_at=n["created_at"], by=n["by"]) for n in notes),
        actions=tuple(
            action
            for action in offered(ItemState(TargetKind.MEMBER))
            if action.fits_member(state) and (may_change_state or action.effect != Effect.MEMBER_STATE)
        ),
        history=await member_history(moderator, member_id),
    )


async def member_history(reader: Actor, member_id: int) -> tuple[LogEntry, ...]:
    """The log entries about a member, newest first: those about the member as such, and those
    about a post or reply of theirs that is named now.

    An entry about an anonymous post or reply, or one that is gone (it may have been anonymous),
    is left out: listing it here would tell who wrote it (docs/privacy.md, "Acting on an
    anonymous author"). Restrictions placed through a post never name the member at all.
    """
    query = ModerationLogEntry.select(
        ModerationLogEntry.action,
        ModerationLogEntry.target_kind,
        ModerationLogEntry.target_id,
        ModerationLogEntry.reason,
        ModerationLogEntry.created_at,
        ModerationLogEntry.moderator.username.as_alias("moderator_username"),
        ModerationLogEntry.member.username.as_alias("member_username"),
    ).where(ModerationLogEntry.member == member_id)
    if not can(reader, "reveal_author"):
        query = query.where(ModerationLogEntry.action.not_in(ADMIN_ONLY_LOG_ACTIONS))
    rows: list[dict[str, Any]] = await query.order_by(ModerationLogEntry.id, ascending=False).limit(HISTORY_MAX)
    named: dict[TargetKind, dict[int, str]] = {}
    for kind, table in ((TargetKind.POST, Post), (TargetKind.REPLY, Reply)):
        ids = sorted({r["target_id"] for r in rows if r["target_kind"] == kind})
        found = (
            await table.select(table.id, table.public_id).where(
                table.id.is_in(ids) & (table.author == member_id) & (table.anonymous == False)  # noqa: E712
            )
            if ids
            else []
        )
        named[kind] = {r["id"]: r["public_id"] for r in found}
    return tuple(
        LogEntry.from_row(row, named)
        for row in rows
        if row["target_kind"] == TargetKind.MEMBER or row["target_id"] in named.get(TargetKind(row["target_kind"]), {})
    )


# ---------------------------------------------------------------------------------------------
# The log's action filter


def log_actions(actor: Actor | None) -> list[tuple[str, str]]:
    """Every action the log records, as (value, label) for the log's filter, in a sensible
    order: the action table first, then the safeguarding steps, then the board's and admins'
    own. An admin-only entry is offered to admins only."""
    reader = require_moderator(actor)
    choices: dict[str, str] = {}
    for action in TABLE:
        label = action.label.removesuffix(" (admins; logged)")
        if action.effect == Effect.LIFT_RESTRICTION:
            label = "Lift a restriction on a post's author"
        elif action.effect == Effect.REDACT:
            label = "Redact"
        elif action.effect == Effect.NOTE:
            label = "Note about a member"
        elif action.kinds == {TargetKind.MEMBER}:
            label = f"{label} a member"
        choices.setdefault(action.log_action, label)
    choices.update(
        {
            EMAIL_SHOWN: "Safeguarding: email address shown",
            WROTE_TO_AUTHOR: "Safeguarding: wrote to the author",
            REACHED_OUT: "Safeguarding: reached out",
            "auto_hide": "Hidden after reports (by the board)",
            "edit_after_redaction": "Author edited redacted text",
            "approve_member": "Approve an applicant",
            "decline_member": "Decline an applicant",
            "invite": "Invitation made",
            "revoke_invite": "Invitation revoked",
        }
    )
    choices.update({f"role_{role.value}": f"Role set to {role.label}" for role in Role})
    choices.update({f"watch_{word.value}": f"Watched word added ({word.label})" for word in WatchedWordAction})
    choices["unwatch"] = "Watched word removed"
    if can(reader, "reveal_author"):
        choices[CONFIRM_ACTION] = "Confirm a restriction (admins)"
    return list(choices.items())


# ---------------------------------------------------------------------------------------------
# Acting on many queue items at once


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    """What a bulk action did: how many items it was done to, and those it could not be done to."""

    done: int
    refused: tuple[str, ...]  # "post abc123 (Visible)": each item it did not apply to, or gone


async def bulk(actor: Actor | None, action_name: str, selected: list[str]) -> BulkOutcome:
    """Approve or dismiss the reports on several queue items, each through ``perform`` as if
    done one by one: the policy checked, the action and its log entry in one transaction per
    item. An item the action no longer applies to (another moderator got there first) or that is
    gone is left as it is and reported back; the others are done."""
    moderator = require_moderator(actor)
    if action_name not in BULK_ACTIONS:
        raise FormErrors({"action": "Choose approve or dismiss."}, {})
    chosen = list(dict.fromkeys(selected))
    if not chosen:
        raise FormErrors({"item": "Select at least one item first."}, {})
    if len(chosen) > BULK_MAX:
        raise FormErrors({"item": f"Select at most {BULK_MAX} items at a time."}, {})
    done, refused = 0, []
    for selector in chosen:
        kind_name, _, address = selector.partition(":")
        kind = TargetKind.parse(kind_name)
        action = lookup(action_name, kind) if kind in (TargetKind.POST, TargetKind.REPLY) else None
        if kind is None or action is None:
            refused.append(f"{selector[:40]} (not a post or reply)")
            continue
        try:
            number = await (
                posts.post_number(address) if kind == TargetKind.POST else posts.reply_number(None, address)
            )
            await perform.on_content(moderator, action, kind, number, perform.Content())
        except NotFound:
            refused.append(f"{kind.value} {address[:40]} (gone)")
        except perform.NotApplicable:
            why = "no open reports" if action.effect == Effect.DISMISS else "no longer waiting for approval"
            refused.append(f"{kind.value} {address} ({why})")
        else:
            done += 1
    return BulkOutcome(done=done, refused=tuple(refused))
