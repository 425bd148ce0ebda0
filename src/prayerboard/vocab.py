"""The board's vocabulary: every fixed set of values, with the words people see for each.

Each set is a ``StrEnum`` whose members compare equal to the strings stored in the database,
so the tables (``choices=``), the forms, the policy and the templates read one list, and a
label is written once. ``Member.label`` is what a page shows; ``Member.hint`` the longer
wording where a page explains the choice (a form's radio button, a badge's title).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Choice(StrEnum):
    """A stored value with its label (and an optional longer hint) for people."""

    label: str
    hint: str

    def __new__(cls, value: str, label: str = "", hint: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        member.hint = hint or member.label
        return member

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(member.value for member in cls)

    @classmethod
    def parse(cls, raw: object) -> Self | None:
        """The member named by ``raw`` (a form value), or None when it names none."""
        try:
            return cls(raw) if isinstance(raw, str) else None
        except ValueError:
            return None


class PostKind(Choice):
    REQUEST = "request", "Prayer request", "A prayer request"
    TESTIMONY = "testimony", "Testimony", "A testimony or answered prayer"


class Visibility(Choice):
    PUBLIC = "public", "Public", "Anyone who visits the board"
    MEMBERS = "members", "Members only", "Signed-in members only"
    TEAM = "team", "Prayer team only", "The prayer team only"


class PostStatus(Choice):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    ARCHIVED = "archived", "Archived"


class ModerationState(Choice):
    # "Waiting for approval" is all a page says of a held post: whether it was a first post or a
    # watched word would narrow down who wrote it.
    PENDING = "pending", "Waiting for approval"
    VISIBLE = "visible", "Visible"
    HIDDEN = "hidden", "Hidden"
    REMOVED = "removed", "Removed"


class Role(Choice):
    MEMBER = "member", "Member", "Posts, replies and prays; reads what is shared with members"
    TEAM = "team", "Prayer team", "A member who also reads requests shared with the prayer team only"
    MODERATOR = "moderator", "Moderator", "Works the review queue, acts on posts and members, reads the log"
    ADMIN = "admin", "Admin", "Moderates; also board settings, roles, watched words; may reveal an anonymous author"


class MemberState(Choice):
    # "pending": registered on a board that approves new members, not yet approved.
    PENDING = "pending", "Waiting for approval"
    ACTIVE = "active", "Active"
    SILENCED = "silenced", "Silenced"
    SUSPENDED = "suspended", "Suspended"
    DELETED = "deleted", "Deleted"


class ReportReason(Choice):
    SPAM = "spam", "Spam"
    PRIVATE_DETAILS = "private_details", "Shares someone's private details"
    UNKIND = "unkind", "Unkind or harmful"
    DANGER = "danger", "Someone may be in danger"
    OTHER = "other", "Other"


class TargetKind(Choice):
    """What a report, a revision or a log entry is about.

    Reports and revisions are about posts and replies; the log is also about members and the
    board's own lists (watched words, invitations).
    """

    POST = "post", "Post"
    REPLY = "reply", "Reply"
    MEMBER = "member", "Member"
    WORD = "word", "Watched words"
    INVITE = "invite", "An invitation"


class WatchedWordAction(Choice):
    BLOCK = "block", "Block", "Refuse the post with a message"
    REVIEW = "review", "Review", "Hold the post for a moderator"


class RestrictionAction(Choice):
    SILENCE = "silence", "Silenced"
    SUSPEND = "suspend", "Suspended"


class RestrictionStatus(Choice):
    ACTIVE = "active", "In effect"
    AWAITING_ADMIN = "awaiting_admin", "Waiting for an admin"
    LIFTED = "lifted", "Lifted"


class NotificationKind(Choice):
    """What a notification tells of. A notice is a moderator's message, worded when written;
    the others are worded when shown, from the post as the member may see it then."""

    NOTICE = "notice", "Notice"
    PRAYING = "praying", "People are praying"
    REPLY = "reply", "A new reply"
    UPDATE = "update", "A new update"
    ANSWERED = "answered", "Answered"
    URGENT_REPORT = "urgent_report", "An urgent report"
    WAITING_POST = "waiting_post", "A post waiting for approval"


class MailFrequency(Choice):
    """How often a member is emailed about one kind of news (docs/privacy.md, "Email")."""

    EACH = "each", "Each time, as it happens"
    DAILY = "daily", "A daily digest"
    WEEKLY = "weekly", "A weekly digest"
    NEVER = "never", "No email"


class MailKind(Choice):
    """What an outbox message is. The news, review, urgent and prayer-list kinds are written when
    they are sent, from what their reader may see then; the others carry their text."""

    NEWS = "news", "News about your posts and posts you follow"
    NEWS_DIGEST = "news_digest", "A digest of news about your posts and posts you follow"
    REVIEW = "review", "A post waiting for approval"
    REVIEW_DIGEST = "review_digest", "A digest of posts waiting for approval"
    URGENT_REPORT = "urgent_report", "An urgent report"
    PRAYER_LIST = "prayer_list", "The daily prayer list"
    PASSWORD_RESET = "password_reset", "A password reset link"
    CONFIRM_EMAIL = "confirm_email", "Confirming an email address"
    FROM_MODERATOR = "from_moderator", "A message from a moderator"


class OutboxStatus(Choice):
    WAITING = "waiting", "Waiting to be sent"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Not sent: what it told of changed"
    FAILED = "failed", "Given up after repeated failures"


TEAM_ROLES = frozenset({Role.TEAM, Role.MODERATOR, Role.ADMIN})
MODERATOR_ROLES = frozenset({Role.MODERATOR, Role.ADMIN})
