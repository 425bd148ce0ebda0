"""THE privacy and permission rules. Every surface asks ``can()`` or starts from ``visible_posts()``.

Rules (docs/privacy.md, "The policy"):
1. Visibility: ``public`` for anyone the board admits, ``members`` for signed-in members,
   ``team`` for the author, the prayer team, moderators and admins.
2. Anonymous posts show "Anonymous" to everyone but their author.
3. Pending, hidden and removed content is seen only by its author and moderators.
4. Deny by default: an action this module does not know is refused, and a rule asked about
   a row that lacks a column it needs raises ``MissingFact`` instead of answering.

Objects are the plain rows the services select (dicts); each rule names the columns it reads
(``RULES``), so tests can check every rule as plain data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import Where
from piccolo.query.methods.select import Select

from prayerboard.services.errors import Forbidden, SignInRequired
from prayerboard.tables import Post, Reply

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

    @property
    def is_pending(self) -> bool:
        """Signed in, but waiting for a moderator's approval: a visitor as far as content goes."""
        return self.id is not None and self.state == "pending"


VISITOR = Actor()


class MissingFact(LookupError):
    """A rule was asked about a row that lacks a column it needs: a caller's bug, never an answer.

    Refusing loudly, rather than reading a missing column as "no", keeps a rule from allowing
    (or denying) by accident when a query forgot a column (docs/privacy.md, "The policy").
    """

    def __init__(self, action: str, column: str) -> None:
        super().__init__(f"the {action!r} rule needs the column {column!r}, which the row it was given lacks")
        self.action = action
        self.column = column


class Facts:
    """The row a rule reads, one column at a time; a column the row lacks raises ``MissingFact``.

    Rows are the dicts the services select; settings objects are read by attribute.
    """

    __slots__ = ("_action", "_row")

    def __init__(self, action: str, row: Any) -> None:
        self._action = action
        self._row = row

    def __getitem__(self, column: str) -> Any:
        row = self._row
        if isinstance(row, Mapping):
            if column in row:
                return row[column]
        elif row is not None and hasattr(row, column):
            return getattr(row, column)
        raise MissingFact(self._action, column)


def _owns(actor: Actor, obj: Facts) -> bool:
    author = obj["author"]  # read first, so a row without it fails for visitors too
    return actor.id is not None and author == actor.id


def _audience_admits(actor: Actor, post: Facts) -> bool:
    visibility = post["visibility"]
    if visibility == "public":
        return True
    if visibility == "members":
        return actor.is_member
    if visibility == "team":
        return actor.is_team or _owns(actor, post)
    return False


def _can_view_post(actor: Actor, post: Facts) -> bool:
    # The author always sees their own post, whatever its state, so they can read the reason.
    if _owns(actor, post):
        return True
    if post["moderation"] != "visible":
        return actor.is_moderator
    return _audience_admits(actor, post)


def _can_edit_post(actor: Actor, post: Facts) -> bool:
    return actor.may_write and _owns(actor, post) and post["moderation"] != "removed"


def _can_reply(actor: Actor, post: Facts) -> bool:
    if not (actor.may_write and _can_view_post(actor, post)):
        return False
    if post["moderation"] != "visible":
        return False
    return not post["replies_locked"] or actor.is_moderator


def _can_pray(actor: Actor, post: Facts) -> bool:
    return actor.is_member and post["moderation"] == "visible" and _can_view_post(actor, post)


def _can_add_update(actor: Actor, post: Facts) -> bool:
    return _can_edit_post(actor, post)


def _can_mark_answered(actor: Actor, post: Facts) -> bool:
    return _can_edit_post(actor, post) and post["kind"] == "request" and post["status"] == "open"


def _can_see_author(actor: Actor, post: Facts) -> bool:
    """Whether the author's name (and exact times) may be shown on this post or reply to this actor."""
    if not post["anonymous"]:
        return True
    return _owns(actor, post)


