"""Member profiles."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Response, Template

from prayerboard.services import members
from prayerboard.web.common import current_actor, render_page


class MemberController(Controller):
    path = "/members"

    @get("/{username:str}", name="member_profile")
    async def show_profile(self, request: Request, username: FromPath[str]) -> Template | Response[str]:
        async def load() -> dict[str, Any]:
            params = request.query_params
            found = await members.profile(
                current_actor(request),
                username,
                posts_before=params.get("posts_before") or None,
                replies_before=params.get("replies_before") or None,
            )
            return {"profile": found}

        return await render_page(request, "members/profile.html", load)
