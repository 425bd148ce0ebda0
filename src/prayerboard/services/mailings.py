"""What members are emailed: news as it happens, daily and weekly digests, the daily prayer list
(docs/privacy.md, "Email").

Mail about posts is written when it is sent, not when the event happens: from the member's
notifications and the posts as that member may see them then, so a post hidden, narrowed or
made anonymous in between is never named. Mail names a post (its title and an excerpt) only
where the policy allows it (``name_in_mail``: public, named, visible); about anything else it
says only that there is news and links to it. Every message ends with a link to the member's
email choices and a signed link that stops this kind of mail (``services/unsubscribe.py``).

Digests run on each member's own clock: a daily digest tells of what came since the last one,
once a day; with nothing new, nothing is sent and the clock moves on. Several senders may look
at once: each digest is started by one guarded update of the member's clock, so it goes once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from piccolo.columns import Column
from piccolo.query import OrderByRaw

from prayerboard import mail
from prayerboard.db import transaction
from prayerboard.policy import Actor, can
from prayerboard.rows import POST_COLUMNS, PostRow, to_the_hour
from prayerboard.services import accounts, notifications, outbox, site, unsubscribe, utcnow
from prayerboard.services.outbox import Claimed, SenderHooks, Written
from prayerboard.settings import Settings
from prayerboard.tables import Member, Notification, OutboxMessage, Post
from prayerboard.text import excerpt
from prayerboard.vocab import (
    MODERATOR_ROLES,
    MailFrequency,
    MailKind,
    MemberState,
    ModerationState,
    NotificationKind,
    OutboxStatus,
    PostKind,
    PostStatus,
)

__all__ = ["HOOKS", "render", "start_due_rounds"]

log = logging.getLogger("prayerboard.mail")

PERIODS = {MailFrequency.DAILY: dt.timedelta(days=1), MailFrequency.WEEKLY: dt.timedelta(days=7)}
PRAYER_LIST_PERIOD = dt.timedelta(days=1)
MAIL_KEPT = dt.timedelta(days=30)
ROUND_SECONDS = 60.0  # how often a sender looks for digests that are due (sooner if it polls sooner)
MEMBERS_PER_ROUND = 200  # digests started in one look; the rest wait for the next
DIGEST_LINES_MAX = 40  # lines in one digest; the rest are on the notifications page
PRAYER_LIST_MAX = 30  # requests named in one prayer list
EXCERPT_CHARS = 200

REVIEW_KINDS = frozenset({NotificationKind.WAITING_POST})
NEWS_KINDS = frozenset(set(NotificationKind) - REVIEW_KINDS - {NotificationKind.URGENT_REPORT})


@dataclass(frozen=True)
class Stream:
    """One kind of digest: the choice that asks for it, its clock, and the news it gathers."""

    mail_kind: MailKind
    choice: Column
    clock: Column
    kinds: frozenset[NotificationKind]
    moderators_only: bool
    title: str


NEWS = Stream(
    MailKind.NEWS_DIGEST,
    Member.mail_news,
    Member.news_mailed_at,
    NEWS_KINDS,
    False,
    "News about your posts and posts you follow",
)
REVIEW = Stream(
    MailKind.REVIEW_DIGEST,
    Member.mail_review,
    Member.review_mailed_at,
    REVIEW_KINDS,
    True,
    "Posts waiting for approval",
)
STREAMS = (NEWS, REVIEW)

READER_COLUMNS = (
    Member.id,
    Member.role,
    Member.state,
    Member.email,
    Member.email_confirmed,
    Member.mail_news,
    Member.mail_review,
    Member.mail_urgent,
    Member.mail_prayer_list,
)


def _actor(reader: dict[str, Any]) -> Actor:
    return Actor(id=reader["id"], role=reader["role"], state=reader["state"])


def _mailable(reader: dict[str, Any]) -> bool:
    return bool(reader["email"]) and bool(reader["email_confirmed"]) and reader["state"] in notifications.READING_STATES


# ---------------------------------------------------------------------------------------------
# Starting digests and prayer lists


_last_round: float | None = None


async def start_due_rounds(settings: Settings, now: dt.datetime | None = None) -> None:
    """Start every digest and prayer list that is due; at most once a ``ROUND_SECONDS`` (or a
    poll interval, if shorter) in this process."""
    global _last_round
    moment = now or utcnow()
    interval = min(ROUND_SECONDS, settings.mail_poll_seconds)
    if now is None and _last_round is not None and moment.timestamp() - _last_round < interval:
        return
    _last_round = moment.timestamp()
    for stream in STREAMS:
        for frequency, period in PERIODS.items():
            await _start_digests(stream, frequency, period, moment)
    await _start_prayer_lists(moment)
    await _forget_old_mail(moment)


async def _forget_old_mail(now: dt.datetime) -> None:
    """Mail sent, skipped or given up is kept ``MAIL_KEPT`` (to see what went, and why not), then
    deleted: it holds members' addresses and what it told them."""
    await OutboxMessage.delete().where(
        (OutboxMessage.status != OutboxStatus.WAITING) & (OutboxMessage.created_at < now - MAIL_KEPT)
    )


