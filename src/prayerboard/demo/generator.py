"""Demo content: members, prayer requests, testimonies, prayers, replies and updates.

``prayerboard demo --members 500 --posts 100000`` fills the configured database with content
composed from the hand-written templates and fragments in ``text.py`` (no data sets, no
downloads), seeded so the same seed on an empty database gives the same board.

Every demo member signs in with the password ``demo-password-123`` (``DEMO_PASSWORD``); they
all share one argon2id hash, computed once, because hashing 500 passwords would take longer
than writing 100,000 posts. Emails are at ``example.org``; every role is ``member``.

A published password must not open accounts on a real board (docs/security.md, "Demo boards").
The shared hash is stored with ``passwords.DEMO_HASH_MARK`` in front, which sign-in honours only
while the site setting ``demo`` is "1". The command sets it to "1" on a board that holds only
demo members, and refuses a board with any other member unless told ``alongside_real_members``;
then it writes "0", so the demo accounts cannot sign in there. Demo posts, prayers and replies
are only ever written as demo members, never as a real one.

Shape of the data:

* About 75% requests and 25% testimonies, over the last two years, denser towards today (a
  growing community). Posts are inserted oldest first, so ids increase with ``created_at`` and
  the board's newest-first-by-id order matches the dates.
* Mostly public, some for members only, a few for the prayer team; about 10% anonymous; about
  15% of requests answered. Nobody but the author can see a ``team`` post (demo members are
  plain members), so those get no prayers or replies from others.
* ``praying_count`` and ``reply_count`` are exact: they are counted from the ``Prayer`` and
  ``Reply`` rows written alongside. ``last_activity_at`` is the latest reply, update or
  answer (an "I'm praying" does not bump it, as in ``services.posts``).
* Running the command again adds more: new usernames never collide with existing ones, and
  the new posts are dated after the newest existing post (so ids still follow dates; right
  after a first run that window is short).

Speed: 100,000 posts (with ~350,000 prayers and ~140,000 replies) must take under a minute on
SQLite. Piccolo's ``Table.insert(*rows)`` in batches of 1,000 measured ~27 s for the posts
alone and ~31 s for the prayers on a 2-core machine (building the Table objects is a quarter of
that), so this module writes tuples with ``executemany`` on a raw ``sqlite3`` connection inside
one IMMEDIATE transaction (all or nothing): ~13 s for the whole set, about 8 s of it composing
the rows. PostgreSQL gets ``copy_records_to_table`` in one transaction (~24 s). Rows carry
explicit ids, allocated while the tables are locked against other writers. Run it while the
board is idle: on SQLite it holds the write lock for the whole run.
"""

from __future__ import annotations

import asyncio
import bisect
import random
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from prayerboard import db
from prayerboard.demo.text import (
    AUTHOR_REPLIES,
    CLOSINGS,
    COMMON_ASKS,
    FEELINGS,
    FEMALE_NAMES,
    GENERIC_THEME,
    HE,
    MALE_NAMES,
    OPENERS,
    PRONOUNS,
    RELATIONS,
    REPLY_ADDITIONS,
    REQUEST_REPLIES,
    SCRIPTURE_LINES,
    SHE,
    SPANS,
    SURNAMES,
    TESTIMONY_CLOSINGS,
    TESTIMONY_OPENERS,
    TESTIMONY_REPLIES,
    TESTIMONY_SCRIPTURE_LINES,
    THEMES,
    THEY,
    URL_LINES,
    USERNAME_WORDS,
    WEEKDAYS,
    WHENS,
    Scenario,
    Theme,
)
from prayerboard.ids import new_public_id
from prayerboard.passwords import DEMO_HASH_MARK, hash_password_sync
from prayerboard.services.accounts import DEMO_BOARD_SETTING
from prayerboard.settings import Settings
from prayerboard.tables import BODY_MAX, DISPLAY_NAME_MAX, TITLE_MAX, USERNAME_MAX

DEMO_PASSWORD = "demo-password-123"
EMAIL_DOMAIN = "example.org"  # reserved for examples (RFC 2606): mail to it goes nowhere

DAY_S = 86_400.0
HISTORY_S = 730 * DAY_S  # posts spread over the last two years
RECENT_SKEW = 0.8  # exponent < 1 puts more posts near today than long ago
FOUNDER_SHARE = 0.3  # members who joined before the first demo post
FOUNDER_LEAD_S = 60 * DAY_S  # founders joined up to this long before the first post
JOIN_WINDOW_SHARE = 0.8  # other members join during the first 80% of the history

