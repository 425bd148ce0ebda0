"""Safeguarding: what a moderator can do next about an urgent "someone may be in danger" report.

docs/moderation.md, "Safeguarding". While a post or reply has an urgent report, its item page
shows a panel: the reporters' notes, what to do next, and three steps, each logged in its own
transaction by ``log.record``:

- ``show_email``: a named author's address, shown to this moderator only when asked for
  (``email_shown``, naming the author);
- ``write_to_author``: a message mailed to the author through the outbox, signed by "the
  moderators" (``wrote_to_author``); for an anonymous author the only way to reach them, since
  their address would name them (docs/privacy.md, "Acting on an anonymous author"), and the
  entry then names nobody;
- ``mark_reached_out``: "reached out", with an optional note (``reached_out``), as often as
  moderators reach out.

Every answer about an anonymous author is the same whoever the author is: their address, its
state and their account are read only to send the message, never to decide what the moderator
is told.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from prayerboard import policy
from prayerboard.db import transaction
from prayerboard.forms import FormErrors, clean_text
from prayerboard.policy import Actor
from prayerboard.services import outbox, utcnow
from prayerboard.services.errors import NotFound, ServiceError
from prayerboard.services.moderation.items import ItemRow, load_item
from prayerboard.services.moderation.log import MODERATORS_ONLY, Target, record
from prayerboard.services.moderation.reports import URGENT_REASON
from prayerboard.tables import Flag, Member, ModerationLogEntry
from prayerboard.vocab import MailKind, MemberState, TargetKind

EMAIL_SHOWN = "email_shown"
WROTE_TO_AUTHOR = "wrote_to_author"
REACHED_OUT = "reached_out"
# The log entries the panel lists, with what it says of each.
STEPS = {
    EMAIL_SHOWN: "Email address shown to",
    WROTE_TO_AUTHOR: "Written to the author by",
    REACHED_OUT: "Reached out by",
}
# A report settled by a moderator's decision (hiding the post settles it) keeps the panel this
# long: hiding first and reaching out afterwards must stay possible.
SETTLED_KEPT = dt.timedelta(days=7)
MESSAGE_MAX = 2000
WRITES_PER_DAY = 3  # messages from one moderator to one item's author
NOTE_MAX = 500
ANONYMOUS_REFUSAL = (
    "The author of an anonymous post or reply is never named to moderators, so their address is "
    "not shown. Write to them below instead: the board sends your message."
)


class NoUrgentReport(ServiceError):
    """There is no urgent report on this item, so there is nothing to do here. Nothing was changed."""

    status_code = 409


class NoAddress(ServiceError):
    """The author has no confirmed email address to write to. Nothing was sent."""

    status_code = 409


class OwnReportOnly(ServiceError):
    """Only your own report is urgent here: another moderator takes these steps. Nothing was changed."""

    status_code = 409


class TooManyMessages(ServiceError):
    """You have written to this author three times today. Another moderator can write, or try again tomorrow."""

    status_code = 409


class AuthorIsAnonymous(ServiceError):
    status_code = 409

    def __init__(self) -> None:
        super().__init__(ANONYMOUS_REFUSAL)


# ---------------------------------------------------------------------------------------------
# Views


@dataclass(frozen=True, slots=True)
class UrgentReport:
    """One urgent report: the reporter's words (never the reporter's name) and when it was made."""

    note: str
    created_at: dt.datetime
    settled: bool


@dataclass(frozen=True, slots=True)
class Step:
    """What a moderator did about the report, from the log."""

    action: str
    label: str
    by: str | None  # None: the moderator's account is gone
    note: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Panel:
    """The "Someone may be in danger" panel of an item page."""

    reports: tuple[UrgentReport, ...]
    steps: tuple[Step, ...]  # newest first
    named: bool  # the author is named: their address may be shown; else only written to


@dataclass(frozen=True, slots=True)
class ShownEmail:
    """A named author's address, shown to one moderator who asked for it (logged)."""

    username: str
    address: str
    confirmed: bool


# ---------------------------------------------------------------------------------------------
# Reading


def require_reach_out(actor: Actor | None) -> Actor:
    """The actor, if they may act on urgent reports; visitors are sent to sign in, others refused."""
    return policy.require(actor, "reach_out", refusal=MODERATORS_ONLY)


