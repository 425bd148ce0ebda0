"""THE privacy and permission rules. Every surface asks ``can()`` or starts from ``visible_posts()``.

Rules (docs/privacy.md, "The policy"):
1. Visibility: ``public`` for anyone the board admits, ``members`` for signed-in members,
   ``team`` for the author, the prayer team, moderators and admins.
2. Anonymous posts show "Anonymous" to everyone but their author.
3. Pending, hidden and removed content is seen only by its author and moderators.
4. Deny by default: an action this module does not know is refused, and a rule asked about
   something other than the row type it reads raises ``WrongRow`` instead of answering.

A rule about a post reads a ``rows.PostRow``, one about a reply a ``rows.ReplyRow``: frozen
rows that cannot be built without every column (``rows.MissingColumn``), so no rule ever reads
a column a query forgot. ``RULES`` says which type each rule takes, so tests can check every
rule as plain data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import Where
from piccolo.query.methods.select import Select

from prayerboard.rows import PostRow, ReplyRow
from prayerboard.services.errors import Forbidden, SignInRequired
from prayerboard.tables import Post, Reply
from prayerboard.vocab import (
    MODERATOR_ROLES,
    TEAM_ROLES,
    MemberState,
    ModerationState,
    PostKind,
    PostStatus,
    Role,
    Visibility,
)

__all__ = [
    "MODERATOR_ROLES",
    "RULES",
    "TEAM_ROLES",
    "VISITOR",
    "Actor",
    "MissingFact",
    "Rule",
    "WrongRow",
    "can",
    "mail_may_still_go",
    "require",
    "visible_posts",
    "visible_posts_where",
    "visible_replies",
]


@dataclass(frozen=True)
class Actor:
    """Who is asking: a signed-in member, or a visitor (``id is None``).

    ``role`` and ``state`` are read into the vocabulary's enums whatever the caller passed, so
    a value outside it fails here, once, rather than comparing unequal everywhere.
    """

    id: int | None = None
    username: str = ""
    display_name: str = ""
    role: Role = Role.MEMBER
    state: MemberState = MemberState.ACTIVE
    session_epoch: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))
        object.__setattr__(self, "state", MemberState(self.state))

    @property
    def is_member(self) -> bool:
        return self.id is not None and self.state in {MemberState.ACTIVE, MemberState.SILENCED}

    @property
    def is_team(self) -> bool:
        return self.is_member and self.role in TEAM_ROLES

    @property
    def is_moderator(self) -> bool:
        return self.is_member and self.role in MODERATOR_ROLES

    @property
    def may_write(self) -> bool:
        """Silenced members may read and pray but not post or reply."""
        return self.is_member and self.state == MemberState.ACTIVE

    @property
    def is_pending(self) -> bool:
        """Signed in, but waiting for a moderator's approval: a visitor as far as content goes."""
        return self.id is not None and self.state == MemberState.PENDING


VISITOR = Actor()


class WrongRow(TypeError):
    """A rule was asked about something other than the row type it reads: a caller's bug.

    A dict, a row of another kind or None is never read as "no" (or "yes"): refusing loudly
    keeps a rule from allowing by accident (docs/privacy.md, "The policy").
    """

    def __init__(self, action: str, takes: tuple[type, ...], given: object) -> None:
        expected = " or ".join(t.__name__ for t in takes)
        super().__init__(f"the {action!r} rule reads a {expected}, not a {type(given).__name__}")
        self.action = action


class MissingFact(LookupError):
    """A settings rule was asked about an object that lacks a setting it reads: a caller's bug."""

    def __init__(self, action: str, column: str) -> None:
        super().__init__(f"the {action!r} rule needs {column!r}, which the object it was given lacks")
        self.action = action
        self.column = column


def _owns(actor: Actor, obj: PostRow | ReplyRow) -> bool:
    return actor.id is not None and obj.author == actor.id


def _audience_admits(actor: Actor, post: PostRow) -> bool:
    if post.visibility == Visibility.PUBLIC:
        return True
    if post.visibility == Visibility.MEMBERS:
        return actor.is_member
    if post.visibility == Visibility.TEAM:
        return actor.is_team or _owns(actor, post)
    return False


def _can_view_post(actor: Actor, post: PostRow) -> bool:
    # The author always sees their own post, whatever its state, so they can read the reason.
    if _owns(actor, post):
        return True
    if post.moderation != ModerationState.VISIBLE:
        return actor.is_moderator
    return _audience_admits(actor, post)


def _can_edit_post(actor: Actor, post: PostRow) -> bool:
    return actor.may_write and _owns(actor, post) and post.moderation != ModerationState.REMOVED


