"""A member's privacy: defaults, "hide my name", their data as JSON, and deleting the account."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prayerboard import passwords
from prayerboard.db import transaction
from prayerboard.forms import FormErrors
from prayerboard.policy import Actor, require
from prayerboard.services import accounts, forgetting, posts
from prayerboard.services.errors import NotFound
from prayerboard.services.posts import recount_replies
from prayerboard.tables import Follow, Member, Notification, OutboxMessage, Post, PostUpdate, Prayer, Reply
from prayerboard.vocab import Visibility

DELETE_CHOICES = ("remove", "anonymise")


async def _member_row(actor: Actor) -> dict[str, Any]:
    row = await Member.select().where(Member.id == actor.id).first()
    if row is None:
        raise NotFound()
    return row


async def privacy_settings(actor: Actor) -> dict[str, Any]:
    """What the settings page shows: the member's defaults and whether their name is hidden."""
    row = await _member_row(actor)
    return {
        "default_visibility": row["default_visibility"],
        "default_anonymous": row["default_anonymous"],
        "names_hidden": row["names_hidden"],
        "follow_when_taking_part": row["follow_when_taking_part"],
        "show_name_when_praying": row["show_name_when_praying"],
        "display_name": row["display_name"],
        "email": row["email"],
        "email_confirmed": row["email_confirmed"],
        "pending_email": row["pending_email"],
        "role": row["role"],
        "mail_news": row["mail_news"],
        "mail_review": row["mail_review"],
        "mail_urgent": row["mail_urgent"],
        "mail_prayer_list": row["mail_prayer_list"],
    }


async def update_defaults(actor: Actor, visibility: str, anonymous: bool) -> None:
    if visibility not in Visibility.values():
        raise FormErrors({"default_visibility": "Choose who can read your posts."}, {})
    await Member.update({Member.default_visibility: visibility, Member.default_anonymous: anonymous}).where(
        Member.id == actor.id
    )


async def update_taking_part(actor: Actor, follow: bool, show_name: bool) -> None:
    """Whether praying or replying follows a post, and whether authors see the member's name when
    they pray (off by default; docs/privacy.md, "Notifications")."""
    require(actor, "manage_own_account")
    await Member.update({Member.follow_when_taking_part: follow, Member.show_name_when_praying: show_name}).where(
        Member.id == actor.id
    )


async def hide_my_name(actor: Actor) -> None:
    """Make every earlier post and reply of the member anonymous, remembering which were named.

    From now until ``show_my_name``, everything the member writes or edits is anonymous too
    (``services.posts``; docs/privacy.md, "Hide my name").
    """
    require(actor, "manage_own_account")
    async with transaction():
        await Post.update({Post.named_before_hiding: True, Post.anonymous: True}).where(
            (Post.author == actor.id) & (Post.anonymous == False)  # noqa: E712 (SQL, not Python)
        )
        await posts.touch((Post.author == actor.id) & (Post.named_before_hiding == True), anonymous=True)  # noqa: E712
        await Reply.update({Reply.named_before_hiding: True, Reply.anonymous: True}).where(
            (Reply.author == actor.id) & (Reply.anonymous == False)  # noqa: E712
        )
        await Member.update({Member.names_hidden: True}).where(Member.id == actor.id)


async def show_my_name(actor: Actor) -> None:
    """Undo ``hide_my_name``: posts and replies that were named before get their name back.

    Only those: what was written or edited while the name was hidden never had, or has lost,
    ``named_before_hiding`` (``services.posts``), so it stays anonymous.
    """
    require(actor, "manage_own_account")
    async with transaction():
        named_again = (Post.author == actor.id) & (Post.named_before_hiding == True)  # noqa: E712
        await posts.touch(named_again, anonymous=False)
        await Post.update({Post.named_before_hiding: False, Post.anonymous: False}).where(named_again)
        await Reply.update({Reply.named_before_hiding: False, Reply.anonymous: False}).where(
            (Reply.author == actor.id) & (Reply.named_before_hiding == True)  # noqa: E712
        )
        # A reply in the member's own anonymous thread stays anonymous, whatever happened above.
        own_anonymous_posts = Post.select(Post.id).where((Post.author == actor.id) & (Post.anonymous == True))  # noqa: E712
        await Reply.update({Reply.anonymous: True}).where(
            (Reply.author == actor.id) & Reply.post.is_in(own_anonymous_posts)
        )
        await Member.update({Member.names_hidden: False}).where(Member.id == actor.id)


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.datetime) else value