def _due(clock: Column, now: dt.datetime, period: dt.timedelta) -> Any:
    return clock.is_null() | (clock <= now - period)


async def _move_clock(member_id: int, clock: Column, then: dt.datetime | None, now: dt.datetime) -> bool:
    """Set the member's clock from ``then`` to ``now``; False if another sender moved it first."""
    same = clock.is_null() if then is None else (clock == then)
    moved = await Member.update({clock: now}).where((Member.id == member_id) & same).returning(Member.id)
    return bool(moved)


async def _start_digests(stream: Stream, frequency: MailFrequency, period: dt.timedelta, now: dt.datetime) -> None:
    async def has_news(reader: dict[str, Any], since: dt.datetime) -> bool:
        if stream.moderators_only and reader["role"] not in MODERATOR_ROLES:
            return False
        return await _unread(reader["id"], stream.kinds, since).first() is not None

    await _start_due(stream.clock, stream.choice == frequency, period, now, stream.mail_kind, has_news)


async def _start_due(
    clock: Column,
    chosen: Any,
    period: dt.timedelta,
    now: dt.datetime,
    mail_kind: MailKind,
    has_news: Callable[[dict[str, Any], dt.datetime], Awaitable[bool]],
) -> None:
    """Start the messages of ``mail_kind`` due for the members who chose them (``chosen``) and
    whose ``clock`` is ``period`` old: each member's clock moves on in one guarded update, and
    the message (covering the time since) goes in the same transaction when there is news."""
    due = (
        await Member.select(*READER_COLUMNS, clock.as_alias("clock"))
        .where(chosen & Member.state.is_in(list(notifications.READING_STATES)) & _due(clock, now, period))
        .order_by(Member.id)
        .limit(MEMBERS_PER_ROUND)
    )
    for reader in due:
        since = reader["clock"]
        async with transaction():
            if not await _move_clock(reader["id"], clock, since, now):
                continue
            if since is None or not _mailable(reader):  # the clock starts; nothing to tell yet
                continue
            if not await has_news(reader, since):
                continue
            await outbox.enqueue(
                to_address=reader["email"],
                subject="",
                text="",
                kind=mail_kind,
                member_id=reader["id"],
                covers=(since, now),
            )


def _unread(member_id: int, kinds: frozenset[NotificationKind], since: dt.datetime) -> Any:
    """The member's unread rows of ``kinds`` with news since ``since``, newest first.

    What an anonymous author did is dated to the hour it happened in, so ``since`` is taken back
    to its hour: such news is told twice at worst, never lost.
    """
    return (
        Notification.select(*notifications.NOTIFICATION_COLUMNS)
        .where(
            (Notification.member == member_id)
            & (Notification.read == False)  # noqa: E712 (SQL, not Python)
            & Notification.kind.is_in(sorted(kinds))
            & (
                (Notification.updated_at >= to_the_hour(since))
                | (Notification.updated_at.is_null() & (Notification.created_at >= to_the_hour(since)))
            )
        )
        .order_by(OrderByRaw("COALESCE(updated_at, created_at)"), Notification.id, ascending=False)
    )


async def _start_prayer_lists(now: dt.datetime) -> None:
    async def has_news(reader: dict[str, Any], since: dt.datetime) -> bool:
        return bool(await _new_requests(_actor(reader), since, now))

    chosen = Member.mail_prayer_list == True  # noqa: E712 (SQL, not Python)
    await _start_due(Member.prayer_list_mailed_at, chosen, PRAYER_LIST_PERIOD, now, MailKind.PRAYER_LIST, has_news)


async def _new_requests(actor: Actor, since: dt.datetime, until: dt.datetime) -> list[PostRow]:
    """Open requests by others posted in the span that the member may read now, newest first."""
    rows = await (
        Post.select(*POST_COLUMNS)
        .where(
            (Post.kind == PostKind.REQUEST)
            & (Post.status == PostStatus.OPEN)
            & (Post.moderation == ModerationState.VISIBLE)
            & (Post.author != actor.id)
            & (Post.created_at > since)
            & (Post.created_at <= until)
        )
        .order_by(Post.id, ascending=False)
        .limit(PRAYER_LIST_MAX * 4)
    )
    return [post for post in (PostRow.from_row(r) for r in rows) if can(actor, "view_post", post)]


