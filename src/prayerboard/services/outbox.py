"""The outbox: email written in the event's own transaction, sent later by a sender loop.

``enqueue`` only inserts a row, inside the caller's transaction, so a message exists exactly
when the event it tells of was committed. Senders (one in each app process by default, or
``prayerboard worker``) claim waiting messages with one guarded update, send them, and mark
them sent, or count the failure and try again later with a growing wait (docs/architecture.md,
"Mail").
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from prayerboard import db, mail, policy
from prayerboard.rows import POST_COLUMNS, PostRow
from prayerboard.services import unsubscribe, utcnow
from prayerboard.settings import Settings
from prayerboard.tables import Member, OutboxMessage, Post
from prayerboard.vocab import MailKind, OutboxStatus

__all__ = ["after_commit", "enqueue", "run_sender", "send_due", "wake"]

log = logging.getLogger("prayerboard.mail")

LEASE_SECONDS = 60  # a claimed message another sender may take over if its sender died
BATCH = 20  # messages claimed at once
BACKOFF_CAP_SECONDS = 6 * 3600  # the longest wait between two attempts

# Set when this process enqueues a message, so its sender looks at once instead of at its next
# poll. Created lazily: it must belong to the running event loop.
_wakeup: asyncio.Event | None = None


def _event() -> asyncio.Event:
    global _wakeup
    if _wakeup is None:
        _wakeup = asyncio.Event()
    return _wakeup


# Whether this process enqueued since the last ``after_commit``: a message enqueued inside a
# transaction is not there for the sender until the transaction commits.
_unannounced = False


def wake() -> None:
    """Tell this process's sender that a message may be waiting (harmless when none is)."""
    _event().set()


def after_commit() -> None:
    """Wake the sender again once the request that enqueued has committed and answered."""
    global _unannounced
    if _unannounced:
        _unannounced = False
        wake()


async def enqueue(
    *,
    to_address: str,
    subject: str,
    text: str,
    html: str = "",
    kind: str,
    member_id: int | None = None,
    post: PostRow | None = None,
    notification: int | None = None,
    covers: tuple[dt.datetime | None, dt.datetime] | None = None,
    not_before: dt.datetime | None = None,
) -> None:
    """Write one message to the outbox; call it inside the transaction of the event it tells of.

    ``text`` is the plain-text part and ``html`` the HTML part (already escaped; built from the
    text when empty); links in both must be absolute, and never built from a ``Host`` a stranger
    chose (``recovery.reset_link_base``). With ``post``, the post's visibility and anonymity now
    are recorded: if the post is deleted, held, hidden, removed, narrowed or made anonymous
    before the message goes, it is skipped, not sent.

    A kind written when sent (``WRITTEN_WHEN_SENT``) has no text yet: it names the
    ``notification`` it tells of, or the span of time (``covers``) a digest or prayer list
    gathers, and the sender's ``render`` writes it from what its reader may see then.
    ``not_before``: the message waits until then (news of anonymous content goes on the hour).
    """
    now = utcnow()
    await OutboxMessage.insert(
        OutboxMessage(
            member=member_id,
            to_address=to_address,
            kind=kind,
            subject=subject,
            text_body=text,
            html_body=html,
            post=post.id if post is not None else None,
            post_visibility=str(post.visibility) if post is not None else "",
            post_anonymous=post.anonymous if post is not None else False,
            notification=notification,
            covers_from=covers[0] if covers is not None else None,
            covers_until=covers[1] if covers is not None else None,
            next_attempt_at=max(now, not_before) if not_before is not None else now,
            created_at=now,
        )
    )
    global _unannounced
    _unannounced = True
    wake()


@dataclass(frozen=True)
class Claimed:
    """A message this sender holds until ``LEASE_SECONDS`` have passed."""

    id: int
    member: int | None
    kind: str
    to_address: str
    subject: str
    text_body: str
    html_body: str
    post: int | None
    post_visibility: str
    post_anonymous: bool
    notification: int | None
    covers_from: dt.datetime | None
    covers_until: dt.datetime | None
    attempts: int
    claimed_until: dt.datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Claimed:
        return cls(
            id=row["id"],
            member=row["member"],
            kind=row["kind"],
            to_address=row["to_address"],
            subject=row["subject"],
            text_body=row["text_body"],
            html_body=row["html_body"],
            post=row["post"],
            post_visibility=row["post_visibility"],
            post_anonymous=bool(row["post_anonymous"]),
            notification=row["notification"],
            covers_from=row["covers_from"],
            covers_until=row["covers_until"],
            attempts=row["attempts"],
            claimed_until=row["claimed_until"],
        )


