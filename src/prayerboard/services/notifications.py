"""In-app notifications about posts, and following posts (docs/privacy.md, "Notifications").

An event (someone prays, replies, updates, answers; for moderators an urgent report or a post
waiting for approval) is recorded in the transaction of what caused it, as one row per member
and kind and post, grouped while unread (``event_count``, ``updated_at``). Nothing about the
post is stored: the wording is made when the row is shown, from the post as the reader may
see it then, so a post hidden or narrowed since is never named, an anonymous author never
appears, and a replier is never named at all. What an anonymous author did (or an anonymous
reply) is recorded, ordered and shown no finer than the hour (docs/privacy.md, "Times").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from piccolo.query import OrderByRaw

from prayerboard.ids import looks_like_public_id
from prayerboard.policy import Actor, can, require
from prayerboard.rows import POST_COLUMNS, REPLY_COLUMNS, PostRow, ReplyRow, to_the_hour
from prayerboard.services import outbox, utcnow
from prayerboard.services.errors import NotFound
from prayerboard.tables import Follow, Member, Notification, OutboxMessage, Post, Prayer, Reply
from prayerboard.vocab import MODERATOR_ROLES, MailFrequency, MailKind, MemberState, NotificationKind, OutboxStatus

PAGE_SIZE = 20
NO_LONGER_AVAILABLE = "A post you followed is no longer available"
# Kinds a moderator is told of; their links lead to the moderation page, not the post.
MODERATOR_KINDS = frozenset({NotificationKind.URGENT_REPORT, NotificationKind.WAITING_POST})
# Members whose accounts may still read what they are told of.
READING_STATES = (MemberState.ACTIVE, MemberState.SILENCED)


# ---------------------------------------------------------------------------------------------
# Wording (pure)


def _quoted(title: str) -> str:
    return f"\u201c{title}\u201d"


def _others(count: int) -> str:
    return "1 other" if count == 1 else f"{count} others"


def wording(kind: NotificationKind, count: int, title: str | None, name: str | None = None) -> str:
    """What a grouped event says to its reader.

    ``title`` is None when the reader may no longer see the post: then nothing about it is
    said. ``name`` is a person praying who chose to let authors see their name; nobody else
    is ever named.
    """
    if title is None:
        return NO_LONGER_AVAILABLE
    about = _quoted(title)
    many = count > 1
    if kind == NotificationKind.PRAYING:
        if name:
            return (
                f"{name} and {_others(count - 1)} are praying for {about}" if many else f"{name} is praying for {about}"
            )
        return f"{count} people are praying for {about}" if many else f"Someone is praying for {about}"
    if kind == NotificationKind.REPLY:
        return f"{count} new replies on {about}" if many else f"A new reply on {about}"
    if kind == NotificationKind.UPDATE:
        return f"{count} new updates on {about}" if many else f"A new update on {about}"
    if kind == NotificationKind.ANSWERED:
        return f"{about} has been marked answered"
    if kind == NotificationKind.URGENT_REPORT:
        reports = f"{count} urgent reports" if many else "An urgent report"
        return f"{reports}: someone may be in danger ({about})"
    if kind == NotificationKind.WAITING_POST:
        return f"{about} is waiting for approval"
    return ""


# ---------------------------------------------------------------------------------------------
# Recording events


def _reader(row: dict[str, Any]) -> Actor:
    return Actor(id=row["id"], role=row["role"], state=row["state"])


# What deciding a reader's mail needs, read with the reader.
_MAIL_COLUMNS = (
    Member.email,
    Member.email_confirmed,
    Member.mail_news,
    Member.mail_review,
    Member.mail_urgent,
)


async def _who_may_see(post: PostRow, member_ids: set[int]) -> list[dict[str, Any]]:
    """Of ``member_ids``, those who may see ``post`` now (no one is told of a post they cannot
    read), in id order, with what deciding their mail needs."""
    if not member_ids:
        return []
    rows = await (
        Member.select(Member.id, Member.role, Member.state, *_MAIL_COLUMNS)
        .where(Member.id.is_in(sorted(member_ids)))
        .order_by(Member.id)
    )
    return [r for r in rows if can(_reader(r), "view_post", post)]


def mail_at_once(kind: NotificationKind, reader: dict[str, Any]) -> MailKind | None:
    """The mail an event sends its reader at once, by their choices, or None.

    Urgent reports go to every moderator who has not turned them off, whatever their digest
    setting; news and posts waiting for approval only to those who chose each event. No mail
    goes to an address not yet confirmed.
    """
    if not reader["email"] or not reader["email_confirmed"] or reader["state"] not in READING_STATES:
        return None
    if kind == NotificationKind.URGENT_REPORT:
        return MailKind.URGENT_REPORT if reader["mail_urgent"] else None
    if kind == NotificationKind.WAITING_POST:
        return MailKind.REVIEW if reader["mail_review"] == MailFrequency.EACH else None
    return MailKind.NEWS if reader["mail_news"] == MailFrequency.EACH else None


async def _mail(
    kind: NotificationKind, reader: dict[str, Any], notification_id: int, coarse: bool, post: PostRow | None = None
) -> None:
    """Put the event's mail in the outbox, unless one about the same row is still waiting: the
    mail is written when sent, so it will tell of this event too."""
    mail_kind = mail_at_once(kind, reader)
    if mail_kind is None:
        return
    waiting = await OutboxMessage.exists().where(
        (OutboxMessage.notification == notification_id)
        & (OutboxMessage.status == OutboxStatus.WAITING)
        & OutboxMessage.claimed_until.is_null()
    )
    if waiting:
        return
    # What an anonymous author did is told no finer than the hour, in mail as on the page: its
    # mail waits for the hour to end, so when it arrives says nothing finer.
    not_before = to_the_hour(utcnow()) + dt.timedelta(hours=1) if coarse else None
    await outbox.enqueue(
        to_address=reader["email"],
        subject="",
        text="",
        kind=mail_kind,
        member_id=reader["id"],
        notification=notification_id,
        not_before=not_before,
        # News of a post is not sent once the post is hidden, narrowed or made anonymous; a
        # moderator's mail about it goes whatever its state.
        post=post if mail_kind == MailKind.NEWS else None,
    )


async def notice_written(member_id: int, notification_id: int) -> None:
    """A moderator's notice was written for the member: mailed at once if they chose each event."""
    reader = await Member.select(Member.id, Member.state, *_MAIL_COLUMNS).where(Member.id == member_id).first()
    if reader is not None:
        await _mail(NotificationKind.NOTICE, reader, notification_id, coarse=False)


