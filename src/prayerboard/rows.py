"""The typed rows the policy reads, and the views the web and API layers are handed.

A row is what a service selected: every column the policy's rules may read, frozen, built by
a constructor that refuses a select that forgot one (``MissingColumn``). The policy takes only
these types for its post and reply rules, so a plain dict, or a reply where a post belongs, is
refused loudly instead of answered (docs/privacy.md, "The policy").

A view is what a viewer may be shown of a row: the author's name only where the policy allows
(else None), times to the hour where the author is hidden, the actions the viewer may take, and
no member id at all. ``PostView`` is the JSON API's output type; ``PostCard`` adds what the
pages show besides.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self, overload

import msgspec

from prayerboard.tables import Post, Reply
from prayerboard.text import neutralise_bidi
from prayerboard.vocab import ModerationState, PostKind, PostStatus, Visibility


class MissingColumn(LookupError):
    """A select lacks a column its row type needs: a caller's bug, never a guess."""

    def __init__(self, row_type: str, columns: list[str]) -> None:
        super().__init__(f"a {row_type} needs the column(s) {', '.join(map(repr, columns))}, which the select lacks")
        self.row_type = row_type
        self.columns = tuple(columns)


def _columns_of(cls: type, row: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of dataclass ``cls`` read from ``row``; MissingColumn names every one it lacks."""
    if not isinstance(row, Mapping):
        raise TypeError(f"a {cls.__name__} is read from a select's row, not from {type(row).__name__}")
    names = [f.name for f in dataclasses.fields(cls)]
    missing = [name for name in names if name not in row]
    if missing:
        raise MissingColumn(cls.__name__, missing)
    return {name: row[name] for name in names}


# ---------------------------------------------------------------------------------------------
# Rows


@dataclass(frozen=True, slots=True)
class PostRow:
    """A post as selected with ``POST_COLUMNS``: what the rules read and what views are made of."""

    id: int
    public_id: str
    author: int
    kind: PostKind
    title: str
    body: str
    category: str
    visibility: Visibility
    anonymous: bool
    status: PostStatus
    moderation: ModerationState
    replies_locked: bool
    praying_count: int
    reply_count: int
    created_at: dt.datetime
    answered_at: dt.datetime | None
    edited_at: dt.datetime | None
    changed_at: dt.datetime | None
    moderation_reason: str
    edited_by_moderator: bool
    anonymised_by_moderator: bool
    author_display_name: str
    author_username: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        """The row from a select's dict; MissingColumn for a column it lacks, ValueError for a
        value outside the vocabulary."""
        values = _columns_of(cls, row)
        values.update(
            kind=PostKind(values["kind"]),
            visibility=Visibility(values["visibility"]),
            status=PostStatus(values["status"]),
            moderation=ModerationState(values["moderation"]),
            anonymous=bool(values["anonymous"]),
            replies_locked=bool(values["replies_locked"]),
            edited_by_moderator=bool(values["edited_by_moderator"]),
            anonymised_by_moderator=bool(values["anonymised_by_moderator"]),
        )
        return cls(**values)


@dataclass(frozen=True, slots=True)
class ReplyRow:
    """A reply as selected with ``REPLY_COLUMNS``, with the title and address of its post."""

    id: int
    public_id: str
    post: int
    post_public_id: str
    post_title: str
    author: int
    body: str
    anonymous: bool
    moderation: ModerationState
    moderation_reason: str
    edited_by_moderator: bool
    created_at: dt.datetime
    edited_at: dt.datetime | None
    author_display_name: str
    author_username: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        """The row from a select's dict; MissingColumn for a column it lacks."""
        values = _columns_of(cls, row)
        values.update(
            moderation=ModerationState(values["moderation"]),
            anonymous=bool(values["anonymous"]),
            edited_by_moderator=bool(values["edited_by_moderator"]),
        )
        return cls(**values)


# The select behind each row type, in one place, so a query cannot forget a column.
POST_COLUMNS: tuple[Any, ...] = (
    Post.id,
    Post.public_id,
    Post.author,
    Post.kind,
    Post.title,
    Post.body,
    Post.category,
    Post.visibility,
    Post.anonymous,
    Post.status,
    Post.moderation,
    Post.replies_locked,
    Post.praying_count,
    Post.reply_count,
    Post.created_at,
    Post.answered_at,
    Post.edited_at,
    Post.changed_at,
    Post.moderation_reason,
    Post.edited_by_moderator,
    Post.anonymised_by_moderator,
    Post.author.display_name.as_alias("author_display_name"),
    Post.author.username.as_alias("author_username"),
)

REPLY_COLUMNS: tuple[Any, ...] = (
    Reply.id,
    Reply.public_id,
    Reply.post,
    Reply.post.public_id.as_alias("post_public_id"),
    Reply.post.title.as_alias("post_title"),
    Reply.author,
    Reply.body,
    Reply.anonymous,
    Reply.moderation,
    Reply.moderation_reason,
    Reply.edited_by_moderator,
    Reply.created_at,
    Reply.edited_at,
    Reply.author.display_name.as_alias("author_display_name"),
    Reply.author.username.as_alias("author_username"),
)


# ---------------------------------------------------------------------------------------------
# Views


@overload
def to_the_hour(moment: dt.datetime) -> dt.datetime: ...
@overload
def to_the_hour(moment: None) -> None: ...
@overload
def to_the_hour(moment: dt.datetime | None) -> dt.datetime | None: ...
def to_the_hour(moment: dt.datetime | None) -> dt.datetime | None:
    """``moment`` no finer than the hour it fell in."""
    return moment.replace(minute=0, second=0, microsecond=0) if moment is not None else None


@dataclass(frozen=True, slots=True)
class Byline:
    """Who wrote something, as one viewer may see it (the policy's ``see_author`` answer applied).

    Where the name is hidden, so are exact times: an anonymous post's or reply's times are
    shown to the hour, since a minute can be matched to someone's habits (docs/privacy.md,
    "Times"). ``at`` is the one place that rounds them, for every surface.
    """

    shown: bool
    is_own: bool
    name: str | None
    username: str | None

    @classmethod
    def of(cls, row: PostRow | ReplyRow, viewer_id: int | None, shown: bool) -> Byline:
        return cls(
            shown=shown,
            is_own=viewer_id is not None and row.author == viewer_id,
            name=row.author_display_name if shown else None,
            username=row.author_username if shown else None,
        )

    @overload
    def at(self, moment: dt.datetime) -> dt.datetime: ...
    @overload
    def at(self, moment: None) -> None: ...
    @overload
    def at(self, moment: dt.datetime | None) -> dt.datetime | None: ...
    def at(self, moment: dt.datetime | None) -> dt.datetime | None:
        """``moment`` as this viewer may see it: exact, or to the hour where the author is hidden."""
        return moment if self.shown else to_the_hour(moment)


class PostView(msgspec.Struct, frozen=True, kw_only=True):
    """A post as the viewer may see it, and as the JSON API shows it.

    ``author`` is null wherever the name may not be shown, and then the times are given to the
    hour (docs/privacy.md, "Times"). ``id`` is the post's address, a short random id, never a
    row id (docs/privacy.md, "Ids").
    """

    public_id: str = msgspec.field(name="id")
    kind: PostKind
    title: str
    body: str
    category: str
    status: PostStatus
    visibility: Visibility
    created_at: dt.datetime
    edited_at: dt.datetime | None
    answered_at: dt.datetime | None
    praying_count: int
    reply_count: int
    author_name: str | None = msgspec.field(name="author")
    url: str

    @classmethod
    def of(cls, view: PostView) -> PostView:
        """Just the fields of this type from ``view`` (a ``PostCard``, say): what the API shows."""
        return PostView(**{name: getattr(view, name) for name in PostView.__struct_fields__})


class PostCard(PostView, frozen=True, kw_only=True):
    """A post as a page shows it to one viewer: the API's view and what the pages add.

    ``allowed`` holds the actions the policy allows this viewer on this post, so a template
    asks ``post.may("reply")`` without holding the author's id.
    """

    type: ClassVar[str] = "post"  # what a search result is

    author_username: str | None
    is_own: bool
    anonymous: bool
    moderation: ModerationState
    moderation_reason: str
    edited_by_moderator: bool
    replies_locked: bool
    changed_at: dt.datetime | None
    praying: bool
    excerpt: str
    allowed: frozenset[str]

    def may(self, action: str) -> bool:
        return action in self.allowed


class UpdateView(msgspec.Struct, frozen=True, kw_only=True):
    """A dated follow-up the author added to a post."""

    body: str
    created_at: dt.datetime


class ReplyView(msgspec.Struct, frozen=True, kw_only=True):
    """A reply as a viewer may see it in its thread."""

    public_id: str
    body: str
    author_name: str | None
    author_username: str | None
    is_own: bool
    anonymous: bool
    moderation: ModerationState
    moderation_reason: str
    edited_by_moderator: bool
    created_at: dt.datetime
    edited_at: dt.datetime | None
    allowed: frozenset[str]

    def may(self, action: str) -> bool:
        return action in self.allowed


class PostDetail(PostCard, frozen=True, kw_only=True):
    """A post's page: the card, its updates and the replies the viewer may see.

    ``viewer_name_hidden`` tells the reply form that what the viewer writes will be anonymous.
    """

    updates: tuple[UpdateView, ...]
    replies: tuple[ReplyView, ...]
    viewer_name_hidden: bool


class ReplyListing(msgspec.Struct, frozen=True, kw_only=True):
    """A reply listed away from its thread (a search result, a profile): an excerpt and where it is."""

    type: ClassVar[str] = "reply"  # what a search result is

    public_id: str
    post_public_id: str
    post_title: str
    author_name: str | None
    author_username: str | None
    is_own: bool
    anonymous: bool
    created_at: dt.datetime
    excerpt: str


def post_card(
    row: PostRow, byline: Byline, allowed: frozenset[str], praying: bool, excerpt: str, **more: Any
) -> dict[str, Any]:
    """The fields of a ``PostCard`` (and, with ``more``, of a ``PostDetail``) for ``row``."""
    return {
        "public_id": row.public_id,
        "kind": row.kind,
        "title": neutralise_bidi(row.title),
        "body": neutralise_bidi(row.body),
        "category": row.category,
        "status": row.status,
        "visibility": row.visibility,
        "created_at": byline.at(row.created_at),
        "edited_at": byline.at(row.edited_at),
        "answered_at": byline.at(row.answered_at),
        "praying_count": row.praying_count,
        "reply_count": row.reply_count,
        "author_name": byline.name,
        "url": f"/posts/{row.public_id}",
        "author_username": byline.username,
        "is_own": byline.is_own,
        "anonymous": row.anonymous,
        "moderation": row.moderation,
        "moderation_reason": row.moderation_reason,
        "edited_by_moderator": row.edited_by_moderator,
        "replies_locked": row.replies_locked,
        "changed_at": byline.at(row.changed_at),
        "praying": praying,
        "excerpt": excerpt,
        "allowed": allowed,
        **more,
    }