# ---------------------------------------------------------------------------------------------
# Writing messages as they are sent


def _footer(settings: Settings, member_id: int, kind: MailKind, why: str) -> str:
    base = mail.link_base(settings)
    lines = ["--", why, f"Choose what {settings.board_name} emails you: {base}/settings#email"]
    stop = unsubscribe.link(settings, member_id, kind)
    if stop:
        lines.append(f"Stop these emails: {stop}")
    return "\n".join(lines)


def _news_line(
    settings: Settings, actor: Actor, item: notifications.NotificationItem, post: PostRow | None
) -> tuple[str, str]:
    """One piece of news as mail may tell it: (line, more) where ``more`` is an excerpt or ""."""
    base = mail.link_base(settings)
    link = f"{base}{item.link}" if item.link else f"{base}/notifications"
    if post is not None and post.anonymous and item.kind in NEWS_KINDS:
        # Whoever else reads this mailbox must not learn which anonymous post its owner wrote
        # or follows: the link leads to the notifications, behind sign-in.
        link = f"{base}/notifications"
    if item.kind == NotificationKind.NOTICE:
        return f"A moderator has a message about something you wrote: {base}/notifications", ""
    if item.kind == NotificationKind.URGENT_REPORT:
        return f"An urgent report: someone may be in danger. Please look now: {link}", ""
    if item.kind == NotificationKind.WAITING_POST:
        return f"A post is waiting for approval: {link}", ""
    if post is not None and can(actor, "name_in_mail", post):
        # Worded again without the name of anyone praying: a display name is the member's own
        # words, and mail puts nobody's words in its subject.
        return f"{notifications.wording(item.kind, item.count, post.title)}: {link}", excerpt(post.body, EXCERPT_CHARS)
    if post is not None and post.author == actor.id:
        return f"There is news about your post: {link}", ""
    return f"There is news on a post you follow: {link}", ""


def _withdrawn(item: notifications.NotificationItem, post: PostRow | None) -> bool:
    """News of a post held, hidden or removed since is not told, even to its author (who hears
    from the moderators instead); a moderator's news of a post waiting is about just that."""
    return item.kind in NEWS_KINDS and post is not None and post.moderation != ModerationState.VISIBLE


async def _reader(message: Claimed) -> dict[str, Any] | None:
    if message.member is None:
        return None
    row: dict[str, Any] | None = await Member.select(*READER_COLUMNS).where(Member.id == message.member).first()
    # Mail goes only to the address it was written for, while it is still the member's own.
    if row is None or not _mailable(row) or row["email"] != message.to_address:
        return None
    # Suspended as "the author of post N" leaves the member's row as it was: no more mail either.
    if await accounts.restricted_state(row["id"]) == MemberState.SUSPENDED:
        return None
    return row


def _still_wanted(kind: str, reader: dict[str, Any]) -> bool:
    """Whether the member still asks for this mail: a choice changed since it was put in the
    outbox holds."""
    if kind == MailKind.NEWS:
        return bool(reader["mail_news"] == MailFrequency.EACH)
    if kind == MailKind.NEWS_DIGEST:
        return reader["mail_news"] in PERIODS
    if kind == MailKind.REVIEW:
        return reader["role"] in MODERATOR_ROLES and reader["mail_review"] == MailFrequency.EACH
    if kind == MailKind.REVIEW_DIGEST:
        return reader["role"] in MODERATOR_ROLES and reader["mail_review"] in PERIODS
    if kind == MailKind.URGENT_REPORT:
        return reader["role"] in MODERATOR_ROLES and bool(reader["mail_urgent"])
    if kind == MailKind.PRAYER_LIST:
        return bool(reader["mail_prayer_list"])
    return False


async def render(settings: Settings, message: Claimed) -> Written | None:
    """The words of a message written when sent; None when nothing is left to tell its reader."""
    reader = await _reader(message)
    if reader is None or not _still_wanted(message.kind, reader):
        return None
    actor = _actor(reader)
    # The board's name as an admin set it (services/site.py), else the environment's.
    settings = dataclasses.replace(settings, board_name=await site.board_name(settings.board_name))
    if message.kind in {MailKind.NEWS, MailKind.REVIEW, MailKind.URGENT_REPORT}:
        return await _render_one(settings, actor, message)
    if message.kind == MailKind.PRAYER_LIST:
        return await _render_prayer_list(settings, actor, message)
    stream = NEWS if message.kind == MailKind.NEWS_DIGEST else REVIEW
    return await _render_digest(settings, actor, stream, reader, message)