async def _record(
    kind: NotificationKind,
    post: PostRow,
    recipients: Iterable[int | None],
    actor_id: int | None,
    link: str = "",
    at: dt.datetime | None = None,
    coarse: bool = False,
) -> None:
    """One event (at ``at``, or now) for each recipient who may see the post, never for the one
    who caused it; added to the recipient's unread row of this kind on this post when there is one.

    ``coarse``: the event is what an anonymous author did (or an anonymous reply), so its time is
    kept only to the hour, and the rows sort no finer than that either.
    """
    wanted = {m for m in recipients if m is not None and m != actor_id}
    now = at or utcnow()
    if coarse:
        now = to_the_hour(now)
    # In one order, so two events recorded at once take the recipients' rows in the same order.
    for reader in await _who_may_see(post, wanted):
        member = reader["id"]
        rows = (
            await Notification.update(
                {Notification.event_count: Notification.event_count + 1, Notification.updated_at: now}
            )
            .where(
                (Notification.member == member)
                & (Notification.kind == kind)
                & (Notification.post == post.id)
                & (Notification.read == False)  # noqa: E712 (SQL, not Python)
            )
            .returning(Notification.id)
        )
        if not rows:
            rows = await Notification.insert(
                Notification(member=member, kind=kind, post=post.id, text="", link=link, created_at=now, updated_at=now)
            ).returning(Notification.id)
        await _mail(kind, reader, rows[0]["id"], coarse, post)


async def _followers(post_id: int) -> set[int]:
    return {r["member"] for r in await Follow.select(Follow.member).where(Follow.post == post_id)}


async def _praying(post_id: int) -> set[int]:
    return {r["member"] for r in await Prayer.select(Prayer.member).where(Prayer.post == post_id)}


async def _moderators() -> set[int]:
    rows = await Member.select(Member.id).where(
        Member.role.is_in(list(MODERATOR_ROLES)) & Member.state.is_in(list(READING_STATES))
    )
    return {r["id"] for r in rows}


async def _follow_when_taking_part(actor: Actor, post_id: int) -> None:
    row = await Member.select(Member.follow_when_taking_part).where(Member.id == actor.id).first()
    if row is not None and row["follow_when_taking_part"]:
        await _insert_follow(actor, post_id)


async def _insert_follow(actor: Actor, post_id: int) -> None:
    await (
        Follow.insert(Follow(post=post_id, member=actor.id, created_at=utcnow()))
        .on_conflict(target=(Follow.post, Follow.member), action="DO NOTHING")
        .returning(Follow.id)
    )


