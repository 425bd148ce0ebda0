"""Search: full-text search over the posts and replies a viewer may see, newest first.

Every search starts from the policy's visible sets (``visible_posts``, ``visible_replies``),
so pending, hidden and removed content and posts outside the viewer's audience can never
match; the engine's full-text condition only narrows them further. The index behind it is
SQLite FTS5 or PostgreSQL's text search (migration ``2026-11-26T01:00:00``).

The query is reduced to its words before it reaches either engine, so nothing a person
types (quotes, ``AND``, ``*``, ``NEAR(``, brackets, NUL bytes, emoji) is ever read as
search syntax. All words must match; stemming and accent folding are the index's.

Search is the one page whose cost a visitor chooses, so it is bounded three ways: a repeated
word is searched once, at most ``WORDS_MAX`` words are searched (the page says when more were
left out), and each client may search ``PRAYERBOARD_SEARCHES_PER_MINUTE`` times a minute
(``SearchThrottle``). On SQLite the queries run on a pooled connection in its own thread,
never on the event loop's, so a slow search cannot stall every other request.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.engine.sqlite import TransactionType

from prayerboard import policy
from prayerboard.db import current_engine, is_sqlite
from prayerboard.forms import FormErrors, clean_text
from prayerboard.policy import Actor
from prayerboard.rows import POST_COLUMNS, REPLY_COLUMNS, PostCard, PostRow, ReplyListing, ReplyRow
from prayerboard.services.errors import Throttled, try_again_in
from prayerboard.services.posts import present_post, reply_listing
from prayerboard.stores import Counters
from prayerboard.tables import Post, Reply
from prayerboard.text import excerpt

QUERY_MAX = 200  # characters; a longer query is refused with a message rather than cut silently
PAGE_SIZE = 20  # results on the first page; "More results" adds as many again
RESULTS_MAX = 100  # the most one page shows: narrow the words to go further
SNIPPET_LENGTH = 220  # characters of text shown under each result
SNIPPET_LEAD = 60  # characters kept before the first matching word, for context
# Every word must match, so a person's search rarely needs more than a few; each further word
# costs the index one more list of matches to read (39 words took 34 ms inside SQLite).
WORDS_MAX = 8
SEARCH_WINDOW_SECONDS = 60

_WORD_RE = re.compile(r"\w+")

# The full-text conditions, one per engine and table. On PostgreSQL the expressions must be
# exactly those of the GIN indexes in the migration, or the indexes are not used.
_SQLITE_MATCH = {
    "post": '"post"."id" IN (SELECT rowid FROM post_fts WHERE post_fts MATCH {})',
    "reply": '"reply"."id" IN (SELECT rowid FROM reply_fts WHERE reply_fts MATCH {})',
}
_POSTGRES_MATCH = {
    "post": 'to_tsvector(\'prayerboard_search\', "post"."title" || \' \' || "post"."body") '
    "@@ plainto_tsquery('prayerboard_search', {})",
    "reply": "to_tsvector('prayerboard_search', \"reply\".\"body\") @@ plainto_tsquery('prayerboard_search', {})",
}


@dataclass(frozen=True)
class SearchQuery:
    """What was asked: the text as cleaned (shown back in the form), its words, and how many were left out."""

    text: str = ""
    words: tuple[str, ...] = ()
    ignored: int = 0  # distinct words past ``WORDS_MAX``, not searched for


@dataclass
class SearchResults:
    """Matching posts and replies, newest first; ``more`` when the page did not hold them all."""

    query: SearchQuery
    results: list[PostCard | ReplyListing]
    limit: int
    more: bool = False

    @property
    def next_limit(self) -> int | None:
        """The page size that shows more results, or None when this page is as large as it gets."""
        return min(self.limit + PAGE_SIZE, RESULTS_MAX) if self.more and self.limit < RESULTS_MAX else None


def parse_query(raw: Any) -> SearchQuery:
    """Clean the typed query and split it into words; FormErrors when it is too long."""
    text = clean_text(raw, multiline=False)
    if len(text) > QUERY_MAX:
        raise FormErrors(
            {"q": f"Please search for at most {QUERY_MAX} characters (yours has {len(text):,})."}, {"q": text}
        )
    # A repeated word (in any case) is searched once: it cannot narrow the search again.
    distinct: dict[str, str] = {}
    for word in _WORD_RE.findall(text):
        distinct.setdefault(word.casefold(), word)
    words = tuple(distinct.values())
    return SearchQuery(text=text, words=words[:WORDS_MAX], ignored=max(0, len(words) - WORDS_MAX))


@dataclass(frozen=True)
class SearchThrottle:
    """At most ``per_minute`` searches a minute for each client, on the shared counters."""

    counters: Counters
    per_minute: int  # ``Settings.searches_per_minute``

    async def check(self, client: str) -> None:
        """Count one search by ``client`` (a member or an address); Throttled past the limit."""
        count, remaining = await self.counters.hit(f"rate:search:{client}", SEARCH_WINDOW_SECONDS)
        if count > self.per_minute:
            raise Throttled(
                f"You have searched many times in a row. Please {try_again_in(remaining)}.", retry_after=remaining
            )


@contextlib.asynccontextmanager
async def _reading() -> AsyncIterator[None]:
    """Run the queries inside on a pooled connection, off the event loop, on SQLite.

    The SQLite engine runs a lone SELECT on the event loop's own connection, which is right for
    the board's page-sized reads but not for a full-text search. A deferred (read) transaction
    runs its queries on a pooled connection in that connection's thread, and gives the post
    and reply queries one snapshot. PostgreSQL queries never run on the event loop.
    """
    if not is_sqlite():
        yield
        return
    async with current_engine().transaction(transaction_type=TransactionType.deferred):
        yield


def _matches(table: str, words: tuple[str, ...]) -> WhereRaw:
    """The engine's full-text condition on ``table`` for rows holding every one of ``words``."""
    if is_sqlite():
        # Each word as an FTS5 string, so none is read as an operator or a column filter.
        return WhereRaw(_SQLITE_MATCH[table], " ".join(f'"{word}"' for word in words))
    return WhereRaw(_POSTGRES_MATCH[table], " ".join(words))


