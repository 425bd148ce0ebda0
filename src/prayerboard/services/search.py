"""Search: full-text search over the posts and replies a viewer may see, newest first.

Every search starts from the policy's visible sets (``visible_posts``, ``visible_replies``),
so pending, hidden and removed content and posts outside the viewer's audience can never
match; the engine's full-text condition only narrows them further. The index behind it is
SQLite FTS5 or PostgreSQL's text search (migration ``2026-11-26T01:00:00``).

The query is reduced to its words before it reaches either engine, so nothing a person
types (quotes, ``AND``, ``*``, ``NEAR(``, brackets, NUL bytes, emoji) is ever read as
search syntax. All words must match; stemming and accent folding are the index's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import WhereRaw

from prayerboard import policy
from prayerboard.db import is_sqlite
from prayerboard.forms import FormErrors, clean_text
from prayerboard.policy import Actor
from prayerboard.services.posts import CARD_COLUMNS, apply_author
from prayerboard.tables import Post, Reply
from prayerboard.text import excerpt

QUERY_MAX = 200  # characters; a longer query is refused with a message rather than cut silently
PAGE_SIZE = 20  # results on the first page; "More results" adds as many again
RESULTS_MAX = 100  # the most one page shows: narrow the words to go further
SNIPPET_LENGTH = 220  # characters of text shown under each result
SNIPPET_LEAD = 60  # characters kept before the first matching word, for context

_WORD_RE = re.compile(r"\w+")

# The full-text conditions, one per engine and table. On PostgreSQL the expressions must be
# exactly those of the GIN indexes in the migration, or the indexes are not used.
_SQLITE_MATCH = {
    "post": '"post"."id" IN (SELECT rowid FROM post_fts WHERE post_fts MATCH {})',
    "reply": '"reply"."id" IN (SELECT rowid FROM reply_fts WHERE reply_fts MATCH {})',
}
_POSTGRES_MATCH = {
    "post": "to_tsvector('prayerboard_search', \"post\".\"title\" || ' ' || \"post\".\"body\") "
    "@@ plainto_tsquery('prayerboard_search', {})",
    "reply": "to_tsvector('prayerboard_search', \"reply\".\"body\") @@ plainto_tsquery('prayerboard_search', {})",
}

# A post result has a board card's columns (``CARD_COLUMNS``) and shows as the board shows it;
# a reply result has these, with the title of the post it answers.
_REPLY_COLUMNS = (
    Reply.id,
    Reply.public_id,
    Reply.post.public_id.as_alias("post_public_id"),
    Reply.post.title.as_alias("post_title"),
    Reply.author,
    Reply.body,
    Reply.anonymous,
    Reply.created_at,
    Reply.author.display_name.as_alias("author_display_name"),
    Reply.author.username.as_alias("author_username"),
)


@dataclass(frozen=True)
class SearchQuery:
    """What was asked: the text as cleaned (shown back in the form) and its words."""

    text: str = ""
    words: tuple[str, ...] = ()


@dataclass
class SearchResults:
    """Matching posts and replies, newest first; ``more`` when the page did not hold them all."""

    query: SearchQuery
    results: list[dict[str, Any]]
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
    return SearchQuery(text=text, words=tuple(_WORD_RE.findall(text)))


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


def _present(actor: Actor | None, row: dict[str, Any], action: str, words: tuple[str, ...]) -> dict[str, Any]:
    """Apply the author rule for ``actor``; the member id itself never leaves the service."""
    apply_author(actor, row, action)
    del row["author"]
    row["excerpt"] = snippet(row.pop("body"), words)
    return row


async def search(actor: Actor | None, q: Any, limit: int | None = None) -> SearchResults:
    """The newest posts and replies ``actor`` may see that contain every word of ``q``."""
    query = parse_query(q)
    limit = max(1, min(limit or PAGE_SIZE, RESULTS_MAX))
    if not query.words:
        return SearchResults(query=query, results=[], limit=limit)
    posts = await (
        policy.visible_posts(actor, *CARD_COLUMNS)
        .where(_matches("post", query.words))
        .order_by(Post.id, ascending=False)
        .limit(limit + 1)
    )
    replies = await (
        policy.visible_replies(actor, *_REPLY_COLUMNS)
        .where(_matches("reply", query.words))
        .order_by(Reply.id, ascending=False)
        .limit(limit + 1)
    )
    results = [{"type": "post", **_present(actor, row, "see_author", query.words)} for row in posts]
    results += [{"type": "reply", **_present(actor, row, "see_reply_author", query.words)} for row in replies]
    results.sort(key=lambda result: result["created_at"], reverse=True)
    return SearchResults(query=query, results=results[:limit], limit=limit, more=len(results) > limit)