async def prayed(actor: Actor, post: PostRow) -> None:
    """``actor`` started praying for ``post``: its author hears of it; the post is followed.

    The event takes the prayer's own time, so the group counts the prayers made since it began.
    """
    prayer = (
        await Prayer.select(Prayer.created_at).where((Prayer.post == post.id) & (Prayer.member == actor.id)).first()
    )
    at = prayer["created_at"] if prayer is not None else None
    await _record(NotificationKind.PRAYING, post, [post.author], actor.id, at=at)
    await _follow_when_taking_part(actor, post.id)


async def replied(actor: Actor, post: PostRow) -> None:
    """A new reply: its post's author and followers hear of it, never the replier.

    The event takes the reply's own time, so that the replies counted when the group is shown
    are the ones written in its span.
    """
    reply = await (
        Reply.select(Reply.anonymous, Reply.created_at)
        .where((Reply.post == post.id) & (Reply.author == actor.id))
        .order_by(Reply.id, ascending=False)
        .first()
    )
    at = reply["created_at"] if reply is not None else None
    coarse = post.anonymous or (reply is not None and bool(reply["anonymous"]))
    recipients = {post.author} | await _followers(post.id)
    await _record(NotificationKind.REPLY, post, recipients, actor.id, at=at, coarse=coarse)
    await _follow_when_taking_part(actor, post.id)


async def updated(actor: Actor, post: PostRow) -> None:
    """The author added an update: those praying and those following hear of it."""
    recipients = await _followers(post.id) | await _praying(post.id)
    await _record(NotificationKind.UPDATE, post, recipients, actor.id, coarse=post.anonymous)


async def answered(actor: Actor, post: PostRow) -> None:
    """The author marked the request answered: those praying and those following hear of it."""
    recipients = await _followers(post.id) | await _praying(post.id)
    await _record(NotificationKind.ANSWERED, post, recipients, actor.id, coarse=post.anonymous)


async def post_waiting(actor: Actor, post: PostRow) -> None:
    """A post was held for approval: moderators hear of it in the app."""
    link = f"/mod/posts/{post.public_id}"
    await _record(NotificationKind.WAITING_POST, post, await _moderators(), actor.id, link, coarse=post.anonymous)


async def urgent_report(actor: Actor, post: PostRow, link: str) -> None:
    """Someone may be in danger: every moderator hears of it (``link``: the reported item's page)."""
    await _record(NotificationKind.URGENT_REPORT, post, await _moderators(), actor.id, link)


# ---------------------------------------------------------------------------------------------
# Following


async def _post_for(actor: Actor, post_id: int) -> PostRow:
    require(actor, "manage_own_account")
    row = await Post.select(*POST_COLUMNS).where(Post.id == post_id).first()
    post = PostRow.from_row(row) if row is not None else None
    if post is None or not actor.is_member or not can(actor, "view_post", post):
        raise NotFound()
    return post


async def follow(actor: Actor, post_id: int) -> None:
    """Follow a post the member may see: its replies, updates and answering reach them."""
    await _post_for(actor, post_id)
    await _insert_follow(actor, post_id)


async def unfollow(actor: Actor, post_id: int) -> None:
    await _post_for(actor, post_id)
    await Follow.delete().where((Follow.post == post_id) & (Follow.member == actor.id))


async def is_following(actor: Actor | None, post_id: int) -> bool:
    if actor is None or actor.id is None:
        return False
    return bool(await Follow.exists().where((Follow.post == post_id) & (Follow.member == actor.id)))


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True, slots=True)
class NotificationItem:
    """One row of the member's notifications, worded for them now; ``public_id`` marks it read."""

    public_id: str
    kind: NotificationKind
    text: str
    link: str
    read: bool
    count: int
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class NotificationPage:
    items: tuple[NotificationItem, ...]
    page: int
    has_more: bool


# What ``worded`` reads of a row.
NOTIFICATION_COLUMNS = (
    Notification.public_id,
    Notification.kind,
    Notification.post,
    Notification.event_count,
    Notification.text,
    Notification.link,
    Notification.read,
    Notification.created_at,
    Notification.updated_at,
)


async def posts_by_id(post_ids: Iterable[int | None]) -> dict[int, PostRow]:
    """The posts ``worded`` needs, by id, in one query."""
    wanted = sorted({i for i in post_ids if i is not None})
    found = await Post.select(*POST_COLUMNS).where(Post.id.is_in(wanted)) if wanted else []
    return {r["id"]: PostRow.from_row(r) for r in found}