REQUEST_SHARE = 0.75
ANONYMOUS_SHARE = 0.10
ANSWERED_SHARE = 0.15  # of requests
EDITED_SHARE = 0.05
UPDATE_SHARE = 0.20  # of requests that get one or two author updates
ANSWER_UPDATE_SHARE = 0.6  # of answered requests whose author also posts a praise report
URL_SHARE = 0.03
SCRIPTURE_SHARE = 0.12
LONG_BODY_SHARE = 0.10
SIGNATURE_SHARE = 0.12  # of named posts signed with the author's first name
VISIBILITY_WEIGHTS = {"public": 80, "members": 16, "team": 4}
DEFAULT_VISIBILITY_WEIGHTS = {"public": 85, "members": 15}
DEFAULT_ANONYMOUS_SHARE = 0.05

# Which categories requests and testimonies fall in (testimonies lean to Thanksgiving).
REQUEST_CATEGORY_WEIGHTS = {
    "Health and healing": 25,
    "Family and marriage": 18,
    "Grief and loss": 10,
    "Work and provision": 14,
    "Faith and guidance": 11,
    "Addiction and recovery": 6,
    "Church and mission": 7,
    "Thanksgiving": 2,
    "Other": 7,
}
TESTIMONY_CATEGORY_WEIGHTS = {
    "Health and healing": 16,
    "Family and marriage": 10,
    "Grief and loss": 4,
    "Work and provision": 12,
    "Faith and guidance": 10,
    "Addiction and recovery": 6,
    "Church and mission": 6,
    "Thanksgiving": 30,
    "Other": 6,
}
UNKNOWN_CATEGORY_WEIGHT = 8  # a category configured by the site, which text.THEMES does not know

# How many members pray for / reply to an ordinary post; a few posts draw many more.
PRAYER_COUNT_WEIGHTS = (10, 14, 15, 15, 13, 11, 9, 7, 6)  # 0..8, mean ~3.5
REPLY_COUNT_WEIGHTS = (30, 30, 20, 12, 8)  # 0..4, mean ~1.4
POPULAR_SHARE = 0.01
POPULAR_PRAYERS = (10, 40)
POPULAR_REPLIES = (3, 8)
AUTHOR_REPLY_SHARE = 0.12  # of posts with replies where the author answers too
REPLY_ADDITION_SHARE = 0.25  # of replies that add a second short line
PRAYER_COUNT_SIZES = tuple(range(len(PRAYER_COUNT_WEIGHTS)))
REPLY_COUNT_SIZES = tuple(range(len(REPLY_COUNT_WEIGHTS)))

# Delays after the post (means of exponential distributions): prayers and replies come in
# the first hours, updates over days, answers over weeks.
PRAYER_DELAY_MEAN_S = 8 * 3600.0
REPLY_DELAY_MEAN_S = 14 * 3600.0
UPDATE_DELAY_MEAN_S = 6 * DAY_S
ANSWER_DELAY_MEAN_S = 30 * DAY_S
EDIT_DELAY_MEAN_S = 20 * 60.0

POSTS_PER_CHUNK = 5_000  # generated, written and reported in chunks to bound memory
MEMBERS_PER_CHUNK = 5_000

MEMBER_COLUMNS = (
    "id",
    "username",
    "username_key",
    "display_name",
    "email",
    "password_hash",
    "role",
    "state",
    "default_visibility",
    "default_anonymous",
    "created_at",
)
POST_COLUMNS = (
    "id",
    "author",
    "kind",
    "title",
    "body",
    "category",
    "visibility",
    "anonymous",
    "status",
    "moderation",
    "replies_locked",
    "praying_count",
    "reply_count",
    "created_at",
    "edited_at",
    "answered_at",
    "last_activity_at",
    "public_id",
)
PRAYER_COLUMNS = ("id", "post", "member", "created_at")
REPLY_COLUMNS = ("id", "post", "author", "body", "anonymous", "moderation", "created_at", "edited_at", "public_id")
UPDATE_COLUMNS = ("id", "post", "body", "created_at")
TABLE_COLUMNS = {
    "member": MEMBER_COLUMNS,
    "post": POST_COLUMNS,
    "prayer": PRAYER_COLUMNS,
    "reply": REPLY_COLUMNS,
    "post_update": UPDATE_COLUMNS,
}


class DemoError(RuntimeError):
    """The demo cannot run against this database (not migrated, no members to post as, real members)."""


# =============================================================================================
# Generation