async def _urgent_reports(kind: TargetKind, target_id: int) -> tuple[UrgentReport, ...]:
    """The item's urgent reports still open, and those settled within ``SETTLED_KEPT``; oldest first."""
    since = utcnow() - SETTLED_KEPT
    rows = (
        await Flag.select(Flag.note, Flag.created_at, Flag.resolved)
        .where(
            (Flag.target_kind == kind)
            & (Flag.target_id == target_id)
            & (Flag.reason == URGENT_REASON)
            & ((Flag.resolved == False) | (Flag.created_at >= since))  # noqa: E712
        )
        .order_by(Flag.id)
    )
    return tuple(UrgentReport(note=r["note"], created_at=r["created_at"], settled=bool(r["resolved"])) for r in rows)


async def _steps(kind: TargetKind, target_id: int) -> tuple[Step, ...]:
    rows = (
        await ModerationLogEntry.select(
            ModerationLogEntry.action,
            ModerationLogEntry.reason,
            ModerationLogEntry.created_at,
            ModerationLogEntry.moderator.username.as_alias("by"),
        )
        .where(
            (ModerationLogEntry.target_kind == kind)
            & (ModerationLogEntry.target_id == target_id)
            & ModerationLogEntry.action.is_in(list(STEPS))
        )
        .order_by(ModerationLogEntry.id, ascending=False)
    )
    return tuple(
        Step(
            action=r["action"],
            label=STEPS[r["action"]],
            by=r["by"],
            # What was written to the author stays in the log; the panel says only that it was.
            note=r["reason"] if r["action"] == REACHED_OUT else "",
            created_at=r["created_at"],
        )
        for r in rows
    )


async def panel(actor: Actor | None, kind: TargetKind, target_id: int) -> Panel | None:
    """The panel for a post or reply, or None when it has no urgent report (or the actor may not act)."""
    if actor is None or not policy.can(actor, "reach_out"):
        return None
    reports = await _urgent_reports(kind, target_id)
    if not reports:
        return None
    row = await load_item(kind, target_id)
    return Panel(reports=reports, steps=await _steps(kind, target_id), named=not row.anonymous)


# ---------------------------------------------------------------------------------------------
# Acting


async def _urgent_item(kind: TargetKind, target_id: int, actor: Actor) -> ItemRow:
    """The item, inside the step's transaction, refused unless it has an urgent report that
    someone other than this moderator made: a moderator cannot open these steps (an author's
    address, a message to an anonymous author) with a report of their own."""
    row = await load_item(kind, target_id)
    if not await _urgent_reports(kind, target_id):
        raise NoUrgentReport()
    since = utcnow() - SETTLED_KEPT
    by_others = await Flag.exists().where(
        (Flag.target_kind == kind)
        & (Flag.target_id == target_id)
        & (Flag.reason == URGENT_REASON)
        & (Flag.reporter != actor.id)
        & ((Flag.resolved == False) | (Flag.created_at >= since))  # noqa: E712
    )
    if not by_others:
        raise OwnReportOnly()
    return row


async def _check_writing_limit(actor: Actor, kind: TargetKind, target_id: int) -> None:
    """A moderator writes to one author at most ``WRITES_PER_DAY`` times a day: the board's
    name on the mail is not for a campaign by one person."""
    written = await ModerationLogEntry.count().where(
        (ModerationLogEntry.moderator == actor.id)
        & (ModerationLogEntry.action == WROTE_TO_AUTHOR)
        & (ModerationLogEntry.target_kind == kind)
        & (ModerationLogEntry.target_id == target_id)
        & (ModerationLogEntry.created_at >= utcnow() - dt.timedelta(days=1))
    )
    if written >= WRITES_PER_DAY:
        raise TooManyMessages()


async def check(actor: Actor | None, kind: TargetKind, target_id: int) -> None:
    """Refuse early (forbidden, gone, no urgent report) before a form is read."""
    moderator = require_reach_out(actor)
    await _urgent_item(kind, target_id, moderator)


