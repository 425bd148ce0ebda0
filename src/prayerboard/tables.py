"""Piccolo tables. Schema changes go through migrations in ``piccolo_migrations/``.

Timestamps are stored as UTC. Post and reply counts are denormalised onto ``Post`` and kept
exact by changing them in the same transaction as the rows they count.
"""

from __future__ import annotations

from piccolo.columns import (
    BigInt,
    Boolean,
    Bytea,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

# Choices, kept here so the schema, policy and forms agree on one vocabulary.
POST_KINDS = ("request", "testimony")
VISIBILITIES = ("public", "members", "team")
POST_STATUSES = ("open", "answered", "archived")
MODERATION_STATES = ("pending", "visible", "hidden", "removed")
ROLES = ("member", "team", "moderator", "admin")
MEMBER_STATES = ("active", "silenced", "suspended", "deleted")

USERNAME_MAX = 32
DISPLAY_NAME_MAX = 60
EMAIL_MAX = 254
TITLE_MAX = 120
BODY_MAX = 5000
REPLY_MAX = 5000
CATEGORY_MAX = 60


class Member(Table, tablename="member"):
    """A person with an account. ``username_key`` is the case-folded username, unique."""

    id = Serial(primary_key=True)
    username = Varchar(length=USERNAME_MAX)
    username_key = Varchar(length=USERNAME_MAX, unique=True, index=True)
    display_name = Varchar(length=DISPLAY_NAME_MAX)
    email = Varchar(length=EMAIL_MAX)
    password_hash = Text()
    role = Varchar(length=16, default="member")
    state = Varchar(length=16, default="active")
    default_visibility = Varchar(length=16, default="public")
    default_anonymous = Boolean(default=False)
    names_hidden = Boolean(default=False)  # "hide my name on all my posts" is in effect
    # Bumped to end every session at once (suspension, deletion); sessions carry the value
    # they were signed in with and stop working when it no longer matches.
    session_epoch = Integer(default=0)
    created_at = Timestamptz()


class Post(Table, tablename="post"):
    """A prayer request or a testimony. Newest first means highest id first."""

    id = Serial(primary_key=True)
    author = ForeignKey(references=Member, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=16)
    title = Varchar(length=TITLE_MAX)
    body = Text()
    category = Varchar(length=CATEGORY_MAX)
    visibility = Varchar(length=16, default="public")
    anonymous = Boolean(default=False)
    # Set when "hide my name" made this post anonymous, so that undoing it restores the name.
    named_before_hiding = Boolean(default=False)
    status = Varchar(length=16, default="open")
    moderation = Varchar(length=16, default="visible")
    replies_locked = Boolean(default=False)
    moderation_reason = Text(default="")  # shown to the author when their post is hidden
    edited_by_moderator = Boolean(default=False)
    praying_count = Integer(default=0)
    reply_count = Integer(default=0)
    created_at = Timestamptz()
    edited_at = Timestamptz(null=True, default=None)
    answered_at = Timestamptz(null=True, default=None)
    last_activity_at = Timestamptz()


class PostUpdate(Table, tablename="post_update"):
    """The author's dated follow-up on their own post."""

    id = Serial(primary_key=True)
    post = ForeignKey(references=Post, on_delete=OnDelete.cascade, index=True)
    body = Text()
    created_at = Timestamptz()


class Reply(Table, tablename="reply"):
    """Encouragement from a member on a post."""

    id = Serial(primary_key=True)
    post = ForeignKey(references=Post, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(references=Member, on_delete=OnDelete.cascade, index=True)
    body = Text()
    anonymous = Boolean(default=False)
    named_before_hiding = Boolean(default=False)
    moderation = Varchar(length=16, default="visible")
    moderation_reason = Text(default="")
    edited_by_moderator = Boolean(default=False)
    created_at = Timestamptz()
    edited_at = Timestamptz(null=True, default=None)


class Prayer(Table, tablename="prayer"):
    """One member's "I'm praying" on one post; (post, member) is unique."""

    id = Serial(primary_key=True)
    post = ForeignKey(references=Post, on_delete=OnDelete.cascade)
    member = ForeignKey(references=Member, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz()


class KeyValue(Table, tablename="key_value"):
    """Shared key-value store for sessions (``Store`` interface); expiry in Unix seconds."""

    key = Varchar(length=255, primary_key=True)
    value = Bytea()
    expires_at = BigInt(null=True, default=None)


class Counter(Table, tablename="counter"):
    """Fixed-window counters shared by all processes (sign-in throttling, rate limits)."""

    key = Varchar(length=255, primary_key=True)
    count = Integer(default=0)
    window_ends_at = BigInt()


class SiteSetting(Table, tablename="site_setting"):
    """Board-wide settings an admin changes at run time (e.g. ``members_only``)."""

    key = Varchar(length=64, primary_key=True)
    value = Text()


FLAG_REASONS = ("spam", "private_details", "unkind", "danger", "other")
TARGET_KINDS = ("post", "reply", "member")


class Flag(Table, tablename="flag"):
    """A member's report on a post or a reply; one per member per item."""

    id = Serial(primary_key=True)
    target_kind = Varchar(length=8)  # "post" or "reply"
    target_id = Integer()
    post = ForeignKey(references=Post, on_delete=OnDelete.cascade, index=True)  # the post, or the reply's post
    reporter = ForeignKey(references=Member, on_delete=OnDelete.cascade)
    reason = Varchar(length=32)
    note = Text(default="")
    resolved = Boolean(default=False)
    created_at = Timestamptz()


class ModerationLogEntry(Table, tablename="moderation_log"):
    """Append-only: who did what to which item or member, why and when."""

    id = Serial(primary_key=True)
    moderator = ForeignKey(references=Member, on_delete=OnDelete.set_null, null=True)  # None: the system
    action = Varchar(length=32)
    target_kind = Varchar(length=8)
    target_id = Integer()
    member = ForeignKey(references=Member, on_delete=OnDelete.set_null, null=True)  # the member affected
    reason = Text(default="")
    created_at = Timestamptz()


class Revision(Table, tablename="revision"):
    """Earlier text kept when a moderator redacts (or an author edits); moderators alone read it."""

    id = Serial(primary_key=True)
    target_kind = Varchar(length=8)
    target_id = Integer()
    title = Text(default="")
    body = Text()
    editor = ForeignKey(references=Member, on_delete=OnDelete.set_null, null=True)
    by_moderator = Boolean(default=False)
    created_at = Timestamptz()


class Notification(Table, tablename="notification"):
    """A message for one member; never names an anonymous author."""

    id = Serial(primary_key=True)
    member = ForeignKey(references=Member, on_delete=OnDelete.cascade, index=True)
    text = Text()
    link = Varchar(length=200, default="")
    read = Boolean(default=False)
    created_at = Timestamptz()


class MemberNote(Table, tablename="member_note"):
    """A moderator's private note about a member."""

    id = Serial(primary_key=True)
    member = ForeignKey(references=Member, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(references=Member, on_delete=OnDelete.set_null, null=True)
    body = Text()
    created_at = Timestamptz()


class WatchedWord(Table, tablename="watched_word"):
    """A word that blocks a post or sends it to review."""

    id = Serial(primary_key=True)
    word = Varchar(length=100, unique=True)
    action = Varchar(length=8)  # "block" or "review"


ALL_TABLES: tuple[type[Table], ...] = (
    Member, Post, PostUpdate, Reply, Prayer, KeyValue, Counter, SiteSetting,
    Flag, ModerationLogEntry, Revision, Notification, MemberNote, WatchedWord,
)