def _can_reply(actor: Actor, post: PostRow) -> bool:
    if not (actor.may_write and _can_view_post(actor, post)):
        return False
    if post.moderation != ModerationState.VISIBLE:
        return False
    return not post.replies_locked or actor.is_moderator


def _can_pray(actor: Actor, post: PostRow) -> bool:
    return actor.is_member and post.moderation == ModerationState.VISIBLE and _can_view_post(actor, post)


def _can_mark_answered(actor: Actor, post: PostRow) -> bool:
    return _can_edit_post(actor, post) and post.kind == PostKind.REQUEST and post.status == PostStatus.OPEN


def _can_see_author(actor: Actor, item: PostRow | ReplyRow) -> bool:
    """Whether the author's name (and exact times) may be shown on this post or reply to this actor."""
    return not item.anonymous or _owns(actor, item)


def _can_name_in_mail(actor: Actor, post: PostRow) -> bool:
    """Whether mail to this reader may carry the post's title and an excerpt: only a public,
    named, visible post they may read. Mail is forwarded and read on shared screens, so about
    any other post it says only that there is news, and links to it (docs/privacy.md, "Email")."""
    return (
        post.visibility == Visibility.PUBLIC
        and not post.anonymous
        and post.moderation == ModerationState.VISIBLE
        and _can_view_post(actor, post)
    )


def _can_edit_reply(actor: Actor, reply: ReplyRow) -> bool:
    return actor.may_write and _owns(actor, reply) and reply.moderation != ModerationState.REMOVED


def _can_view_reply(actor: Actor, reply: ReplyRow) -> bool:
    if reply.moderation == ModerationState.VISIBLE:
        return True
    return _owns(actor, reply) or actor.is_moderator


def _can_create_post(actor: Actor, _: object) -> bool:
    return actor.may_write


def _can_renew_post(actor: Actor, post: PostRow) -> bool:
    return _can_edit_post(actor, post) and post.status == PostStatus.ARCHIVED


def _can_manage_own_account(actor: Actor, _: object) -> bool:
    # Silenced members may still hide their name, export and delete: privacy is never withheld.
    # Nor is it from someone still waiting for approval (docs/privacy.md, "Who may join").
    return actor.is_member or actor.is_pending


def _can_moderate(actor: Actor, _: object) -> bool:
    return actor.is_moderator


def _can_admin(actor: Actor, _: object) -> bool:
    return actor.is_member and actor.role == Role.ADMIN


def _can_flag(actor: Actor, item: PostRow | ReplyRow) -> bool:
    """Members report what others wrote (the item's visibility is checked by the caller)."""
    return actor.is_member and not _owns(actor, item)


def _board_admits(actor: Actor, site: object) -> bool:
    """A members-only board admits no visitor at all."""
    if not hasattr(site, "members_only"):
        raise MissingFact("enter_board", "members_only")
    return actor.is_member or not site.members_only


POST = (PostRow,)
REPLY = (ReplyRow,)
POST_OR_REPLY = (PostRow, ReplyRow)


@dataclass(frozen=True)
class Rule:
    """One action's rule and the row types it reads (``None``: any object, or none at all)."""

    check: Callable[[Actor, Any], bool]
    takes: tuple[type, ...] | None = None


# One entry per action; anything not listed is refused.
RULES: dict[str, Rule] = {
    "view_post": Rule(_can_view_post, POST),
    "edit_post": Rule(_can_edit_post, POST),
    "delete_post": Rule(_can_edit_post, POST),
    "add_update": Rule(_can_edit_post, POST),
    "mark_answered": Rule(_can_mark_answered, POST),
    "reply": Rule(_can_reply, POST),
    "pray": Rule(_can_pray, POST),
    "see_author": Rule(_can_see_author, POST),
    "name_in_mail": Rule(_can_name_in_mail, POST),
    "view_reply": Rule(_can_view_reply, REPLY),
    "edit_reply": Rule(_can_edit_reply, REPLY),
    "delete_reply": Rule(_can_edit_reply, REPLY),
    "see_reply_author": Rule(_can_see_author, REPLY),
    "create_post": Rule(_can_create_post),
    "renew_post": Rule(_can_renew_post, POST),
    "manage_own_account": Rule(_can_manage_own_account),
    "manage_site": Rule(_can_admin),
    "enter_board": Rule(_board_admits),  # reads the site settings' ``members_only``
    "moderate": Rule(_can_moderate),
    "reveal_author": Rule(_can_admin),
    # Confirming a restriction on a privileged author says the author is privileged: the same
    # trust as revealing who wrote a post.
    "confirm_author_restriction": Rule(_can_admin),
    "manage_roles": Rule(_can_admin),
    # Safeguarding on an urgent report: a named author's address shown, a message to the
    # author, "reached out" (docs/moderation.md, "Safeguarding"). Moderators and admins.
    "reach_out": Rule(_can_moderate),
    "flag": Rule(_can_flag, POST_OR_REPLY),
}

