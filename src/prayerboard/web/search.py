"""The search page: full-text search over what the viewer may see, throttled per client."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from prayerboard.forms import FormErrors, parse_id
from prayerboard.services import search
from prayerboard.web.common import client_address, current_actor, render

QUERY_ERROR_STATUS = 400


def _client(request: Request) -> str:
    """Whom the search limit counts: the signed-in member, else the address the request came from."""
    actor = current_actor(request)
    if actor is not None:
        return f"member:{actor.id}"
    return f"address:{client_address(request)}"


@get("/search", name="search")
async def search_page(request: Request) -> Template:
    """``GET /search?q=...``: never from the visitor cache, since results depend on who asks."""
    params = request.query_params
    throttle = search.SearchThrottle(request.app.state.counters, request.app.state.settings.searches_per_minute)
    try:
        found = await search.search(
            current_actor(request), params.get("q", ""), parse_id(params.get("limit")), throttle, _client(request)
        )
    except FormErrors as exc:
        return render(
            request, "search/results.html", QUERY_ERROR_STATUS, q=exc.values["q"], errors=exc.errors, found=None
        )
    return render(request, "search/results.html", q=found.query.text, errors={}, found=found)
