"""A member's notifications, and following a post."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from prayerboard.services import notifications, posts
from prayerboard.services.errors import NotFound
from prayerboard.web.common import render, require_member, see_other

MARKED_READ = "Marked as read."
ALL_MARKED_READ = "All your notifications are marked as read."
FOLLOWING = "You are following this post: its replies, updates and answering will reach you."
UNFOLLOWED = "You no longer follow this post."


def _page_number(raw: str | None) -> int:
    """``?page=`` as a page number; anything else is the first page."""
    try:
        return max(1, min(int(raw or "1"), 10_000))
    except ValueError:
        return 1


class NotificationController(Controller):
    path = "/notifications"

    @get("", name="notifications")
    async def list(self, request: Request) -> Template:
        page = await notifications.page_of(require_member(request), _page_number(request.query_params.get("page")))
        return render(request, "notifications.html", page=page, notifications=page.items)

    # Reading one's own notifications changes nothing anyone else sees.
    @post("/read", opt={"widens_only": True})
    async def read_all(self, request: Request) -> Redirect:
        await notifications.mark_all_read(require_member(request))
        flash(request, ALL_MARKED_READ, category="info")
        return see_other("/notifications")

    @post("/{number:str}/read", opt={"widens_only": True})
    async def read_one(self, request: Request, number: FromPath[str]) -> Redirect:
        actor = require_member(request)
        # ``number`` is the row's public id: a row number would count others' events by its gaps.
        if not await notifications.mark_read(actor, number):
            raise NotFound()
        flash(request, MARKED_READ, category="info")
        return see_other("/notifications")


class FollowController(Controller):
    path = "/posts"

    # Following changes only what reaches the member.
    @post("/{post_id:str}/follow", opt={"widens_only": True})
    async def follow(self, request: Request, post_id: FromPath[str]) -> Redirect:
        await notifications.follow(require_member(request), await posts.post_number(post_id))
        flash(request, FOLLOWING, category="info")
        return see_other(f"/posts/{post_id}")

    @post("/{post_id:str}/unfollow", opt={"widens_only": True})
    async def unfollow(self, request: Request, post_id: FromPath[str]) -> Redirect:
        await notifications.unfollow(require_member(request), await posts.post_number(post_id))
        flash(request, UNFOLLOWED, category="info")
        return see_other(f"/posts/{post_id}")