async def unread_count(actor: Actor | None) -> int:
    """How many unread rows the member has, for the header: one COUNT."""
    if actor is None or actor.id is None:
        return 0
    return int(
        await Notification.count().where((Notification.member == actor.id) & (Notification.read == False))  # noqa: E712
    )


async def _praying_within(
    post_id: int, since: dt.datetime, until: dt.datetime, recorded: int
) -> tuple[int, str | None]:
    """How many are praying for the post who started in the group's span (each person once,
    however often they pressed; ``recorded`` if all have stopped), and the newest of them who
    lets authors see their name. Not while that person's name is hidden: "hide my name"
    outweighs it.
    """
    rows = (
        await Prayer.select(
            Prayer.member.display_name.as_alias("name"),
            Prayer.member.show_name_when_praying.as_alias("shows"),
            Prayer.member.names_hidden.as_alias("hidden"),
        )
        .where((Prayer.post == post_id) & (Prayer.created_at >= since) & (Prayer.created_at <= until))
        .order_by(Prayer.id, ascending=False)
    )
    named = [r["name"] for r in rows if r["shows"] and not r["hidden"]]
    return (len(rows) or recorded), (str(named[0]) if named else None)


async def _replies_within(actor: Actor, post: PostRow, since: dt.datetime, until: dt.datetime) -> int:
    """How many replies written in the group's span by others the reader may still see now: one
    deleted or hidden since is no longer news.

    A span kept to the hour (an anonymous post or reply) reaches to the end of that hour, so the
    replies it rounded down are still in it.
    """
    if until == to_the_hour(until):
        until = until + dt.timedelta(hours=1)
    rows = await Reply.select(*REPLY_COLUMNS).where(
        (Reply.post == post.id) & (Reply.author != actor.id) & (Reply.created_at >= since) & (Reply.created_at <= until)
    )
    return sum(1 for r in rows if can(actor, "view_reply", ReplyRow.from_row(r)))


async def worded(actor: Actor, row: dict[str, Any], posts: dict[int, PostRow]) -> NotificationItem | None:
    """The row as the reader may see it now (on the page, and the words of its mail); None for a
    group of replies none of which remain."""
    kind = NotificationKind(row["kind"])
    at = row["updated_at"] or row["created_at"]
    text, link, count = row["text"], row["link"], row["event_count"]
    if kind != NotificationKind.NOTICE:
        post = posts.get(row["post"])
        visible = post is not None and can(actor, "view_post", post)
        title = post.title if post is not None and visible else None
        name = None
        if post is not None and visible and kind == NotificationKind.PRAYING and post.author == actor.id:
            count, name = await _praying_within(post.id, row["created_at"], at, count)
        if post is not None and visible and kind == NotificationKind.REPLY:
            count = await _replies_within(actor, post, row["created_at"], at)
            if count == 0:
                return None
        if post is not None and post.anonymous and post.author != actor.id:
            # Made anonymous since the event, perhaps: only its author sees their own times exactly.
            at = to_the_hour(at)
        text = wording(kind, count, title, name)
        if post is None or not visible:
            link = ""
        elif kind not in MODERATOR_KINDS or not link:
            link = f"/posts/{post.public_id}"
    return NotificationItem(
        public_id=str(row["public_id"]), kind=kind, text=text, link=link, read=bool(row["read"]), count=count, at=at
    )


async def page_of(actor: Actor, page: int = 1) -> NotificationPage:
    """The member's notifications, newest event first, ``PAGE_SIZE`` at a time."""
    page = max(1, page)
    rows: list[dict[str, Any]] = (
        await Notification.select(*NOTIFICATION_COLUMNS)
        .where(Notification.member == actor.id)
        .order_by(OrderByRaw("COALESCE(updated_at, created_at)"), Notification.id, ascending=False)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    shown = rows[:PAGE_SIZE]
    posts = await posts_by_id(r["post"] for r in shown)
    items = tuple(item for item in [await worded(actor, r, posts) for r in shown] if item is not None)
    return NotificationPage(items=items, page=page, has_more=len(rows) > PAGE_SIZE)


async def mark_read(actor: Actor, public_id: str) -> bool:
    """Mark one of the member's own rows read; False if they have no such row."""
    if not looks_like_public_id(public_id):
        return False
    done = (
        await Notification.update({Notification.read: True})
        .where((Notification.public_id == public_id) & (Notification.member == actor.id))
        .returning(Notification.id)
    )
    return bool(done)


async def mark_all_read(actor: Actor) -> None:
    await Notification.update({Notification.read: True}).where(
        (Notification.member == actor.id) & (Notification.read == False)  # noqa: E712
    )
