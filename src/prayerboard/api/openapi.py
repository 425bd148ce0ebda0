"""The OpenAPI document at ``/schema/openapi.json``: the JSON API and nothing else, described truly.

Only controllers that opt in (``include_in_schema = True``) are listed; the app leaves every
other route out, so a page, a form or a moderation route is never mistaken for a JSON operation.
"""

from __future__ import annotations

import msgspec
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec

OPENAPI_CONFIG = OpenAPIConfig(
    title="prayerboard API",
    version="1.0.0",
    path="/schema",
    description=(
        "Read-only JSON over the board's posts, under the same visibility rules as the pages, "
        "and over the signed-in member's own notifications. "
        "Without a session a caller sees what a visitor sees; with the board's session cookie "
        "(`prayerboard_session`, set by signing in on the site) what that member may see."
    ),
)


class ErrorOut(msgspec.Struct):
    """Every error answer of the API: the HTTP status again and a sentence for people."""

    status_code: int
    detail: str


def _error(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=ErrorOut, description=description, generate_examples=False)


# What any API operation may answer besides its success; each handler adds what applies to it.
COMMON_ERRORS = {
    401: _error("The board is for signed-in members only and no member's session came with the request."),
    403: _error("The signed-in member is still waiting for a moderator's approval on a members-only board."),
    429: _error("Too many requests from this client; the Retry-After header says when to try again."),
    503: _error("The board cannot reach its storage just now; try again after Retry-After seconds."),
}
BAD_QUERY = {400: _error("A query parameter has a value outside its documented type or choices.")}
NOT_FOUND = {404: _error("No post has this id, or it is not shared with the caller.")}
