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

from prayerboard.ids import new_public_id
from prayerboard.vocab import (
    MailFrequency,
    MemberState,
    ModerationState,
    NotificationKind,
    OutboxStatus,
    PostKind,
    PostStatus,
    ReportReason,
    RestrictionAction,
    RestrictionStatus,
    Role,
    TargetKind,
    Visibility,
    WatchedWordAction,
)

# Every fixed set of values (and the words shown for them) lives in ``vocab``; the columns
# name their set with ``choices=``, so the schema, policy, forms and templates read one list.

PUBLIC_ID_MAX = 16

USERNAME_MAX = 32
DISPLAY_NAME_MAX = 60
EMAIL_MAX = 254
TITLE_MAX = 120
BODY_MAX = 5000
REPLY_MAX = 5000
CATEGORY_MAX = 60


# Ids are never handed out twice, on either engine (docs/privacy.md, "Ids"). PostgreSQL
# sequences never go back; on SQLite ``prayerboard migrate`` gives every table with a ``Serial``
# id AUTOINCREMENT (``db.sqlite_ids_never_reused``), since a plain INTEGER PRIMARY KEY hands the
# newest deleted row's id to the next insert.


class Member(Table, tablename="member"):
    """A person with an account. ``username_key`` is the case-folded username, unique."""

    id = Serial(primary_key=True)
    username = Varchar(length=USERNAME_MAX)
    username_key = Varchar(length=USERNAME_MAX, unique=True, index=True)
    display_name = Varchar(length=DISPLAY_NAME_MAX)
    email = Varchar(length=EMAIL_MAX)
    password_hash = Text()
    role = Varchar(length=16, default=Role.MEMBER, choices=Role)
    state = Varchar(length=16, default=MemberState.ACTIVE, choices=MemberState)
    # New members share with members only until they choose otherwise (privacy by default).
    default_visibility = Varchar(length=16, default=Visibility.MEMBERS, choices=Visibility)
    default_anonymous = Boolean(default=False)
    names_hidden = Boolean(default=False)  # "hide my name on all my posts" is in effect
    # Bumped to end every session at once (suspension, deletion); sessions carry the value
    # they were signed in with and stop working when it no longer matches.
    session_epoch = Integer(default=0)
    # Pressing "I'm praying" or replying follows the post (its news reaches the member).
    follow_when_taking_part = Boolean(default=True)
    # Whether the authors of the requests the member prays for may see their name; off by default.
    show_name_when_praying = Boolean(default=False)
    # Whether ``email`` was shown to belong to the member (a link mailed to it was opened).
    # Existing members count as confirmed; a board that asks for confirmation starts new ones False.
    email_confirmed = Boolean(default=True)
    # A changed address waiting for its confirmation link; ``email`` is used until then.
    pending_email = Varchar(length=EMAIL_MAX, default="")
    # Email choices (docs/privacy.md, "Email"): news about my posts and posts I follow; for
    # moderators, posts waiting for approval, and urgent reports (at once, or not by email);
    # and the daily prayer list.
    mail_news = Varchar(length=16, default=MailFrequency.DAILY, choices=MailFrequency)
    mail_review = Varchar(length=16, default=MailFrequency.DAILY, choices=MailFrequency)
    mail_urgent = Boolean(default=True)
    mail_prayer_list = Boolean(default=False)
    # Up to when each digest has told of news; None: its clock starts at the next round.
    news_mailed_at = Timestamptz(null=True, default=None)
    review_mailed_at = Timestamptz(null=True, default=None)
    prayer_list_mailed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class Post(Table, tablename="post"):
    """A prayer request or a testimony. Newest first means highest id first."""

    id = Serial(primary_key=True)
    # The post's address in URLs: short and random, so addresses reveal neither how many posts
    # exist (hidden ones included) nor in which order anonymous and named posts were written.
    public_id = Varchar(length=PUBLIC_ID_MAX, default=new_public_id)  # unique index: migration
    author = ForeignKey(references=Member, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=16, choices=PostKind)
    title = Varchar(length=TITLE_MAX)
    body = Text()
    category = Varchar(length=CATEGORY_MAX)
    visibility = Varchar(length=16, default=Visibility.PUBLIC, choices=Visibility)
    anonymous = Boolean(default=False)
    # Set when "hide my name" made this post anonymous, so that undoing it restores the name.
    named_before_hiding = Boolean(default=False)
    status = Varchar(length=16, default=PostStatus.OPEN, choices=PostStatus)
    moderation = Varchar(length=16, default=ModerationState.VISIBLE, choices=ModerationState)
    replies_locked = Boolean(default=False)
    moderation_reason = Text(default="")  # shown to the author when their post is hidden
    edited_by_moderator = Boolean(default=False)
    # Made anonymous for good by a moderator: the author can no longer show their name on it.
    anonymised_by_moderator = Boolean(default=False)
    praying_count = Integer(default=0)
    reply_count = Integer(default=0)
    created_at = Timestamptz()
    edited_at = Timestamptz(null=True, default=None)
    answered_at = Timestamptz(null=True, default=None)
    last_activity_at = Timestamptz()
    # When what the post shows last changed (an edit, a name hidden or shown, anonymised,
    # answered): the feed's ``updated``.
    changed_at = Timestamptz(null=True, default=None)


