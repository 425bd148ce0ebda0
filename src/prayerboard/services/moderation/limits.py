"""What new content must pass: hourly limits, watched words, first-post approval.

``services.posts`` calls these before it writes; nothing here reads or writes a post's text
beyond screening it, so posts may import this room without a cycle.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from prayerboard.policy import Actor
from prayerboard.services import utcnow
from prayerboard.services.errors import Throttled, try_again_in
from prayerboard.stores import Counters
from prayerboard.tables import Member, Post, WatchedWord
from prayerboard.vocab import MemberState, ModerationState, Role, WatchedWordAction

FIRST_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class ModerationRules:
    """Thresholds and limits from settings, with the shared counters for rate limits."""

    counters: Counters
    flag_threshold: int = 3
    approve_first_posts: int = 1
    posts_per_hour: int = 10
    replies_per_hour: int = 30
    reports_per_hour: int = 20
    first_day_divisor: int = 3  # a member's first day allows a third of each limit


async def check_rate(actor: Actor, what: str, rules: ModerationRules) -> None:
    """Count one more post, reply or report by ``actor`` this hour; refuse past the limit.

    A member's first day allows a third of each limit (at least one).
    """
    limit = {"post": rules.posts_per_hour, "reply": rules.replies_per_hour, "report": rules.reports_per_hour}[what]
    member = await Member.select(Member.created_at).where(Member.id == actor.id).first()
    if member is not None and utcnow() - member["created_at"] < FIRST_DAY:
        limit = max(1, limit // rules.first_day_divisor)
    count, remaining = await rules.counters.hit(f"rate:{what}:{actor.id}", 3600)
    if count > limit:
        raise Throttled(
            f"{_done_this_hour(what, limit)}, the most the board allows. Please {try_again_in(remaining)}.",
            retry_after=remaining,
        )


def _done_this_hour(what: str, times: int) -> str:
    """ "You have posted 3 times this hour", said of posts, replies or reports."""
    count = "once" if times == 1 else f"{times} times"
    if what == "report":
        return f"You have sent {times} report{'s' if times != 1 else ''} this hour"
    return f"You have {'posted' if what == 'post' else 'replied'} {count} this hour"


async def screen_text(text: str) -> tuple[str | None, str | None]:
    """The strictest watched-word verdict for ``text``: ("block" | "review" | None, the word)."""
    words = await WatchedWord.select(WatchedWord.word, WatchedWord.action)
    verdict: tuple[str | None, str | None] = (None, None)
    for row in words:
        if re.search(rf"(?<!\w){re.escape(row['word'])}(?!\w)", text, re.IGNORECASE):
            if row["action"] == WatchedWordAction.BLOCK:
                return WatchedWordAction.BLOCK.value, row["word"]
            verdict = (WatchedWordAction.REVIEW.value, row["word"])
    return verdict


async def needs_first_post_approval(actor: Actor, rules: ModerationRules) -> bool:
    """Whether a new member's post waits for a moderator (until enough of theirs were let through).

    Nothing waits while the board has no active moderator or admin: nobody could let it through.
    """
    if rules.approve_first_posts <= 0 or actor.is_moderator:
        return False
    if not await Member.exists().where(
        Member.role.is_in([Role.MODERATOR, Role.ADMIN]) & (Member.state == MemberState.ACTIVE)
    ):
        return False
    approved = await Post.count().where((Post.author == actor.id) & (Post.moderation == ModerationState.VISIBLE))
    return bool(approved < rules.approve_first_posts)
