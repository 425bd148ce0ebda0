"""``/robots.txt``: what the board asks search engines (docs/privacy.md, "Search engines")."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Response

from prayerboard.web.common import site_settings

# With the board setting on (the default), or on a members-only board: nothing at all.
KEEP_OUT = "User-agent: *\nDisallow: /\n"
# With it off: the board and its public posts, never the pages of people, staff or searches.
PUBLIC_POSTS_ONLY = (
    "User-agent: *\n"
    + "".join(
        f"Disallow: {path}\n"
        for path in (
            "/admin",
            "/api/",
            "/join/",
            "/login",
            "/mail/",
            "/members/",
            "/mod",
            "/notifications",
            "/password/",
            "/register",
            "/search",
            "/settings",
        )
    )
    + "Allow: /\n"
)


@get("/robots.txt", name="robots", include_in_schema=False)
async def robots_txt(request: Request) -> Response[str]:
    """The same text for everyone; it follows the board's settings at once."""
    site = await site_settings(request)
    text = KEEP_OUT if site.hide_from_search_engines or site.members_only else PUBLIC_POSTS_ONLY
    return Response(text, media_type="text/plain", headers={"Cache-Control": "no-cache"})
