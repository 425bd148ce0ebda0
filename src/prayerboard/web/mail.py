"""What a member gets by email: their choices, and the one-click unsubscribe link in every message."""

from __future__ import annotations

from litestar import Controller


class UnsubscribeController(Controller):
    path = "/mail"