def _fold(text: str) -> str:
    """Lower case without accents, one character for one, so positions still match ``text``."""
    return "".join(unicodedata.normalize("NFD", c)[0].lower()[0] for c in text)


def snippet(text: str, words: tuple[str, ...]) -> str:
    """A short excerpt of ``text`` that starts a little before the first word searched for."""
    folded = _fold(text)
    found = [at for at in (folded.find(_fold(word)) for word in words) if at >= 0]
    start = min(found, default=0)
    if start <= SNIPPET_LEAD:
        return excerpt(text, SNIPPET_LENGTH)
    # Begin at the first word boundary in the lead before the match; say that text was left out.
    start = text.find(" ", start - SNIPPET_LEAD, start) + 1 or start - SNIPPET_LEAD
    return "…" + excerpt(text[start:], SNIPPET_LENGTH)


async def search(
    actor: Actor | None,
    q: Any,
    limit: int | None = None,
    throttle: SearchThrottle | None = None,
    client: str = "",
) -> SearchResults:
    """The newest posts and replies ``actor`` may see that contain every word of ``q``.

    With a ``throttle``, each search that reaches the index counts against ``client``.
    """
    query = parse_query(q)
    limit = max(1, min(limit or PAGE_SIZE, RESULTS_MAX))
    if not query.words:
        return SearchResults(query=query, results=[], limit=limit)
    if throttle is not None:
        await throttle.check(client)
    async with _reading():
        posts = await (
            policy.visible_posts(actor, *POST_COLUMNS)
            .where(_matches("post", query.words))
            .order_by(Post.id, ascending=False)
            .limit(limit + 1)
        )
        replies = await (
            policy.visible_replies(actor, *REPLY_COLUMNS)
            .where(_matches("reply", query.words))
            .order_by(Reply.id, ascending=False)
            .limit(limit + 1)
        )
    results: list[PostCard | ReplyListing] = []
    for row in map(PostRow.from_row, posts):
        results.append(present_post(actor, row, False, snippet(row.body, query.words)))
    for reply in map(ReplyRow.from_row, replies):
        results.append(reply_listing(actor, reply, snippet(reply.body, query.words)))
    results.sort(key=lambda result: result.created_at, reverse=True)
    return SearchResults(query=query, results=results[:limit], limit=limit, more=len(results) > limit)