CLAIMED_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.member,
    OutboxMessage.kind,
    OutboxMessage.to_address,
    OutboxMessage.subject,
    OutboxMessage.text_body,
    OutboxMessage.html_body,
    OutboxMessage.post,
    OutboxMessage.post_visibility,
    OutboxMessage.post_anonymous,
    OutboxMessage.notification,
    OutboxMessage.covers_from,
    OutboxMessage.covers_until,
    OutboxMessage.attempts,
    OutboxMessage.claimed_until,
)


# Kinds with no text until they are sent: written then, from what their reader may see then.
WRITTEN_WHEN_SENT = frozenset(
    {
        MailKind.NEWS,
        MailKind.NEWS_DIGEST,
        MailKind.REVIEW,
        MailKind.REVIEW_DIGEST,
        MailKind.URGENT_REPORT,
        MailKind.PRAYER_LIST,
    }
)


@dataclass(frozen=True, slots=True)
class Written:
    """A message's words, written as it is sent."""

    subject: str
    text: str
    html: str = ""


@dataclass(frozen=True)
class SenderHooks:
    """What the sender calls beyond sending: ``render`` writes the kinds in ``WRITTEN_WHEN_SENT``
    (None: nothing is left to tell, and the message is skipped); ``before_batch`` starts the
    digests that are due. Passed in, because what they read (notifications, posts) enqueues mail
    and so imports this module."""

    render: Callable[[Settings, Claimed], Awaitable[Written | None]] | None = None
    before_batch: Callable[[Settings], Awaitable[None]] | None = None


NO_HOOKS = SenderHooks()


def _claimable(now: dt.datetime) -> Any:
    return (
        (OutboxMessage.status == OutboxStatus.WAITING)
        & (OutboxMessage.next_attempt_at <= now)
        & (OutboxMessage.claimed_until.is_null() | (OutboxMessage.claimed_until < now))
    )


async def claim(limit: int = BATCH) -> list[Claimed]:
    """Take up to ``limit`` due messages for this sender.

    The update repeats the select's conditions, so when two senders pick the same ids, the
    second one's update finds them claimed and takes nothing (PostgreSQL re-reads a row it
    waited for; SQLite runs one writer at a time).
    """
    now = utcnow()
    due = await OutboxMessage.select(OutboxMessage.id).where(_claimable(now)).order_by(OutboxMessage.id).limit(limit)
    if not due:
        return []
    rows = await (
        OutboxMessage.update({OutboxMessage.claimed_until: now + dt.timedelta(seconds=LEASE_SECONDS)})
        .where(OutboxMessage.id.is_in([row["id"] for row in due]) & _claimable(now))
        .returning(*CLAIMED_COLUMNS)
    )
    return sorted((Claimed.from_row(row) for row in rows), key=lambda message: message.id)


async def _renew(message: Claimed) -> Claimed | None:
    """The message with its lease renewed from now, or None if this sender no longer holds it.

    A batch can take longer than one lease (a slow server); each message is renewed just
    before it is sent, and one whose lease ran out and was taken by another sender is left to it.
    """
    rows = await (
        OutboxMessage.update({OutboxMessage.claimed_until: utcnow() + dt.timedelta(seconds=LEASE_SECONDS)})
        .where(
            (OutboxMessage.id == message.id)
            & (OutboxMessage.status == OutboxStatus.WAITING)
            & (OutboxMessage.claimed_until == message.claimed_until)
        )
        .returning(*CLAIMED_COLUMNS)
    )
    return Claimed.from_row(rows[0]) if rows else None


# Kinds written for a member's own address: sent only while it is still theirs (a changed or
# deleted account's mail does not go to the old address). A confirmation link is written for
# an address not yet theirs, and is not among them.
ADDRESS_BOUND = frozenset({MailKind.PASSWORD_RESET, MailKind.FROM_MODERATOR})