async def show_email(actor: Actor | None, kind: TargetKind, target_id: int) -> ShownEmail:
    """A named author's address for this moderator, logged as ``email_shown`` in one transaction.

    Refused for an anonymous post or reply: its author's address would name them.
    """
    moderator = require_reach_out(actor)
    async with transaction():
        row = await _urgent_item(kind, target_id, moderator)
        if row.anonymous:
            raise AuthorIsAnonymous()
        author: dict[str, Any] | None = (
            await Member.select(Member.username, Member.email, Member.email_confirmed)
            .where(Member.id == row.author)
            .first()
        )
        if author is None:
            raise NotFound()
        await record(
            moderator, EMAIL_SHOWN, Target(kind, target_id), row.author, "to reach the author about an urgent report"
        )
    return ShownEmail(username=author["username"], address=author["email"], confirmed=bool(author["email_confirmed"]))


def clean_message(raw: Any) -> str:
    message = clean_text(raw, multiline=True)
    if not message:
        raise FormErrors({"message": "Please write the message the author should read."}, {})
    if len(message) > MESSAGE_MAX:
        raise FormErrors({"message": f"Please keep the message under {MESSAGE_MAX} characters."}, {"message": message})
    return message


def clean_note(raw: Any) -> str:
    note = clean_text(raw, multiline=False)
    if len(note) > NOTE_MAX:
        raise FormErrors({"note": f"Please keep the note under {NOTE_MAX} characters."}, {"note": note})
    return note


def _mail_text(board_name: str, message: str, link: str) -> str:
    """The author's message: from "the moderators" of the board, never from one of them by name.

    ``link`` is the item's page, or for an anonymous item the sign-in page: whoever else reads
    the author's mail must not learn which anonymous post is theirs.
    """
    return (
        f"The moderators of {board_name} are writing to you about something you wrote on the board.\n\n"
        f"{message}\n\n"
        f"You can see it on the board (sign in first): {link}\n\n"
        "If you or someone near you may be in danger right now, please call your local emergency services.\n\n"
        f"— The moderators of {board_name}\n"
    )


async def write_to_author(
    actor: Actor | None, kind: TargetKind, target_id: int, message: str, board_name: str, link_base: str
) -> None:
    """Mail ``message`` to the item's author through the outbox and log ``wrote_to_author``, together.

    Mail goes only to a confirmed address, as all the board's mail does. For a named author
    without one the moderator is told so (``NoAddress``) and nothing is logged. For an anonymous
    item the entry names nobody and the answer is the same whoever the author is: an author who
    cannot be mailed (no confirmed address, a deleted account) gets nothing, and nothing tells
    the moderator so. A suspended author is still written to: someone in danger is reached
    whatever their standing on the board.
    """
    moderator = require_reach_out(actor)
    async with transaction():
        row = await _urgent_item(kind, target_id, moderator)
        await _check_writing_limit(moderator, kind, target_id)
        author: dict[str, Any] | None = (
            await Member.select(Member.email, Member.email_confirmed, Member.state)
            .where(Member.id == row.author)
            .first()
        )
        reachable = (
            author is not None
            and bool(author["email"])
            and bool(author["email_confirmed"])
            and author["state"] != MemberState.DELETED
        )
        if not reachable and not row.anonymous:
            raise NoAddress()
        if reachable:
            assert author is not None
            # No ``post=``: a message to the author about their own content goes whatever the
            # post's state; it carries no title and no text of it, only the link.
            await outbox.enqueue(
                to_address=author["email"],
                subject=f"A message from the moderators of {board_name}",
                text=_mail_text(board_name, message, link_base.rstrip("/") + ("/login" if row.anonymous else row.link)),
                kind=MailKind.FROM_MODERATOR,
                member_id=row.author,
            )
        await record(
            moderator, WROTE_TO_AUTHOR, Target(kind, target_id), None if row.anonymous else row.author, message
        )


async def mark_reached_out(actor: Actor | None, kind: TargetKind, target_id: int, note: str) -> None:
    """Log ``reached_out`` (with the moderator's optional note); it may be recorded many times."""
    moderator = require_reach_out(actor)
    async with transaction():
        row = await _urgent_item(kind, target_id, moderator)
        await record(moderator, REACHED_OUT, Target(kind, target_id), None if row.anonymous else row.author, note)