@dataclass
class Existing:
    """What the database already holds, read under the write lock before generating."""

    next_ids: dict[str, int]
    username_keys: set[str]
    members: list[tuple[float, int]]  # (joined at, id) of active demo members, any order
    newest_post_at: float | None
    real_members: int  # members the demo did not make, in any state


# Members the demo made, and the rest: by the mark on their password hash.
DEMO_MEMBER_SQL = f"substr(password_hash, 1, {len(DEMO_HASH_MARK)}) = '{DEMO_HASH_MARK}'"
REAL_MEMBERS_SQL = f"SELECT count(*) FROM member WHERE password_hash IS NULL OR NOT {DEMO_MEMBER_SQL}"
DEMO_MEMBERS_SQL = f"SELECT id, created_at FROM member WHERE state = 'active' AND {DEMO_MEMBER_SQL}"
# Marks the board as a demo ("1") or not ("0"): only a demo board lets demo members sign in.
DEMO_SETTING_SQL = (
    "INSERT INTO site_setting (key, value) VALUES ({key}, {value}) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)


def demo_setting(existing: Existing) -> str:
    """The ``demo`` site setting after this run: "1" unless the board has members the demo did not make."""
    return "0" if existing.real_members else "1"


@dataclass
class Chunk:
    """Rows for one run of posts and everything that hangs off them, ready to write."""

    posts: list[tuple] = field(default_factory=list)
    prayers: list[tuple] = field(default_factory=list)
    replies: list[tuple] = field(default_factory=list)
    updates: list[tuple] = field(default_factory=list)


@dataclass
class Totals:
    members: int = 0
    posts: int = 0
    requests: int = 0
    testimonies: int = 0
    answered: int = 0
    anonymous: int = 0
    prayers: int = 0
    replies: int = 0
    updates: int = 0


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _clip(text: str, limit: int) -> str:
    """Shorten ``text`` to ``limit`` characters at a word, which templates should never need."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


class Generator:
    """Composes demo rows from the words in ``text.py``; all randomness comes from one seeded ``Random``."""

    def __init__(
        self,
        rng: random.Random,
        categories: Sequence[str],
        password_hash: str,
        existing: Existing,
        now: float,
        stamp: Callable[[float], Any],
    ) -> None:
        self.rng = rng
        self.categories = tuple(categories)
        self.password_hash = password_hash
        self.existing = existing
        self.now = now
        self.stamp = stamp  # turns epoch seconds into what the database driver wants
        self.next_ids = dict(existing.next_ids)
        self.taken = set(existing.username_keys)
        self.totals = Totals()
        oldest = now - HISTORY_S
        newest = existing.newest_post_at
        # New posts come after every existing post so that ids keep following dates.
        self.start = max(oldest, newest + 1.0) if newest is not None else oldest
        self.request_weights = [self._category_weight(c, REQUEST_CATEGORY_WEIGHTS) for c in self.categories]
        self.testimony_weights = [self._category_weight(c, TESTIMONY_CATEGORY_WEIGHTS) for c in self.categories]
        self.joined: list[float] = []
        self.member_ids: list[int] = []
        self.first_names: dict[int, str] = {}  # new members, for signing their posts

    @staticmethod
    def _category_weight(category: str, weights: dict[str, int]) -> int:
        return weights.get(category, UNKNOWN_CATEGORY_WEIGHT)

    def _take_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    # -- members --------------------------------------------------------------------------

    def _username(self, first: str, last: str) -> str:
        rng = self.rng
        first_part, last_part = _ascii(first), _ascii(last).replace(" ", "").replace("'", "")
        pattern = rng.randrange(7)
        if pattern == 0:
            base = f"{first_part}.{last_part}"
        elif pattern == 1:
            base = f"{first_part}_{last_part[0]}"
        elif pattern == 2:
            base = f"{first_part}{last_part[0]}{rng.randrange(10, 100)}"
        elif pattern == 3:
            base = f"{first_part[0]}{last_part}"
        elif pattern == 4:
            base = f"{first_part}{rng.randrange(60, 106) % 100:02d}"
        elif pattern == 5:
            base = f"{rng.choice(USERNAME_WORDS)}_{first_part}"
        else:
            base = f"{first_part}{last_part}"
        if rng.random() < 0.15:
            base = _capitalise(base)
        base = base[:USERNAME_MAX]
        name, n = base, 2
        while name.casefold() in self.taken:
            # Collisions (from this run or an earlier one) get the lowest free number.
            suffix = str(n)
            name = base[: USERNAME_MAX - len(suffix)] + suffix
            n += 1
        self.taken.add(name.casefold())
        return name

    def members(self, count: int) -> list[tuple]:
        """New member rows, in order of joining, and register everyone who may post or pray."""
        rng = self.rng
        span = self.now - self.start
        founders = max(1, round(count * FOUNDER_SHARE)) if count else 0
        joins = [self.start - rng.random() * FOUNDER_LEAD_S for _ in range(founders)]
        joins += [self.start + rng.random() * span * JOIN_WINDOW_SHARE for _ in range(count - founders)]
        joins.sort()
        rows = []
        for joined in joins:
            first = rng.choice(FEMALE_NAMES if rng.random() < 0.55 else MALE_NAMES)
            last = rng.choice(SURNAMES)
            username = self._username(first, last)
            shape = rng.random()
            if shape < 0.65:
                display = f"{first} {last}"
            elif shape < 0.9:
                display = f"{first} {last[0]}."
            else:
                display = first
            member_id = self._take_id("member")
            rows.append(
                (
                    member_id,
                    username,
                    username.casefold(),
                    display[:DISPLAY_NAME_MAX],
                    f"{username.casefold()}@{EMAIL_DOMAIN}",
                    self.password_hash,
                    "member",
                    "active",
                    _weighted(rng, DEFAULT_VISIBILITY_WEIGHTS),
                    rng.random() < DEFAULT_ANONYMOUS_SHARE,
                    self.stamp(joined),
                )
            )
        self.totals.members = len(rows)
        everyone = sorted(self.existing.members + [(j, r[0]) for j, r in zip(joins, rows, strict=False)])
        self.joined = [joined for joined, _ in everyone]
        self.member_ids = [member_id for _, member_id in everyone]
        self.first_names = {r[0]: r[3].split(" ")[0] for r in rows}
        return rows

    # -- posts ----------------------------------------------------------------------------

    def post_times(self, count: int) -> list[float]:
        """Creation times, oldest first, denser towards now."""
        rng, start, span = self.rng, self.start, self.now - self.start
        return sorted(start + span * rng.random() ** RECENT_SKEW for _ in range(count))

    def _after(self, t: float, mean_delay: float) -> float:
        """A moment after ``t``, about ``mean_delay`` later, but never in the future."""
        later = t + self.rng.expovariate(1.0 / mean_delay)
        if later < self.now:
            return later
        return t + (self.now - t) * self.rng.random()

    def _person(self, group: str | None) -> dict[str, str]:
        rng = self.rng
        ctx = {"day": rng.choice(WEEKDAYS), "span": rng.choice(SPANS), "when": rng.choice(WHENS)}
        if group is None:
            return ctx
        label, gender, nameable = rng.choice(RELATIONS[group])
        if gender == THEY:
            gender = rng.choice((SHE, HE, THEY))
        name = None
        if nameable and gender != THEY and rng.random() < 0.55:
            name = rng.choice(FEMALE_NAMES if gender == SHE else MALE_NAMES)
        who = f"my {label} {name}" if name else f"my {label}"
        ref = name or f"my {label}"
        ctx.update(PRONOUNS[gender])
        ctx.update(
            who=who,
            Who=_capitalise(who),
            ref=ref,
            Ref=_capitalise(ref),
            label=label,
            They=_capitalise(ctx["they"]),
            Their=_capitalise(ctx["their"]),
        )
        return ctx

    def _paragraphs(self, parts: list[str], anonymous: bool, author: int) -> str:
        rng = self.rng
        if not anonymous and author in self.first_names and rng.random() < SIGNATURE_SHARE:
            parts.append(f"— {self.first_names[author]}")
        # Short posts are often one paragraph; longer ones keep their breaks.
        joiner = " " if len(parts) <= 3 and rng.random() < 0.3 else "\n\n"
        return _clip(joiner.join(parts), BODY_MAX)

    def _extras(self, parts: list[str], scripture: Sequence[str]) -> None:
        rng = self.rng
        if scripture and rng.random() < SCRIPTURE_SHARE:
            parts.append(rng.choice(scripture))
        if rng.random() < URL_SHARE:
            parts.append(rng.choice(URL_LINES).format(n=rng.randrange(1000, 99999)))

    def _request(self, theme: Theme, anonymous: bool, author: int) -> tuple[str, str, Scenario, dict]:
        rng = self.rng
        scenario = rng.choice(theme.scenarios)
        ctx = self._person(scenario.about)
        title = rng.choice(scenario.titles).format_map(ctx)
        parts = []
        if rng.random() < 0.4:
            parts.append(rng.choice(OPENERS))
        # Drawn without replacement so that no line appears twice in one post.
        details = [d.format_map(ctx) for d in rng.sample(scenario.details, k=len(scenario.details))]
        feelings = rng.sample(FEELINGS, k=4) if scenario.heavy else []
        situation = rng.choice(scenario.situations).format_map(ctx)
        if details and rng.random() < 0.45:
            situation += " " + details.pop()
        if feelings and rng.random() < 0.4:
            situation += " " + feelings.pop()
        parts.append(situation)
        if rng.random() < LONG_BODY_SHARE:
            # A longer story: the rest of the background and how it feels, in paragraphs.
            if details:
                parts.append(" ".join(details))
            if feelings:
                parts.append(" ".join(feelings[: rng.randint(2, 3)]))
        # One ask that fits the situation, sometimes followed by a general one.
        specific = scenario.asks + theme.asks
        ask = rng.choice(specific) if rng.random() < 0.75 else rng.choice(COMMON_ASKS)
        if ask in specific and rng.random() < 0.3:
            ask += " " + rng.choice(COMMON_ASKS)
        parts.append(ask.format_map(ctx))
        self._extras(parts, SCRIPTURE_LINES if scenario.heavy else ())
        if rng.random() < 0.55:
            parts.append(rng.choice(CLOSINGS))
        return _clip(title, TITLE_MAX), self._paragraphs(parts, anonymous, author), scenario, ctx

    def _testimony(self, theme: Theme, anonymous: bool, author: int) -> tuple[str, str]:
        rng = self.rng
        testimony = rng.choice(theme.testimonies)
        ctx = self._person(testimony.about)
        title = rng.choice(testimony.titles).format_map(ctx)
        parts = []
        if rng.random() < 0.45:
            parts.append(rng.choice(TESTIMONY_OPENERS))
        story = rng.choice(testimony.stories).format_map(ctx)
        if testimony.details and rng.random() < 0.5:
            story += " " + rng.choice(testimony.details).format_map(ctx)
        parts.append(story)
        self._extras(parts, TESTIMONY_SCRIPTURE_LINES)
        if rng.random() < 0.7:
            parts.append(rng.choice(TESTIMONY_CLOSINGS))
        return _clip(title, TITLE_MAX), self._paragraphs(parts, anonymous, author)

    def _reply_body(self, theme: Theme, kind: str) -> str:
        rng = self.rng
        if kind == "testimony":
            body = rng.choice(TESTIMONY_REPLIES)
        elif rng.random() < 0.35:
            body = rng.choice(theme.replies)
        else:
            body = rng.choice(REQUEST_REPLIES)
        if rng.random() < REPLY_ADDITION_SHARE:
            body += " " + rng.choice(REPLY_ADDITIONS)
        return body

    def posts(self, count: int, chunk_size: int = POSTS_PER_CHUNK) -> Iterator[Chunk]:
        """Posts oldest first, with their prayers, replies and updates, ``chunk_size`` at a time."""
        if count and not self.member_ids:
            raise DemoError("there are no active demo members to write posts; ask for --members 1 or more")
        times = self.post_times(count)
        for offset in range(0, count, chunk_size):
            chunk = Chunk()
            for created in times[offset : offset + chunk_size]:
                self._post(chunk, created)
            yield chunk

    def _post(self, chunk: Chunk, created: float) -> None:
        rng, totals = self.rng, self.totals
        # Only members who had joined by then can write, pray or reply.
        eligible = max(1, bisect.bisect_right(self.joined, created))
        author_index = rng.randrange(eligible)
        author = self.member_ids[author_index]
        anonymous = rng.random() < ANONYMOUS_SHARE
        is_request = rng.random() < REQUEST_SHARE
        kind = "request" if is_request else "testimony"
        weights = self.request_weights if is_request else self.testimony_weights
        category = rng.choices(self.categories, weights=weights)[0]
        theme = THEMES.get(category, GENERIC_THEME)
        if is_request:
            title, body, scenario, ctx = self._request(theme, anonymous, author)
        else:
            title, body = self._testimony(theme, anonymous, author)
        visibility = _weighted(rng, VISIBILITY_WEIGHTS)
        post_id = self._take_id("post")
        last_activity = created
        reply_count = 0

        # Prayers and replies from other members who can see the post. A team post is seen
        # only by its author and the prayer team, and demo members are plain members.
        others = eligible - 1
        if visibility == "team" or others <= 0:
            n_prayers = n_replies = 0
        elif rng.random() < POPULAR_SHARE:
            n_prayers, n_replies = rng.randint(*POPULAR_PRAYERS), rng.randint(*POPULAR_REPLIES)
        else:
            n_prayers = rng.choices(PRAYER_COUNT_SIZES, weights=PRAYER_COUNT_WEIGHTS)[0]
            n_replies = rng.choices(REPLY_COUNT_SIZES, weights=REPLY_COUNT_WEIGHTS)[0]
        n_prayers, n_replies = min(n_prayers, others), min(n_replies, others)

        if n_prayers:
            picks = [i for i in rng.sample(range(eligible), n_prayers + 1) if i != author_index][:n_prayers]
            for when, index in sorted((self._after(created, PRAYER_DELAY_MEAN_S), i) for i in picks):
                chunk.prayers.append((self._take_id("prayer"), post_id, self.member_ids[index], self.stamp(when)))

        if n_replies:
            picks = [i for i in rng.sample(range(eligible), n_replies + 1) if i != author_index][:n_replies]
            replies = [
                (self._after(created, REPLY_DELAY_MEAN_S), self.member_ids[i], self._reply_body(theme, kind), False)
                for i in picks
            ]
            if rng.random() < AUTHOR_REPLY_SHARE:
                # The author thanks everyone after the others; in an anonymous thread the
                # author's reply is anonymous too, as services.posts.add_reply makes it.
                latest = max(r[0] for r in replies)
                replies.append((self._after(latest, REPLY_DELAY_MEAN_S), author, rng.choice(AUTHOR_REPLIES), anonymous))
            replies.sort(key=lambda r: r[0])
            reply_count = len(replies)
            for when, replier, text, reply_anonymous in replies:
                chunk.replies.append(
                    (
                        self._take_id("reply"),
                        post_id,
                        replier,
                        text,
                        reply_anonymous,
                        "visible",
                        self.stamp(when),
                        None,
                        new_public_id(),
                    )
                )
            last_activity = max(last_activity, replies[-1][0])

        status, answered_at = "open", None
        if is_request:
            updates: list[tuple[float, str]] = []
            if scenario.updates and rng.random() < UPDATE_SHARE:
                when = created
                # Updates are written in the order things happen, so a sample keeps that order.
                how_many = min(len(scenario.updates), rng.randint(1, 2))
                picked = sorted(rng.sample(range(len(scenario.updates)), k=how_many))
                for text in (scenario.updates[i] for i in picked):
                    when = self._after(when, UPDATE_DELAY_MEAN_S)
                    updates.append((when, text.format_map(ctx)))
            if rng.random() < ANSWERED_SHARE:
                status = "answered"
                answered = self._after(updates[-1][0] if updates else created, ANSWER_DELAY_MEAN_S)
                answered_at = self.stamp(answered)
                last_activity = max(last_activity, answered)
                totals.answered += 1
                if scenario.answered and rng.random() < ANSWER_UPDATE_SHARE:
                    updates.append((answered, rng.choice(scenario.answered).format_map(ctx)))
            for when, text in updates:
                chunk.updates.append((self._take_id("post_update"), post_id, _clip(text, BODY_MAX), self.stamp(when)))
                last_activity = max(last_activity, when)
            totals.updates += len(updates)
            totals.requests += 1
        else:
            totals.testimonies += 1

        edited_at = self.stamp(self._after(created, EDIT_DELAY_MEAN_S)) if rng.random() < EDITED_SHARE else None
        chunk.posts.append(
            (
                post_id,
                author,
                kind,
                title,
                body,
                category,
                visibility,
                anonymous,
                status,
                "visible",
                False,
                n_prayers,
                reply_count,
                self.stamp(created),
                edited_at,
                answered_at,
                self.stamp(last_activity),
                new_public_id(),
            )
        )
        totals.posts += 1
        totals.anonymous += anonymous
        totals.prayers += n_prayers
        totals.replies += reply_count


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(tuple(weights), weights=tuple(weights.values()))[0]


# =============================================================================================
# Writing


def _sqlite_stamp(ts: float) -> str:
    """The text Piccolo writes for a Timestamptz on SQLite: ``str()`` of the UTC datetime."""
    return str(datetime.fromtimestamp(ts, UTC))


def _parse_stamp(value: Any) -> float:
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:  # stored as UTC without an offset
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _insert_sql(table: str) -> str:
    columns = TABLE_COLUMNS[table]
    names = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" for _ in columns)})'


class Progress:
    """Prints how far the run has got, at most once per chunk."""

    def __init__(self, total_posts: int) -> None:
        self.total = total_posts
        self.started = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def report(self, done: int) -> None:
        print(f"  posts {done:>9,} / {self.total:,}   {self.elapsed():6.1f} s", flush=True)


# Builds the Generator once the existing rows are known, given how to write a timestamp.
MakeGenerator = Callable[[Existing, Callable[[float], Any]], Generator]


def _fill_sqlite(path: str, make: MakeGenerator, members: int, posts: int, progress: Progress) -> Generator:
    """Write everything in one IMMEDIATE transaction on a plain sqlite3 connection."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=db.SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        for pragma in db.SQLITE_PRAGMAS:
            connection.execute(pragma)
        # Every row refers to rows written just before it, so checking each foreign key
        # would only cost time; one check of the new rows runs before commit instead.
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("BEGIN IMMEDIATE")
        try:
            existing = _sqlite_existing(connection)
            generator = make(existing, _sqlite_stamp)
            connection.execute(
                DEMO_SETTING_SQL.format(key="?", value="?"), (DEMO_BOARD_SETTING, demo_setting(existing))
            )
            member_rows = generator.members(members)
            connection.executemany(_insert_sql("member"), member_rows)
            done = 0
            for chunk in generator.posts(posts):
                connection.executemany(_insert_sql("post"), chunk.posts)
                connection.executemany(_insert_sql("prayer"), chunk.prayers)
                connection.executemany(_insert_sql("reply"), chunk.replies)
                connection.executemany(_insert_sql("post_update"), chunk.updates)
                done += len(chunk.posts)
                progress.report(done)
            problems = connection.execute("PRAGMA foreign_key_check").fetchmany(5)
            if problems:
                raise DemoError(f"generated rows break foreign keys: {problems}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    finally:
        connection.close()
    return generator


def _sqlite_existing(connection: sqlite3.Connection) -> Existing:
    try:
        next_ids = {
            # Past every id the table ever handed out, not only those it holds (docs/privacy.md, "Ids").
            table: connection.execute(
                f'SELECT max(coalesce((SELECT max(id) FROM "{table}"), 0), '
                f"coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0)) + 1"
            ).fetchone()[0]
            for table in TABLE_COLUMNS
        }
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            raise DemoError("the database has no tables yet; run `prayerboard migrate` first") from exc
        raise
    keys = {row[0] for row in connection.execute("SELECT username_key FROM member")}
    members = [(_parse_stamp(created), member_id) for member_id, created in connection.execute(DEMO_MEMBERS_SQL)]
    newest = connection.execute("SELECT created_at FROM post ORDER BY id DESC LIMIT 1").fetchone()
    real = connection.execute(REAL_MEMBERS_SQL).fetchone()[0]
    return Existing(next_ids, keys, members, _parse_stamp(newest[0]) if newest else None, real)


async def _fill_postgres(dsn: str, make: MakeGenerator, members: int, posts: int, progress: Progress) -> Generator:
    """COPY everything in one transaction, then move the id sequences past the new rows."""
    import asyncpg

    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            try:
                # Other writers wait (readers do not) while ids are handed out and rows copied.
                tables = ", ".join(f'"{table}"' for table in TABLE_COLUMNS)
                await connection.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
            except asyncpg.UndefinedTableError as exc:
                raise DemoError("the database has no tables yet; run `prayerboard migrate` first") from exc
            existing = await _postgres_existing(connection)
            generator = make(existing, lambda ts: datetime.fromtimestamp(ts, UTC))
            await connection.execute(
                DEMO_SETTING_SQL.format(key="$1", value="$2"), DEMO_BOARD_SETTING, demo_setting(existing)
            )
            member_rows = generator.members(members)
            for start in range(0, len(member_rows), MEMBERS_PER_CHUNK):
                await _copy(connection, "member", member_rows[start : start + MEMBERS_PER_CHUNK])
            done = 0
            for chunk in generator.posts(posts):
                await _copy(connection, "post", chunk.posts)
                await _copy(connection, "prayer", chunk.prayers)
                await _copy(connection, "reply", chunk.replies)
                await _copy(connection, "post_update", chunk.updates)
                done += len(chunk.posts)
                progress.report(done)
            for table in TABLE_COLUMNS:
                # COPY with explicit ids does not advance the serial sequences; without this
                # the next post from the web would collide with a demo post's id.
                # The generator's next id is past every id ever handed out, so it never goes back.
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), $1, false)",
                    generator.next_ids[table],
                )
    finally:
        await connection.close()
    return generator


