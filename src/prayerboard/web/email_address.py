"""A member's email address: confirming it, and changing it (confirmed before it is used)."""

from __future__ import annotations

from litestar import Controller

from prayerboard.auth import signed_in


class EmailAddressController(Controller):
    path = "/settings/email"
    guards = [signed_in]