# The actions on a post, and on a reply, that a page offers; views carry the allowed ones.
POST_ACTIONS = ("edit_post", "delete_post", "add_update", "mark_answered", "reply", "pray", "renew_post", "flag")
REPLY_ACTIONS = ("edit_reply", "delete_reply", "flag")


def can(actor: Actor | None, action: str, obj: object = None) -> bool:
    """May ``actor`` do ``action`` to ``obj``? Unknown actions are refused.

    Raises ``WrongRow`` when ``obj`` is not the row type the rule reads (a dict, a reply for a
    post rule, None), whoever asks, so a wrong call shows up in the first test.
    """
    rule = RULES.get(action)
    if rule is None:
        return False
    if rule.takes is not None and not isinstance(obj, rule.takes):
        raise WrongRow(action, rule.takes, obj)
    return bool(rule.check(actor or VISITOR, obj))


def allowed(actor: Actor | None, actions: tuple[str, ...], obj: PostRow | ReplyRow) -> frozenset[str]:
    """The ``actions`` ``actor`` may take on ``obj``: what a view carries instead of the author."""
    return frozenset(action for action in actions if can(actor, action, obj))


def require(actor: Actor | None, action: str, obj: object = None, refusal: str = "") -> Actor:
    """The actor, when ``can(actor, action, obj)``; otherwise the calm refusal it deserves.

    A visitor asked to do what needs an account is sent to sign in (``SignInRequired``);
    anyone else is refused with ``Forbidden(refusal)``.
    """
    if can(actor, action, obj):
        return actor or VISITOR
    if actor is None or actor.id is None:
        raise SignInRequired()
    raise Forbidden(refusal) if refusal else Forbidden()


def visible_posts_where(actor: Actor | None, post: Any = Post) -> Where | Any:
    """The condition every list of posts starts from: what ``actor`` may see in lists.

    ``post`` is the post table or a join to it (``Reply.post``), so that replies, search
    results and profiles filter through the very same rule.
    """
    actor = actor or VISITOR
    if actor.is_team:
        audiences: tuple[Visibility, ...] = (Visibility.PUBLIC, Visibility.MEMBERS, Visibility.TEAM)
    elif actor.is_member:
        audiences = (Visibility.PUBLIC, Visibility.MEMBERS)
    else:
        audiences = (Visibility.PUBLIC,)
    visible = ModerationState.VISIBLE
    condition = (post.moderation == visible) & post.visibility.is_in(list(audiences))
    if actor.is_member and Visibility.TEAM not in audiences:
        # A member always sees their own team-only posts in lists, too.
        condition = condition | ((post.author == actor.id) & (post.moderation == visible))
    return condition


def visible_posts(actor: Actor | None, *columns: Any) -> Select[Post]:
    """A select of the posts ``actor`` may see, to which callers add filters and ordering."""
    return Post.select(*columns).where(visible_posts_where(actor))


def visible_replies(actor: Actor | None, *columns: Any) -> Select[Reply]:
    """A select of the replies ``actor`` may see in lists: visible replies on visible posts."""
    return Reply.select(*columns).where(
        visible_posts_where(actor, Reply.post) & (Reply.moderation == ModerationState.VISIBLE)
    )


# How wide each audience is: a post may only ever be told of to an audience no wider than when
# the message about it was written.
_AUDIENCE_WIDTH = {Visibility.TEAM: 0, Visibility.MEMBERS: 1, Visibility.PUBLIC: 2}


def mail_may_still_go(post: PostRow, visibility_then: str, anonymous_then: bool) -> bool:
    """May a message written about ``post`` (then ``visibility_then``, ``anonymous_then``) go now?

    Only while the post is visible and no narrower and no more anonymous than when the message
    was written: a message about a post held, hidden, removed, narrowed or made anonymous since
    is not sent (docs/privacy.md). A message that must go whatever the post's state (to
    moderators about a held post) names no post and carries none of its content.
    """
    if not isinstance(post, PostRow):
        raise WrongRow("mail_may_still_go", (PostRow,), post)
    if post.moderation != ModerationState.VISIBLE or (post.anonymous and not anonymous_then):
        return False
    try:
        then = Visibility(visibility_then)
    except ValueError:
        return False
    return _AUDIENCE_WIDTH[post.visibility] >= _AUDIENCE_WIDTH[then]
