"""Who is asking: the signed-in member, loaded once per request by Litestar's authentication middleware.

``request.user`` is the :class:`~prayerboard.policy.Actor` behind the session, or None for a
visitor (no session, or one that no longer admits anyone). Handlers read it through
``current_actor`` / ``require_member``; controllers that need more than a visitor say so with a
guard (``signed_in``, or ``guard(action, refusal)`` for a policy action), so handlers behind
them do not ask again.

The web pages and the JSON API both read the actor from here, so neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult

from prayerboard import policy
from prayerboard.policy import Actor
from prayerboard.services import accounts
from prayerboard.services.errors import SignInRequired

# Paths that show nothing of the board and nobody's data: static files and the health checks a
# load balancer polls. Neither the session nor the member is looked up for them (patterns for
# Litestar's middleware ``exclude``; ``outside_the_board`` answers the same for a path).
OUTSIDE_THE_BOARD = ("^/static/", "^/healthz$", "^/readyz$")
_OUTSIDE_PREFIX = "/static/"
_OUTSIDE_EXACT = frozenset({"/healthz", "/readyz"})


def outside_the_board(path: str) -> bool:
    """Is ``path`` one of ``OUTSIDE_THE_BOARD``?"""
    return path.startswith(_OUTSIDE_PREFIX) or path in _OUTSIDE_EXACT


class MemberAuthentication(AbstractAuthenticationMiddleware):
    """The member behind the session becomes ``request.user`` (None for a visitor).

    A session whose account was suspended or deleted, or whose sessions were ended, admits
    nobody again: it is emptied here, so the session backend deletes it and clears the cookie.
    """

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        session = connection.scope.get("session")
        if not isinstance(session, dict) or not isinstance(session.get("member_id"), int):
            return AuthenticationResult(user=None, auth=None)
        since = session.get("since")
        actor = await accounts.load_actor(
            session["member_id"], session.get("epoch", 0), since if isinstance(since, (int, float)) else None
        )
        if actor is None:
            connection.scope["session"] = {}
        return AuthenticationResult(user=actor, auth=None)


def authentication_middleware() -> DefineMiddleware:
    """``MemberAuthentication`` for every method (OPTIONS too), outside ``OUTSIDE_THE_BOARD``."""
    return DefineMiddleware(MemberAuthentication, exclude=list(OUTSIDE_THE_BOARD), exclude_http_methods=[])


def current_actor(connection: ASGIConnection[Any, Actor | None, Any, Any]) -> Actor | None:
    """The signed-in member, or None for a visitor.

    None too where the middleware did not run: the paths outside the board, and a path no
    route matched (its error page is a visitor's).
    """
    return connection.user if "user" in connection.scope else None


def require_member(connection: ASGIConnection[Any, Actor | None, Any, Any]) -> Actor:
    """The signed-in member, or ``SignInRequired`` (answered with a 303 to /login?next=...)."""
    actor = current_actor(connection)
    if actor is None:
        raise SignInRequired()
    return actor


Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: a visitor is sent to sign in; any signed-in member (pending ones too) passes."""
    require_member(connection)


def guard(action: str, refusal: str) -> Guard:
    """Guard: a visitor is sent to sign in; a member who may not do ``action`` is refused."""

    def check(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        policy.require(current_actor(connection), action, refusal=refusal)

    return check