async def _copy(connection: Any, table: str, rows: list[tuple]) -> None:
    if rows:
        await connection.copy_records_to_table(table, records=rows, columns=TABLE_COLUMNS[table])


async def _postgres_existing(connection: Any) -> Existing:
    next_ids = {}
    for table in TABLE_COLUMNS:
        # Past every id the sequence ever handed out, not only those the table holds.
        next_ids[table] = await connection.fetchval(
            f"SELECT greatest(coalesce(max(id), 0) + 1, nextval(pg_get_serial_sequence('\"{table}\"', 'id'))) "
            f'FROM "{table}"'
        )
    keys = {row["username_key"] for row in await connection.fetch("SELECT username_key FROM member")}
    members = [(_parse_stamp(row["created_at"]), row["id"]) for row in await connection.fetch(DEMO_MEMBERS_SQL)]
    newest = await connection.fetchval("SELECT created_at FROM post ORDER BY id DESC LIMIT 1")
    real = await connection.fetchval(REAL_MEMBERS_SQL)
    return Existing(next_ids, keys, members, _parse_stamp(newest) if newest is not None else None, real)


async def generate(members: int, posts: int, seed: int = 7, alongside_real_members: bool = False) -> None:
    """Add ``members`` demo members and ``posts`` posts (with prayers, replies and updates).

    Writes to the database the environment configures (``PRAYERBOARD_DATABASE_URL``, or the
    SQLite file under ``PRAYERBOARD_DATA_DIR``), all in one transaction, and prints progress and
    a summary. Every new member's password is ``DEMO_PASSWORD``, which opens their account only
    on a demo board. A board with members the demo did not make is refused with ``DemoError``
    (nothing written) unless ``alongside_real_members``; it is then not a demo board.
    """
    if members < 0 or posts < 0:
        raise DemoError("--members and --posts cannot be negative")
    engine = db.current_engine()
    settings = Settings.from_env()
    progress = Progress(posts)
    # One hash for everyone: argon2 is slow on purpose (~40 ms a hash).
    password_hash = DEMO_HASH_MARK + hash_password_sync(DEMO_PASSWORD)
    now = time.time()

    def make(existing: Existing, stamp: Callable[[float], Any]) -> Generator:
        if existing.real_members and not alongside_real_members:
            raise DemoError(
                f"refused: this board has {existing.real_members} member(s) the demo did not make, and demo "
                "accounts share a published password; to add demo content anyway pass --alongside-real-members "
                "(demo accounts then cannot sign in here)"
            )
        # The seed and the database's size pick the content, so the same seed on an empty
        # database gives the same board, and a second run does not repeat the first.
        rng = random.Random(f"prayerboard-demo:{seed}:{existing.next_ids['member']}:{existing.next_ids['post']}")
        print(f"Writing {members:,} members and {posts:,} posts to the {engine.engine_type} database…", flush=True)
        return Generator(rng, settings.categories, password_hash, existing, now, stamp)

    if isinstance(engine, SQLiteEngine):
        # The sqlite3 calls block, so they run in a worker thread rather than on the loop.
        generator = await asyncio.to_thread(_fill_sqlite, engine.path, make, members, posts, progress)
    elif isinstance(engine, PostgresEngine):
        generator = await _fill_postgres(engine.config["dsn"], make, members, posts, progress)
    else:  # pragma: no cover - db.build_engine makes only these two
        raise DemoError(f"no demo writer for a {engine.engine_type} database")
    _print_summary(generator, progress.elapsed())


def _print_summary(generator: Generator, seconds: float) -> None:
    """The counts written, and how demo members sign in (if they can on this board)."""
    t = generator.totals
    print(f"Done in {seconds:.1f} s:")
    print(f"  members  {t.members:>9,}")
    print(
        f"  posts    {t.posts:>9,}  ({t.requests:,} requests, {t.testimonies:,} testimonies, "
        f"{t.answered:,} answered, {t.anonymous:,} anonymous)"
    )
    print(f"  prayers  {t.prayers:>9,}")
    print(f"  replies  {t.replies:>9,}")
    print(f"  updates  {t.updates:>9,}")
    if demo_setting(generator.existing) == "0":
        print("This board has members the demo did not make, so demo members cannot sign in here.")
    elif t.members:
        print(f"Every new demo member signs in with the password: {DEMO_PASSWORD}")
