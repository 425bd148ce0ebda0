"""What a member gets by email: news, and for moderators review and urgent reports, and the prayer list."""

from __future__ import annotations

from typing import Any

from prayerboard.db import transaction
from prayerboard.forms import FormErrors
from prayerboard.policy import Actor, can, require
from prayerboard.tables import Member
from prayerboard.vocab import MailFrequency

CHOOSE_HOW_OFTEN = "Choose how often you want these emails."


async def save_choices(actor: Actor, news: str, review: str, urgent: bool, prayer_list: bool) -> None:
    """Save the member's email choices (docs/privacy.md, "Email").

    ``review`` and ``urgent`` are a moderator's choices: anyone else's are ignored, whatever the
    form sent. A frequency outside ``MailFrequency`` is a form error and saves nothing.
    """
    require(actor, "manage_own_account")
    changes: dict[Any, Any] = {Member.mail_prayer_list: prayer_list}
    frequencies = {Member.mail_news: ("mail_news", news)}
    if can(actor, "moderate"):
        frequencies[Member.mail_review] = ("mail_review", review)
        changes[Member.mail_urgent] = urgent
    errors: dict[str, str] = {}
    for column, (field, raw) in frequencies.items():
        choice = MailFrequency.parse(raw)
        if choice is None:
            errors[field] = CHOOSE_HOW_OFTEN
        else:
            changes[column] = choice.value
    if errors:
        values = {"mail_news": news, "mail_review": review, "mail_urgent": urgent, "mail_prayer_list": prayer_list}
        raise FormErrors(errors, values)
    async with transaction():
        await Member.update(changes).where(Member.id == actor.id)
