"""Board-wide settings that an admin changes while the board runs (members-only, for now)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from prayerboard.policy import Actor, can
from prayerboard.services.errors import Forbidden
from prayerboard.tables import SiteSetting

SITE_SETTINGS_REFRESH_SECONDS = 2.0  # other processes see an admin's change within this time


@dataclass(frozen=True)
class SiteSettings:
    members_only: bool = False


class SiteSettingsCache:
    """This process's copy of the site settings, re-read from the database every few seconds."""

    def __init__(self) -> None:
        self._current = SiteSettings()
        self._fresh_until = 0.0

    async def get(self) -> SiteSettings:
        if time.monotonic() >= self._fresh_until:
            rows = await SiteSetting.select(SiteSetting.key, SiteSetting.value)
            values = {row["key"]: row["value"] for row in rows}
            self._current = SiteSettings(members_only=values.get("members_only") == "1")
            self._fresh_until = time.monotonic() + SITE_SETTINGS_REFRESH_SECONDS
        return self._current

    def expire(self) -> None:
        self._fresh_until = 0.0


async def settings_for_admin(actor: Actor, cache: SiteSettingsCache) -> SiteSettings:
    """The current settings, for the admin page."""
    if not can(actor, "manage_site"):
        raise Forbidden("Only an admin can change the board's settings.")
    cache.expire()
    return await cache.get()


async def set_members_only(actor: Actor, members_only: bool, cache: SiteSettingsCache) -> None:
    """Open the board to visitors, or admit members only."""
    if not can(actor, "manage_site"):
        raise Forbidden("Only an admin can change the board's settings.")
    await SiteSetting.insert(SiteSetting(key="members_only", value="1" if members_only else "0")).on_conflict(
        target=SiteSetting.key, action="DO UPDATE", values=[SiteSetting.value]
    )
    cache.expire()
