"""The Atom feed of public posts."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Response

from prayerboard.services import feed
from prayerboard.web.common import board_name

ATOM_MEDIA_TYPE = "application/atom+xml; charset=utf-8"


@get("/feed.atom", name="feed", include_in_schema=False)
async def atom_feed(request: Request) -> Response[bytes]:
    """Public posts only, the same for every reader, signed in or not.

    Links point at the configured public address when there is one, never at whatever ``Host``
    the request named: a feed reader or cache must not be handed links to another site.
    """
    settings = request.app.state.settings
    document = await feed.atom_feed(settings.base_url(str(request.base_url)), board_name(request))
    return Response(document, media_type=ATOM_MEDIA_TYPE)
