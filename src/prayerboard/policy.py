"""THE privacy and permission rules. Every surface asks ``can()`` or starts from ``visible_posts()``.

Rules (see DESIGN.md):
1. Visibility: ``public`` for anyone the board admits, ``members`` for signed-in members,
   ``team`` for the author, the prayer team, moderators and admins.
2. Anonymous posts show "Anonymous" to everyone but their author.
3. Pending, hidden and removed content is seen only by its author and moderators.
4. Deny by default: an action this module does not know is refused.

Objects are the plain rows the services select (dicts with the columns named below).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from piccolo.columns.combination import Where
from piccolo.query.methods.select import Select

from prayerboard.tables import Post, Reply

Row = dict[str, Any]

TEAM_ROLES = frozenset({"team", "moderator", "admin"})
MODERATOR_ROLES = frozenset({"moderator", "admin"})


@dataclass(frozen=True)
class Actor:
    """Who is asking: a signed-in member, or a visitor (``id is None``)."""

    id: int | None = None
    username: str = ""
    display_name: str = ""
    role: str = "member"
    state: str = "active"
    session_epoch: int = 0

    @property
    def is_member(self) -> bool:
        return self.id is not None and self.state in {"active", "silenced"}

    @property
    def is_team(self) -> bool:
        return self.is_member and self.role in TEAM_ROLES

    @property
    def is_moderator(self) -> bool:
        return self.is_member and self.role in MODERATOR_ROLES

    @property
    def may_write(self) -> bool:
        """Silenced members may read and pray but not post or reply."""
        return self.is_member and self.state == "active"


VISITOR = Actor()


def _owns(actor: Actor, obj: Row) -> bool:
    return actor.id is not None and obj.get("author") == actor.id


def _audience_admits(actor: Actor, post: Row) -> bool:
    visibility = post.get("visibility")
    if visibility == "public":
        return True
    if visibility == "members":
        return actor.is_member
    if visibility == "team":
        return actor.is_team or _owns(actor, post)
    return False


def _can_view_post(actor: Actor, post: Row) -> bool:
    # The author always sees their own post, whatever its state, so they can read the reason.
    if _owns(actor, post):
        return True
    if post.get("moderation") != "visible":
        return actor.is_moderator
    return _audience_admits(actor, post)


def _can_edit_post(actor: Actor, post: Row) -> bool:
    return actor.may_write and _owns(actor, post) and post.get("moderation") != "removed"


def _can_reply(actor: Actor, post: Row) -> bool:
    if not (actor.may_write and _can_view_post(actor, post)):
        return False
    if post.get("moderation") != "visible":
        return False
    return not post.get("replies_locked") or actor.is_moderator


def _can_pray(actor: Actor, post: Row) -> bool:
    return actor.is_member and post.get("moderation") == "visible" and _can_view_post(actor, post)


def _can_add_update(actor: Actor, post: Row) -> bool:
    return _can_edit_post(actor, post)


def _can_mark_answered(actor: Actor, post: Row) -> bool:
    return _can_edit_post(actor, post) and post.get("kind") == "request" and post.get("status") == "open"


def _can_see_author(actor: Actor, post: Row) -> bool:
    """Whether the author's name may be shown on this post to this actor."""
    if not post.get("anonymous"):
        return True
    return _owns(actor, post)


def _can_edit_reply(actor: Actor, reply: Row) -> bool:
    return actor.may_write and _owns(actor, reply) and reply.get("moderation") != "removed"


def _can_view_reply(actor: Actor, reply: Row) -> bool:
    if reply.get("moderation") == "visible":
        return True
    return _owns(actor, reply) or actor.is_moderator


def _can_see_reply_author(actor: Actor, reply: Row) -> bool:
    if not reply.get("anonymous"):
        return True
    return _owns(actor, reply)


def _can_create_post(actor: Actor, _: Any) -> bool:
    return actor.may_write


def _can_renew_post(actor: Actor, post: Row) -> bool:
    return _can_edit_post(actor, post) and post.get("status") == "archived"


def _can_manage_own_account(actor: Actor, _: Any) -> bool:
    # Silenced members may still hide their name, export and delete: privacy is never withheld.
    return actor.is_member


def _can_moderate(actor: Actor, _: Any) -> bool:
    return actor.is_moderator


def _can_admin(actor: Actor, _: Any) -> bool:
    return actor.is_member and actor.role == "admin"


def _can_flag(actor: Actor, item: Row) -> bool:
    """Members report what others wrote (the item's visibility is checked by the caller)."""
    return actor.is_member and not _owns(actor, item)


def _board_admits(actor: Actor, site: Any) -> bool:
    """A members-only board admits no visitor at all."""
    return actor.is_member or not getattr(site, "members_only", True)


# One entry per action; anything not listed is refused.
_RULES: dict[str, Callable[[Actor, Any], bool]] = {
    "view_post": _can_view_post,
    "edit_post": _can_edit_post,
    "delete_post": _can_edit_post,
    "add_update": _can_add_update,
    "mark_answered": _can_mark_answered,
    "reply": _can_reply,
    "pray": _can_pray,
    "see_author": _can_see_author,
    "view_reply": _can_view_reply,
    "edit_reply": _can_edit_reply,
    "delete_reply": _can_edit_reply,
    "see_reply_author": _can_see_reply_author,
    "create_post": _can_create_post,
    "renew_post": _can_renew_post,
    "manage_own_account": _can_manage_own_account,
    "manage_site": _can_admin,
    "enter_board": _board_admits,
    "moderate": _can_moderate,
    "reveal_author": _can_admin,
    "manage_roles": _can_admin,
    "flag": _can_flag,
}


def can(actor: Actor | None, action: str, obj: Any = None) -> bool:
    """May ``actor`` do ``action`` to ``obj``? Unknown actions are refused."""
    rule = _RULES.get(action)
    if rule is None:
        return False
    return bool(rule(actor or VISITOR, obj))


def visible_posts_where(actor: Actor | None, post: Any = Post) -> Where | Any:
    """The condition every list of posts starts from: what ``actor`` may see in lists.

    ``post`` is the post table or a join to it (``Reply.post``), so that replies, search
    results and profiles filter through the very same rule.
    """
    actor = actor or VISITOR
    if actor.is_team:
        audiences: tuple[str, ...] = ("public", "members", "team")
    elif actor.is_member:
        audiences = ("public", "members")
    else:
        audiences = ("public",)
    condition = (post.moderation == "visible") & post.visibility.is_in(list(audiences))
    if actor.is_member and "team" not in audiences:
        # A member always sees their own team-only posts in lists, too.
        condition = condition | ((post.author == actor.id) & (post.moderation == "visible"))
    return condition


def visible_posts(actor: Actor | None, *columns: Any) -> Select:
    """A select of the posts ``actor`` may see, to which callers add filters and ordering."""
    return Post.select(*columns).where(visible_posts_where(actor))


def visible_replies(actor: Actor | None, *columns: Any) -> Select:
    """A select of the replies ``actor`` may see in lists: visible replies on visible posts."""
    return Reply.select(*columns).where(visible_posts_where(actor, Reply.post) & (Reply.moderation == "visible"))
