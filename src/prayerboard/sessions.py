"""Server-side sessions that rotate their id at sign-in and write only when they change.

Litestar's stock server-side backend keeps the same session id across sign-in (a session
fixation risk), and stores an empty session with a fresh cookie for every visitor request.
This backend fixes both: ``rotate_session(request)`` issues a new id and deletes the old
one, a visitor without session data costs no store write, and an unchanged session is not
written again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.types import Empty, Message, Scope, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

_ROTATE = "prayerboard.rotate_session"
_HEX_RE = re.compile(r"[0-9a-f]+")
MAX_SESSION_ID_LENGTH = 128  # ids are 64 hex digits (32 random bytes); the store's key holds 255
_LOADED = "prayerboard.session_loaded"


def rotate_session(connection: ASGIConnection) -> None:
    """Give this session a new id when the response is sent; the old id dies in the store."""
    connection.scope[_ROTATE] = True  # type: ignore[literal-required]


class RotatingSessionBackend(ServerSideSessionBackend):
    """Server-side session backend with id rotation and write-on-change."""

    def _cookie_id(self, connection: ASGIConnection) -> str | None:
        value = connection.cookies.get(self.config.key)
        # Only an id this backend could have issued (hex) reaches the store: a NUL or an
        # over-long value would fail there (PostgreSQL) instead of being a visitor.
        if not value or len(value) > MAX_SESSION_ID_LENGTH or not _HEX_RE.fullmatch(value):
            return None
        return value

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        session_id = self._cookie_id(connection)
        if session_id is None:
            return {}
        store = self.config.get_store_from_app(connection.scope["app"])
        data = await self.get(session_id, store=store)
        if data is None:
            return {}
        connection.scope[_LOADED] = data  # type: ignore[literal-required]
        return self.deserialize_data(data)

    async def store_in_message(self, scope_session: ScopeSession, message: Message, connection: ASGIConnection) -> None:
        scope: Scope = connection.scope
        store = self.config.get_store_from_app(scope["app"])
        headers = MutableScopeHeaders.from_message(message)
        cookie_params = dict(extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys()))
        old_id = self._cookie_id(connection)

        if scope_session is Empty or not scope_session:
            if old_id is not None:
                await self.delete(old_id, store=store)
                headers.add(
                    "Set-Cookie",
                    # Max-Age=0 as well: browsers prefer Max-Age to Expires, and the configured
                    # one would keep the cleared cookie alive for the session's lifetime.
                    Cookie(value="", key=self.config.key, expires=0, **{**cookie_params, "max_age": 0}).to_header(
                        header=""
                    ),
                )
            return

        data = self.serialize_data(scope_session, scope)
        rotating = bool(scope.get(_ROTATE))
        if rotating and old_id is not None:
            await self.delete(old_id, store=store)
        session_id = self.generate_session_id() if rotating or old_id is None else old_id
        if session_id != old_id or data != scope.get(_LOADED):
            await self.set(session_id=session_id, data=data, store=store)
        headers.add("Set-Cookie", Cookie(value=session_id, key=self.config.key, **cookie_params).to_header(header=""))


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    """``ServerSideSessionConfig`` using :class:`RotatingSessionBackend`."""

    _backend_class = RotatingSessionBackend