async def _still_may_go(message: Claimed) -> bool:
    if message.member is not None and message.kind in ADDRESS_BOUND:
        owner = await Member.select(Member.email).where(Member.id == message.member).first()
        if owner is None or owner["email"] != message.to_address:
            return False
    if message.post is None:
        return True
    # Read here, not through services.posts, which enqueues and so imports this module.
    row = await Post.select(*POST_COLUMNS).where(Post.id == message.post).first()
    post = PostRow.from_row(row) if row is not None else None
    return post is not None and policy.mail_may_still_go(post, message.post_visibility, message.post_anonymous)


async def _finish(message: Claimed, values: dict[Any, Any]) -> None:
    await OutboxMessage.update({OutboxMessage.claimed_until: None, **values}).where(OutboxMessage.id == message.id)


def backoff_seconds(settings: Settings, attempts: int) -> int:
    """The wait after the ``attempts``-th failure: the retry setting, doubled each time, capped."""
    return int(min(settings.mail_retry_seconds * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS))


def extra_headers(settings: Settings, message: Claimed) -> dict[str, str]:
    """Headers made for one message as it is sent: ``List-Unsubscribe`` (signed for
    ``message.member`` and ``message.kind``) on the mail a member chose to get."""
    return unsubscribe.headers(settings, message.member, message.kind)


def _reason(exc: BaseException) -> str:
    """What went wrong, without the message's content or address (either may be private)."""
    return str(exc) if isinstance(exc, mail.Undeliverable) else f"{type(exc).__name__} while building the message"


async def _give_up(message: Claimed, attempts: int, exc: BaseException) -> OutboxStatus:
    await _finish(
        message,
        {
            OutboxMessage.status: OutboxStatus.FAILED,
            OutboxMessage.attempts: attempts,
            OutboxMessage.last_error: _reason(exc),
        },
    )
    log.error("mail %d cannot be sent, given up: %s", message.id, _reason(exc))
    return OutboxStatus.FAILED


async def _count_unexpected(settings: Settings, message: Claimed, exc: Exception) -> OutboxStatus | None:
    """Record an error nobody foresaw as one failed attempt, so the message waits its turn (or
    is given up after the last attempt) instead of being claimed again at once, forever."""
    attempts = message.attempts + 1
    given_up = attempts >= settings.mail_max_attempts
    values: dict[Any, Any] = {
        OutboxMessage.attempts: attempts,
        OutboxMessage.last_error: f"{type(exc).__name__} (see the log)",
        OutboxMessage.claimed_until: None,
    }
    if given_up:
        values[OutboxMessage.status] = OutboxStatus.FAILED
    else:
        values[OutboxMessage.next_attempt_at] = utcnow() + dt.timedelta(seconds=backoff_seconds(settings, attempts))
    try:
        await OutboxMessage.update(values).where(
            (OutboxMessage.id == message.id) & (OutboxMessage.status == OutboxStatus.WAITING)
        )
    except Exception:  # its lease runs out and it is tried again then
        log.exception("mail %d: the failed attempt could not be recorded", message.id)
        return None
    return OutboxStatus.FAILED if given_up else OutboxStatus.WAITING


async def _words(settings: Settings, message: Claimed, hooks: SenderHooks) -> Written | None:
    if message.kind not in WRITTEN_WHEN_SENT:
        return Written(message.subject, message.text_body, message.html_body)
    if hooks.render is None:
        raise TypeError(f"no writer for {message.kind} mail in this sender")
    return await hooks.render(settings, message)


