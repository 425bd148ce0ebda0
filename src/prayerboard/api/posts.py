"""JSON API, version 1: posts, under the same visibility rules as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromPath

from prayerboard.services import posts
from prayerboard.web.common import current_actor
from prayerboard.web.posts import board_query_from_request


class PostOut(msgspec.Struct):
    """A post as the API shows it. ``author`` is null wherever the name may not be shown, and
    then the times are given to the hour (docs/privacy.md, "Times")."""

    id: str  # the post's address: a short random id, never a row id (docs/privacy.md, "Ids")
    kind: Literal["request", "testimony"]
    title: str
    body: str
    category: str
    status: Literal["open", "answered", "archived"]
    visibility: Literal["public", "members", "team"]
    created_at: dt.datetime
    edited_at: dt.datetime | None
    answered_at: dt.datetime | None
    praying_count: int
    reply_count: int
    author: str | None
    url: str


class PostPage(msgspec.Struct):
    """One page of posts, newest first, with cursors for the next and previous pages."""

    posts: list[PostOut]
    next_before: str | None
    prev_after: str | None


def _out(row: dict) -> PostOut:
    # Built field by field so that nothing the service keeps for policy (author ids) can leak.
    return PostOut(
        id=row["public_id"],
        kind=row["kind"],
        title=row["title"],
        body=row["body"],
        category=row["category"],
        status=row["status"],
        visibility=row["visibility"],
        created_at=row["created_at"],
        edited_at=row["edited_at"],
        answered_at=row["answered_at"],
        praying_count=row["praying_count"],
        reply_count=row["reply_count"],
        author=row["author_name"],
        url=f"/posts/{row['public_id']}",
    )


class PostApiController(Controller):
    path = "/api/v1/posts"
    tags = ["posts"]

    @get("")
    async def list_posts(self, request: Request) -> PostPage:
        """Posts you may see, newest first. Filters: kind, category, answered; cursors: before, after."""
        page = await posts.board(current_actor(request), board_query_from_request(request), request.app.state.settings.page_size)
        return PostPage(posts=[_out(p) for p in page.posts], next_before=page.older, prev_after=page.newer)

    @get("/{post_id:str}")
    async def get_post(self, request: Request, post_id: FromPath[str]) -> PostOut:
        """One post, if you may see it; 404 otherwise."""
        detail = await posts.post_detail(current_actor(request), await posts.post_number(post_id))
        return _out(detail)
