"""Board-wide settings that an admin changes while the board runs: members-only, who may join,
whether new members confirm their email address."""

from __future__ import annotations

from dataclasses import dataclass

from prayerboard.db import transaction
from prayerboard.forms import FormErrors
from prayerboard.policy import Actor, require
from prayerboard.stores import Generation
from prayerboard.tables import SiteSetting

# Who may join (docs/privacy.md, "Who may join"): anyone; anyone, but a moderator approves each
# new member before they see more than a visitor; or only someone holding an invitation link.
JOIN_POLICIES = {
    "open": "Anyone may join",
    "approval": "Anyone may apply; a moderator approves each new member",
    "invitation": "Only with an invitation link from an admin or moderator",
}


@dataclass(frozen=True)
class SiteSettings:
    members_only: bool = False
    join_policy: str = "open"
    # New members confirm their address (a link mailed to it) before they can sign in
    # (docs/security.md, "Confirming addresses").
    confirm_email: bool = False


class SiteSettingsCache:
    """This process's copy of the site settings, re-read whenever the visitor generation changes.

    Every admin change to the settings is an unsafe request that sets a new generation before it
    answers, so every process reads the new settings on its next request.
    """

    def __init__(self, generation: Generation) -> None:
        self.generation = generation
        self._current = SiteSettings()
        self._read_under: str | None = None

    async def get(self, generation: str | None = None, *, known: bool = False) -> SiteSettings:
        """The settings as of ``generation``, which is read from the shared source unless ``known``.

        While the generation is unknown (None) the settings are read every time.
        """
        seen = generation if known else await self.generation.current()
        if seen is None or seen != self._read_under:
            self._current = await read_settings()
            self._read_under = seen
        return self._current


async def read_settings() -> SiteSettings:
    """The settings as the database holds them now."""
    rows = await SiteSetting.select(SiteSetting.key, SiteSetting.value)
    values = {row["key"]: row["value"] for row in rows}
    join_policy = values.get("join_policy", "open")
    return SiteSettings(
        members_only=values.get("members_only") == "1",
        # A value this version does not know admits nobody rather than everybody.
        join_policy=join_policy if join_policy in JOIN_POLICIES else "invitation",
        confirm_email=values.get("confirm_email") == "1",
    )


def _require_admin(actor: Actor) -> None:
    require(actor, "manage_site", refusal="Only an admin can change the board's settings.")


async def settings_for_admin(actor: Actor) -> SiteSettings:
    """The current settings, for the admin page."""
    _require_admin(actor)
    return await read_settings()


async def save_settings(actor: Actor, members_only: bool, join_policy: str, confirm_email: bool = False) -> None:
    """Open the board to visitors or admit members only, choose who may join, and whether new
    members confirm their email address."""
    _require_admin(actor)
    if join_policy not in JOIN_POLICIES:
        raise FormErrors({"join_policy": "Choose who may join the board."}, {"join_policy": join_policy})
    async with transaction():
        for key, value in (
            ("members_only", "1" if members_only else "0"),
            ("join_policy", join_policy),
            ("confirm_email", "1" if confirm_email else "0"),
        ):
            await SiteSetting.insert(SiteSetting(key=key, value=value)).on_conflict(
                target=SiteSetting.key, action="DO UPDATE", values=[SiteSetting.value]
            )