async def _render_one(settings: Settings, actor: Actor, message: Claimed) -> Written | None:
    row = await (
        Notification.select(*notifications.NOTIFICATION_COLUMNS)
        .where((Notification.id == message.notification) & (Notification.member == message.member))
        .first()
    )
    if row is None:
        return None
    posts = await notifications.posts_by_id([row["post"]])
    item = await notifications.worded(actor, row, posts)
    post = posts.get(row["post"]) if row["post"] is not None else None
    if item is None or (item.kind != NotificationKind.NOTICE and not item.link):
        return None  # the post is gone, or no longer the reader's to see
    line, more = _news_line(settings, actor, item, post)
    named = post is not None and can(actor, "name_in_mail", post) and item.kind in NEWS_KINDS
    if item.kind == NotificationKind.URGENT_REPORT:
        subject, why = (
            f"Urgent: someone may be in danger ({settings.board_name})",
            ("You get this because you moderate this board and urgent reports are emailed to you at once."),
        )
    elif item.kind == NotificationKind.WAITING_POST:
        subject, why = (
            f"A post is waiting for approval on {settings.board_name}",
            ("You get this because you chose an email for each post waiting for approval."),
        )
    else:
        subject = (
            notifications.wording(item.kind, item.count, post.title)
            if named and post is not None
            else f"There is news on {settings.board_name}"
        )
        why = "You get this because you chose an email for each piece of news."
    text = "\n\n".join(p for p in (line, more) if p)
    return Written(subject=subject, text=f"{text}\n\n{_footer(settings, actor.id or 0, MailKind(message.kind), why)}\n")


async def _render_digest(
    settings: Settings, actor: Actor, stream: Stream, reader: dict[str, Any], message: Claimed
) -> Written | None:
    since = message.covers_from or message.covers_until or utcnow()
    rows = await _unread(reader["id"], stream.kinds, since).limit(DIGEST_LINES_MAX + 1)
    posts = await notifications.posts_by_id(r["post"] for r in rows)
    lines: list[str] = []
    for row in rows[:DIGEST_LINES_MAX]:
        item = await notifications.worded(actor, row, posts)
        post = posts.get(row["post"]) if row["post"] is not None else None
        if item is None or (item.kind != NotificationKind.NOTICE and not item.link) or _withdrawn(item, post):
            continue
        line, more = _news_line(settings, actor, item, post)
        lines.append(f"* {line}" + (f"\n  {more}" if more else ""))
    if not lines:
        return None
    if len(rows) > DIGEST_LINES_MAX:
        lines.append(f"* And more: {mail.link_base(settings)}/notifications")
    choice = reader[stream.choice._meta.name]
    period = "daily" if choice == MailFrequency.DAILY else "weekly"
    subject = f"Your {period} digest from {settings.board_name}: {stream.title.lower()}"
    why = f"You get this because you chose a {period} digest of {stream.title.lower()}."
    body = "\n\n".join(lines)
    return Written(
        subject=subject,
        text=f"{stream.title} on {settings.board_name}:\n\n{body}\n\n{_footer(settings, actor.id or 0, stream.mail_kind, why)}\n",
    )


async def _render_prayer_list(settings: Settings, actor: Actor, message: Claimed) -> Written | None:
    since = message.covers_from or utcnow()
    until = message.covers_until or utcnow()
    posts = await _new_requests(actor, since, until)
    if not posts:
        return None
    base = mail.link_base(settings)
    named = [post for post in posts if can(actor, "name_in_mail", post)][:PRAYER_LIST_MAX]
    others = len(posts) - len(named)
    parts = [
        f"\u201c{post.title}\u201d\n  {excerpt(post.body, EXCERPT_CHARS)}\n  {base}/posts/{post.public_id}"
        for post in named
    ]
    if others:
        # Members-only, team and anonymous requests are counted, never described.
        more = "1 more new request" if others == 1 else f"{others} more new requests"
        parts.append(f"{more} to read on the board: {base}/")
    why = "You get this because you asked for a daily prayer list."
    body = "\n\n".join(parts)
    return Written(
        subject=f"Today's prayer list from {settings.board_name}",
        text=(
            f"New prayer requests on {settings.board_name}:\n\n{body}\n\n"
            f"{_footer(settings, actor.id or 0, MailKind.PRAYER_LIST, why)}\n"
        ),
    )


HOOKS = SenderHooks(render=render, before_batch=start_due_rounds)