async def send_one(settings: Settings, claimed: Claimed, hooks: SenderHooks = NO_HOOKS) -> OutboxStatus | None:
    """Send (or skip) one claimed message and record what happened; None if it is no longer ours."""
    message = await _renew(claimed)
    if message is None:
        return None
    if not await _still_may_go(message):
        await _finish(message, {OutboxMessage.status: OutboxStatus.SKIPPED})
        log.info("mail %d skipped: the post it tells of, or the address, changed since", message.id)
        return OutboxStatus.SKIPPED
    attempts = message.attempts + 1
    try:
        words = await _words(settings, message, hooks)
        if words is None:
            await _finish(message, {OutboxMessage.status: OutboxStatus.SKIPPED})
            log.info("mail %d skipped: nothing its reader may see is left to tell", message.id)
            return OutboxStatus.SKIPPED
        mail.check_envelope_address(message.to_address)
        built = mail.build_message(
            settings,
            to_address=message.to_address,
            subject=words.subject,
            text=words.text,
            html_body=words.html,
            extra_headers=extra_headers(settings, message),
        )
    except (mail.Undeliverable, ValueError, TypeError) as exc:  # trying again cannot help
        return await _give_up(message, attempts, exc)
    try:
        where = await mail.deliver(settings, built, message.to_address, name=f"{utcnow():%Y%m%dT%H%M%S}-{message.id}")
    except mail.Undeliverable as exc:
        return await _give_up(message, attempts, exc)
    except mail.DeliveryFailed as exc:
        if attempts >= settings.mail_max_attempts:
            await _finish(
                message,
                {
                    OutboxMessage.status: OutboxStatus.FAILED,
                    OutboxMessage.attempts: attempts,
                    OutboxMessage.last_error: str(exc),
                },
            )
            log.error("mail %d given up after %d attempts: %s", message.id, attempts, exc)
            return OutboxStatus.FAILED
        wait = backoff_seconds(settings, attempts)
        await _finish(
            message,
            {
                OutboxMessage.attempts: attempts,
                OutboxMessage.next_attempt_at: utcnow() + dt.timedelta(seconds=wait),
                OutboxMessage.last_error: str(exc),
            },
        )
        log.warning("mail %d not sent (attempt %d), trying again in %d s: %s", message.id, attempts, wait, exc)
        return OutboxStatus.WAITING
    await _finish(
        message,
        {
            OutboxMessage.status: OutboxStatus.SENT,
            OutboxMessage.attempts: attempts,
            OutboxMessage.sent_at: utcnow(),
            OutboxMessage.last_error: "",
            # What went, as it was written when sent.
            OutboxMessage.subject: words.subject,
            OutboxMessage.text_body: words.text,
        },
    )
    log.info("mail %d %s %s", message.id, "sent to" if settings.smtp else "written to", where)
    return OutboxStatus.SENT


async def send_due(settings: Settings, hooks: SenderHooks = NO_HOOKS) -> tuple[int, bool]:
    """Claim and handle one batch: how many were claimed, and whether any went out or was skipped."""
    if hooks.before_batch is not None:
        await hooks.before_batch(settings)
    batch = await claim()
    progressed = False
    for message in batch:
        # Each message on its own: one that fails in a way nobody foresaw must not keep the
        # rest of the batch from going.
        try:
            outcome = await send_one(settings, message, hooks)
        except Exception as exc:
            if db.is_storage_unavailable(exc):  # nothing else can go either; the loop says so once
                raise
            log.exception("mail %d could not be sent; counted as a failed attempt", message.id)
            outcome = await _count_unexpected(settings, message, exc)
        progressed = progressed or outcome in {OutboxStatus.SENT, OutboxStatus.SKIPPED, OutboxStatus.FAILED}
    return len(batch), progressed


async def run_sender(settings: Settings, hooks: SenderHooks = NO_HOOKS) -> None:
    """Send until cancelled: at once when this process enqueues, else every poll interval.

    A full batch that made progress is followed at once by the next; otherwise the loop waits,
    so a server that is down is not hammered. An error is logged and the loop goes on.
    """
    event = _event()
    if settings.smtp is not None and not settings.public_url:
        log.warning(
            "PRAYERBOARD_SMTP_URL is set but PRAYERBOARD_PUBLIC_URL is not: set it to the board's "
            "address, or password reset links are mailed only to those who ask from this machine "
            '(docs/security.md, "Password reset")'
        )
    log.info(
        "mail sender started (%s)",
        settings.smtp.display() if settings.smtp else f"writing .eml files to {settings.data_dir / mail.MAIL_DIR}",
    )
    while True:
        event.clear()
        try:
            claimed, progressed = await send_due(settings, hooks)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if db.is_storage_unavailable(exc):  # one line, not a traceback every few seconds
                log.error("mail sender cannot use the database: %s", db.describe_storage_error(exc))
            else:
                log.exception("mail sender failed; trying again shortly")
            claimed, progressed = 0, False
        if claimed >= BATCH and progressed:
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=settings.mail_poll_seconds)
