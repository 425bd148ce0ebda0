"""Jinja2 set-up: the policy's ``can()``, plain-text rendering and dates for every template."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment
from markupsafe import Markup

from prayerboard import vocab
from prayerboard.policy import can
from prayerboard.rows import PostCard
from prayerboard.settings import Settings
from prayerboard.text import render_plain_text


def _as_datetime(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def format_date(value: Any) -> str:
    """A calm, unambiguous date: "3 March 2026"."""
    moment = _as_datetime(value)
    return f"{moment.day} {moment:%B %Y}" if moment else ""


def iso_datetime(value: Any) -> str:
    moment = _as_datetime(value)
    return moment.isoformat(timespec="seconds") if moment else ""


def _on_the_hour(moment: dt.datetime) -> bool:
    return moment.minute == moment.second == moment.microsecond == 0


def time_ago(value: Any, now: dt.datetime | None = None) -> str:
    """ "just now", "5 minutes ago", "yesterday", then the date."""
    moment = _as_datetime(value)
    if moment is None:
        return ""
    seconds = int(((now or dt.datetime.now(dt.UTC)) - moment).total_seconds())
    if seconds < 3600 and _on_the_hour(moment):
        # An anonymous author's time, given to the hour (rows.to_the_hour): say no more.
        return "within the hour"
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        minutes = seconds // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    if seconds < 86400:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    days = seconds // 86400
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    return format_date(moment)


def with_query(base: dict[str, Any], **changes: Any) -> str:
    """A query string from ``base`` with ``changes`` applied; empty values are dropped."""
    merged = {**base, **changes}
    pairs = {k: v for k, v in merged.items() if v not in (None, "", False)}
    return ("?" + urlencode(pairs)) if pairs else "?"


CARD_CACHE_SIZE = 4096  # cards kept rendered; a board page shows 20


class CardHeads:
    """Board cards' shared part, rendered once per distinct content and kept.

    The key holds every value the card shows (the author as this viewer may see them, the
    relative time as text), so a changed, moderated or anonymised post can never be served
    from an older rendering: it simply has a new key.
    """

    def __init__(self, env: Environment, size: int = CARD_CACHE_SIZE) -> None:
        self.env = env
        self.size = size
        self._cards: OrderedDict[tuple[Any, ...], Markup] = OrderedDict()
        self._macro: Any = None

    def __call__(self, post: PostCard) -> Markup:
        key = (
            post.public_id,
            post.kind,
            post.status,
            post.category,
            post.visibility,
            post.title,
            post.excerpt,
            post.author_name,
            post.author_username,
            post.is_own and post.anonymous,
            time_ago(post.created_at),
            iso_datetime(post.created_at),
        )
        card = self._cards.get(key)
        if card is None:
            if self._macro is None:
                self._macro = self.env.get_template("partials/card.html").module.card_head  # type: ignore[attr-defined]
            card = Markup(self._macro(post))
            self._cards[key] = card
            if len(self._cards) > self.size:
                self._cards.popitem(last=False)
        return card


# The vocabulary's enums, so that templates name values and show labels from the one list.
VOCABULARY = {
    name: value
    for name, value in vars(vocab).items()
    if isinstance(value, type) and issubclass(value, vocab.Choice) and value is not vocab.Choice
}


def configure_environment(env: Environment, settings: Settings) -> None:
    env.globals.update(can=can, with_query=with_query, board_name=settings.board_name, card_head=CardHeads(env))
    env.globals.update(VOCABULARY)
    env.filters.update(plain_text=render_plain_text, date=format_date, iso=iso_datetime, ago=time_ago)
    # Templates ship with the package and change only with a new release; checking the files on
    # every render costs a stat() per template per request.
    env.auto_reload = False
    env.trim_blocks = True
    env.lstrip_blocks = True