def _can_edit_reply(actor: Actor, reply: Facts) -> bool:
    return actor.may_write and _owns(actor, reply) and reply["moderation"] != "removed"


def _can_view_reply(actor: Actor, reply: Facts) -> bool:
    if reply["moderation"] == "visible":
        return True
    return _owns(actor, reply) or actor.is_moderator


def _can_create_post(actor: Actor, _: Facts) -> bool:
    return actor.may_write


def _can_renew_post(actor: Actor, post: Facts) -> bool:
    return _can_edit_post(actor, post) and post["status"] == "archived"


def _can_manage_own_account(actor: Actor, _: Facts) -> bool:
    # Silenced members may still hide their name, export and delete: privacy is never withheld.
    # Nor is it from someone still waiting for approval (docs/privacy.md, "Who may join").
    return actor.is_member or actor.is_pending


def _can_moderate(actor: Actor, _: Facts) -> bool:
    return actor.is_moderator


def _can_admin(actor: Actor, _: Facts) -> bool:
    return actor.is_member and actor.role == "admin"


def _can_flag(actor: Actor, item: Facts) -> bool:
    """Members report what others wrote (the item's visibility is checked by the caller)."""
    return actor.is_member and not _owns(actor, item)


def _board_admits(actor: Actor, site: Facts) -> bool:
    """A members-only board admits no visitor at all."""
    members_only = site["members_only"]
    return actor.is_member or not members_only


@dataclass(frozen=True)
class Rule:
    """One action's rule and the columns of the row it reads (all checked before it runs)."""

    check: Callable[[Actor, Facts], bool]
    needs: tuple[str, ...] = ()


_POST_VIEW = ("author", "moderation", "visibility")

# One entry per action; anything not listed is refused.
RULES: dict[str, Rule] = {
    "view_post": Rule(_can_view_post, _POST_VIEW),
    "edit_post": Rule(_can_edit_post, ("author", "moderation")),
    "delete_post": Rule(_can_edit_post, ("author", "moderation")),
    "add_update": Rule(_can_add_update, ("author", "moderation")),
    "mark_answered": Rule(_can_mark_answered, ("author", "moderation", "kind", "status")),
    "reply": Rule(_can_reply, (*_POST_VIEW, "replies_locked")),
    "pray": Rule(_can_pray, _POST_VIEW),
    "see_author": Rule(_can_see_author, ("author", "anonymous")),
    "view_reply": Rule(_can_view_reply, ("author", "moderation")),
    "edit_reply": Rule(_can_edit_reply, ("author", "moderation")),
    "delete_reply": Rule(_can_edit_reply, ("author", "moderation")),
    "see_reply_author": Rule(_can_see_author, ("author", "anonymous")),
    "create_post": Rule(_can_create_post),
    "renew_post": Rule(_can_renew_post, ("author", "moderation", "status")),
    "manage_own_account": Rule(_can_manage_own_account),
    "manage_site": Rule(_can_admin),
    "enter_board": Rule(_board_admits, ("members_only",)),
    "moderate": Rule(_can_moderate),
    "reveal_author": Rule(_can_admin),
    # Confirming a restriction on a privileged author says the author is privileged: the same
    # trust as revealing who wrote a post.
    "confirm_author_restriction": Rule(_can_admin),
    "manage_roles": Rule(_can_admin),
    "flag": Rule(_can_flag, ("author",)),
}


def can(actor: Actor | None, action: str, obj: Any = None) -> bool:
    """May ``actor`` do ``action`` to ``obj``? Unknown actions are refused.

    Raises ``MissingFact`` when ``obj`` lacks a column the rule needs, whoever asks and
    whatever the other columns say, so a forgotten column shows up in the first test.
    """
    rule = RULES.get(action)
    if rule is None:
        return False
    facts = Facts(action, obj)
    for column in rule.needs:
        facts[column]
    return bool(rule.check(actor or VISITOR, facts))


def require(actor: Actor | None, action: str, obj: Any = None, refusal: str = "") -> Actor:
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