async def export_data(actor: Actor) -> dict[str, Any]:
    """Everything the member wrote and did, as JSON-ready data."""
    require(actor, "manage_own_account")
    member = await _member_row(actor)
    # Posts, replies and prayers are named by their addresses, never by row ids.
    posts = (
        await Post.select(
            Post.id,
            Post.public_id,
            Post.kind,
            Post.title,
            Post.body,
            Post.category,
            Post.visibility,
            Post.anonymous,
            Post.status,
            Post.created_at,
            Post.edited_at,
            Post.answered_at,
            Post.praying_count,
            Post.reply_count,
        )
        .where(Post.author == actor.id)
        .order_by(Post.id)
    )
    post_ids = [p["id"] for p in posts]
    updates = (
        await PostUpdate.select(PostUpdate.id, PostUpdate.post, PostUpdate.body, PostUpdate.created_at)
        .where(PostUpdate.post.is_in(post_ids))
        .order_by(PostUpdate.id)
        if post_ids
        else []
    )
    replies = (
        await Reply.select(
            Reply.public_id.as_alias("id"),
            Reply.post.public_id.as_alias("post"),
            Reply.body,
            Reply.anonymous,
            Reply.created_at,
            Reply.edited_at,
        )
        .where(Reply.author == actor.id)
        .order_by(Reply.id)
    )
    prayers = (
        await Prayer.select(Prayer.post.public_id.as_alias("post"), Prayer.created_at)
        .where(Prayer.member == actor.id)
        .order_by(Prayer.id)
    )
    follows = (
        await Follow.select(Follow.post.public_id.as_alias("post"), Follow.created_at)
        .where(Follow.member == actor.id)
        .order_by(Follow.id)
    )
    by_post: dict[int, list[dict[str, Any]]] = {}
    for update in updates:
        by_post.setdefault(update["post"], []).append(
            {"body": update["body"], "created_at": _iso(update["created_at"])}
        )
    return {
        "format": "prayerboard-export/1",
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "account": {
            "username": member["username"],
            "display_name": member["display_name"],
            "email": member["email"],
            "email_confirmed": member["email_confirmed"],
            "pending_email": member["pending_email"],
            "role": member["role"],
            "joined_at": _iso(member["created_at"]),
            "default_visibility": member["default_visibility"],
            "default_anonymous": member["default_anonymous"],
            "names_hidden": member["names_hidden"],
            "follow_when_taking_part": member["follow_when_taking_part"],
            "show_name_when_praying": member["show_name_when_praying"],
            "mail_news": member["mail_news"],
            "mail_review": member["mail_review"],
            "mail_urgent": member["mail_urgent"],
            "mail_prayer_list": member["mail_prayer_list"],
        },
        "posts": [
            {
                **{k: _iso(v) for k, v in post.items() if k not in ("id", "public_id")},
                "id": post["public_id"],
                "updates": by_post.get(post["id"], []),
            }
            for post in posts
        ],
        "replies": [{k: _iso(v) for k, v in reply.items()} for reply in replies],
        "prayers": [{"post": p["post"], "created_at": _iso(p["created_at"])} for p in prayers],
        "follows": [{"post": f["post"], "created_at": _iso(f["created_at"])} for f in follows],
    }


async def delete_account(actor: Actor, password: str, content: str) -> None:
    """Delete the member's account, removing their content or keeping it anonymised.

    Either way every session of theirs, on every device, stops working at once: sessions are
    checked against the account on every request, the row is gone or its session epoch is
    bumped, and its id is never given to anyone else. The username is retired
    (``accounts.USERNAME_RETIRED_DAYS``) in both cases.
    """
    require(actor, "manage_own_account")
    errors = {}
    if content not in DELETE_CHOICES:
        errors["content"] = "Choose what should happen to what you wrote."
    row = await _member_row(actor)
    if not await passwords.verify_password(await accounts.password_hash_to_check(row["password_hash"]), password):
        errors["password"] = "That password is not right."
    if errors:
        raise FormErrors(errors, {"content": content})
    async with transaction():
        # Whatever happens to the content, the name is not handed to someone else for a while.
        await accounts.retire_username(row["username_key"])
        if content == "remove":
            own_posts = [r["id"] for r in await Post.select(Post.id).where(Post.author == actor.id)]
            # Counts on other members' posts drop with the prayers and replies that go.
            for prayer in await Prayer.select(Prayer.post).where(Prayer.member == actor.id):
                await Post.update({Post.praying_count: Post.praying_count - 1}).where(Post.id == prayer["post"])
            own_replies = await Reply.select(Reply.id, Reply.post).where(Reply.author == actor.id)
            # What is keyed by their posts and replies goes too; then posts, replies, prayers,
            # reports, notifications and sessions go with the member row.
            await forgetting.forget_posts(own_posts)
            await forgetting.forget_replies([r["id"] for r in own_replies])
            await Member.delete().where(Member.id == actor.id)
            for post_id in {r["post"] for r in own_replies} - set(own_posts):
                await recount_replies(post_id)  # a hidden reply was never counted: recount
            return
        # Messages to the member may quote moderators' reasons: nobody is left to read them.
        # Their mail, sent or not, holds their address and what it told them: it goes too.
        await Notification.delete().where(Notification.member == actor.id)
        await OutboxMessage.delete().where(OutboxMessage.member == actor.id)
        for table in (Post, Reply):
            await table.update({table.anonymous: True, table.named_before_hiding: False}).where(
                table.author == actor.id
            )
        await posts.touch(Post.author == actor.id, anonymous=True)
        await Member.update(
            {
                # "~" cannot start a username, so this can never collide with a real one.
                Member.username: f"~deleted-{actor.id}",
                Member.username_key: f"~deleted-{actor.id}",
                Member.display_name: "Deleted member",
                Member.email: "",
                Member.pending_email: "",
                Member.password_hash: "!",  # no argon2 hash: nothing can sign in
                Member.state: "deleted",
                Member.session_epoch: Member.session_epoch + 1,
                Member.names_hidden: True,
            }
        ).where(Member.id == actor.id)
