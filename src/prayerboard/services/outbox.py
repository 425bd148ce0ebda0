"""The outbox: email written in the event's own transaction, sent later by a sender loop.

``enqueue`` only inserts a row, inside the caller's transaction, so a message exists exactly
when the event it tells of was committed. Senders (one in each app process by default, or
``prayerboard worker``) claim waiting messages with one guarded update, send them, and mark
them sent, or count the failure and try again later with a growing wait (docs/architecture.md,
"Mail").
"""

from __future__ import annotations

import asyncio

from prayerboard.rows import PostRow
from prayerboard.services import utcnow
from prayerboard.tables import OutboxMessage

__all__ = ["enqueue", "wake"]

# Set when this process enqueues a message, so its sender looks at once instead of at its next
# poll. Created lazily: it must belong to the running event loop.
_wakeup: asyncio.Event | None = None


def _event() -> asyncio.Event:
    global _wakeup
    if _wakeup is None:
        _wakeup = asyncio.Event()
    return _wakeup


def wake() -> None:
    """Tell this process's sender that a message may be waiting (harmless when none is)."""
    _event().set()


async def enqueue(
    *,
    to_address: str,
    subject: str,
    text: str,
    html: str = "",
    kind: str,
    member_id: int | None = None,
    post: PostRow | None = None,
) -> None:
    """Write one message to the outbox; call it inside the transaction of the event it tells of.

    ``text`` is the plain-text part and ``html`` the HTML part (already escaped; built from the
    text when empty); links in both must be absolute (``mail.absolute_url``). With ``post``,
    the post's visibility and anonymity now are recorded: if the post is deleted, held, hidden,
    removed, narrowed or made anonymous before the message goes, it is skipped, not sent.
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
            next_attempt_at=now,
            created_at=now,
        )
    )
    wake()
