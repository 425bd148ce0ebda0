"""JSON API, version 1: posts, under the same visibility rules as the pages."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromPath, Parameter

from prayerboard.api.openapi import BAD_QUERY, COMMON_ERRORS, NOT_FOUND
from prayerboard.auth import current_actor
from prayerboard.rows import PostView
from prayerboard.services import posts

CURSOR_MAX = 64  # a post's public id is far shorter; anything longer cannot be a cursor


class PostPage(msgspec.Struct):
    """One page of posts, newest first, with cursors for the next and previous pages."""

    posts: list[PostView]
    next_before: str | None
    prev_after: str | None


class PostApiController(Controller):
    path = "/api/v1/posts"
    tags = ["posts"]
    include_in_schema = True  # the app leaves everything else out of the OpenAPI document

    @get("", responses={**BAD_QUERY, **COMMON_ERRORS})
    async def list_posts(
        self,
        request: Request,
        kind: Annotated[
            Literal["request", "testimony"] | None, Parameter(description="Only prayer requests, or only testimonies.")
        ] = None,
        category: Annotated[
            str | None,
            Parameter(
                description="Only this category; a name not among the board's categories is ignored.", max_length=200
            ),
        ] = None,
        answered: Annotated[bool, Parameter(description="Only requests marked answered.")] = False,
        before: Annotated[
            str | None,
            Parameter(
                description="Cursor: posts older than this post id (a page's `next_before`).", max_length=CURSOR_MAX
            ),
        ] = None,
        after: Annotated[
            str | None,
            Parameter(
                description="Cursor: posts newer than this post id (a page's `prev_after`).", max_length=CURSOR_MAX
            ),
        ] = None,
    ) -> PostPage:
        """Posts you may see, newest first, a page at a time."""
        settings = request.app.state.settings
        categories = (await request.app.state.site_settings.get()).known_categories  # retired ones too
        query = posts.BoardQuery(
            kind=kind,
            category=category if category in categories else None,
            answered=answered,
            before=before or None,
            after=after or None,
        )
        page = await posts.board(current_actor(request), query, settings.page_size)
        return PostPage(posts=[PostView.of(p) for p in page.posts], next_before=page.older, prev_after=page.newer)

    @get("/{post_id:str}", responses={**NOT_FOUND, **COMMON_ERRORS})
    async def get_post(self, request: Request, post_id: FromPath[str]) -> PostView:
        """One post, if you may see it; 404 otherwise."""
        detail = await posts.post_detail(current_actor(request), await posts.post_number(post_id))
        return PostView.of(detail)