class PostUpdate(Table, tablename="post_update"):
    """The author's dated follow-up on their own post."""

    id = Serial(primary_key=True)
    post = ForeignKey(references=Post, on_delete=OnDelete.cascade, index=True)
    body = Text()
    created_at = Timestamptz()


class Reply(Table, tablename="reply"):
    """Encouragement from a member on a post."""

    id = Serial(primary_key=True)
    public_id = Varchar(length=PUBLIC_ID_MAX, default=new_public_id)  # unique index: migration
    post = ForeignKey(references=Post, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(references=Member, on_delete=OnDelete.cascade, index=True)
    body = Text()
    anonymous = Boolean(default=False)
    named_before_hiding = Boolean(default=False)
    moderation = Varchar(length=16, default=ModerationState.VISIBLE, choices=ModerationState)
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
    count = Integer(default=0)  # type: ignore[assignment]  # a column named like Table.count()
    window_ends_at = BigInt()


class SiteSetting(Table, tablename="site_setting"):
    """Board-wide settings an admin changes at run time (e.g. ``members_only``)."""

    key = Varchar(length=64, primary_key=True)
    value = Text()


class Flag(Table, tablename="flag"):
    """A member's report on a post or a reply; one per member per item."""

    id = Serial(primary_key=True)
    target_kind = Varchar(length=8, choices=TargetKind)  # a post or a reply
    target_id = Integer()
    post = ForeignKey(references=Post, on_delete=OnDelete.cascade, index=True)  # the post, or the reply's post
    reporter = ForeignKey(references=Member, on_delete=OnDelete.cascade)
    reason = Varchar(length=32, choices=ReportReason)
    note = Text(default="")
    resolved = Boolean(default=False)
    created_at = Timestamptz()


class ModerationLogEntry(Table, tablename="moderation_log"):
    """Append-only: who did what to which item or member, why and when."""

    id = Serial(primary_key=True)
    moderator = ForeignKey(references=Member, on_delete=OnDelete.set_null, null=True)  # None: the system
    action = Varchar(length=32)
    target_kind = Varchar(length=8, choices=TargetKind)
    target_id = Integer()
    member = ForeignKey(references=Member, on_delete=OnDelete.set_null, null=True)  # the member affected
    reason = Text(default="")
    created_at = Timestamptz()


class Revision(Table, tablename="revision"):
    """Earlier text kept when a moderator redacts (or an author edits); moderators alone read it."""

    id = Serial(primary_key=True)
    target_kind = Varchar(length=8, choices=TargetKind)
    target_id = Integer()
    title = Text(default="")
    body = Text()
    editor = ForeignKey(references=Member, on_delete=OnDelete.set_null, null=True)
    by_moderator = Boolean(default=False)
    created_at = Timestamptz()


class Notification(Table, tablename="notification"):
    """A message for one member; never names an anonymous author.

    A moderator's notice carries its ``text``. An event about a post (``kind`` other than
    ``notice``) is worded when it is shown, from the post as the member may see it then, so a
    post hidden or narrowed since says no more than the member may now know; events of one kind
    on one post are grouped into one row (``event_count``, ``updated_at``) until it is read.
    """

    id = Serial(primary_key=True)
    # What the member's links and the API name a row by: a row number would tell, by its gaps,
    # how many events others had in between.
    public_id = Varchar(length=PUBLIC_ID_MAX, default=new_public_id)  # unique index: migration
    member = ForeignKey(references=Member, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=32, default=NotificationKind.NOTICE, choices=NotificationKind)
    post = ForeignKey(references=Post, on_delete=OnDelete.cascade, null=True, default=None, index=True)
    event_count = Integer(default=1)
    text = Text()
    link = Varchar(length=200, default="")
    read = Boolean(default=False)
    created_at = Timestamptz()
    updated_at = Timestamptz(null=True, default=None)  # the group's newest event; None: ``created_at``


class Follow(Table, tablename="follow"):
    """A member follows a post: its replies, updates and answering reach them; (post, member) is unique."""

    id = Serial(primary_key=True)
    post = ForeignKey(references=Post, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(references=Member, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz()


class OutboxMessage(Table, tablename="outbox"):
    """An email waiting to be sent, written in the same transaction as the event it tells of.

    Senders (in each app process, or ``prayerboard worker``) claim a message by setting
    ``claimed_until`` in a guarded update, so two senders never send one message twice; a
    failed attempt waits ``next_attempt_at`` (backing off) and nothing is lost while the SMTP
    server is down. A message about a post (``post``) is sent only while the post is still as
    visible as when it was written (``post_visibility``, ``post_anonymous``); otherwise it is
    skipped.
    """

    id = Serial(primary_key=True)
    member = ForeignKey(references=Member, on_delete=OnDelete.cascade, null=True, default=None, index=True)
    to_address = Varchar(length=EMAIL_MAX)
    kind = Varchar(length=32)  # a ``MailKind``
    subject = Text()
    text_body = Text()
    html_body = Text(default="")
    post = ForeignKey(references=Post, on_delete=OnDelete.cascade, null=True, default=None)
    post_visibility = Varchar(length=16, default="", choices=None)
    post_anonymous = Boolean(default=False)
    # Written when sent (``MailKind`` news, review, urgent report): the notification it tells of,
    # or for a digest or prayer list the span of time it covers.
    notification = ForeignKey(references=Notification, on_delete=OnDelete.cascade, null=True, default=None, index=True)
    covers_from = Timestamptz(null=True, default=None)
    covers_until = Timestamptz(null=True, default=None)
    status = Varchar(length=16, default=OutboxStatus.WAITING, choices=OutboxStatus, index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz()
    claimed_until = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)


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
    action = Varchar(length=8, choices=WatchedWordAction)


class RetiredUsername(Table, tablename="retired_username"):
    """A deleted member's username, kept from new owners for ``USERNAME_RETIRED_DAYS``."""

    username_key = Varchar(length=USERNAME_MAX, primary_key=True)
    retired_at = Timestamptz()


class AuthorRestriction(Table, tablename="author_restriction"):
    """A restriction placed on "the author of post N" without learning who that is.

    It changes what the author may do (``services/accounts.load_actor`` reads it), but never
    the member's own row, page or profile: moderators see it, and lift it, only through the
    post. ``post_public_id`` stays after the post is deleted, so it still names the post.
    """

    id = Serial(primary_key=True)
    post = ForeignKey(references=Post, on_delete=OnDelete.set_null, null=True, index=True)
    post_public_id = Varchar(length=PUBLIC_ID_MAX)
    member = ForeignKey(references=Member, on_delete=OnDelete.cascade, index=True)
    action = Varchar(length=16, choices=RestrictionAction)
    status = Varchar(length=16, default=RestrictionStatus.ACTIVE, choices=RestrictionStatus)
    reason = Text(default="")
    created_by = ForeignKey(references=Member, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz()
    lifted_at = Timestamptz(null=True, default=None)


class Invitation(Table, tablename="invitation"):
    """A single-use, expiring link to join an invitation-only board. Only its hash is kept."""

    id = Serial(primary_key=True)
    token_hash = Varchar(length=64, unique=True, index=True)
    note = Varchar(length=200, default="")  # who it was meant for, for the inviter's memory
    created_by = ForeignKey(references=Member, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_by = ForeignKey(references=Member, on_delete=OnDelete.set_null, null=True)
    used_at = Timestamptz(null=True, default=None)
    revoked = Boolean(default=False)


ALL_TABLES: tuple[type[Table], ...] = (
    Member,
    Post,
    PostUpdate,
    Reply,
    Prayer,
    KeyValue,
    Counter,
    SiteSetting,
    Flag,
    ModerationLogEntry,
    Revision,
    Notification,
    Follow,
    OutboxMessage,
    MemberNote,
    WatchedWord,
    RetiredUsername,
    AuthorRestriction,
    Invitation,
)
