"""Signed one-click unsubscribe links (RFC 8058) for the mail a member chose to get."""

from __future__ import annotations

from prayerboard.settings import Settings


def link(settings: Settings, member_id: int, kind: str) -> str | None:
    """The absolute link that stops ``kind``'s mail for the member; None for a kind that has none."""
    return None


def headers(settings: Settings, member_id: int | None, kind: str) -> dict[str, str]:
    """``List-Unsubscribe`` and ``List-Unsubscribe-Post`` for one message, or none."""
    return {}
