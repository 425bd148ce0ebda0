"""A few seconds' cache of whole pages as a visitor sees them, that never outlives a change.

A visitor's board and post pages hold nothing personal (no form tokens, no names that depend
on who asks), so one rendering can serve every visitor for a moment. Every process keeps its
own copy, so a change made through one process must reach the others at once: each entry is
kept with the shared *visitor generation* it was rendered under, and is served only while that
generation is unchanged. A change that may narrow what visitors see sets a new generation after
it commits and before its own response is sent (``BoardGate`` in app.py), so no process
serves an older page from then on (docs/privacy.md, "Visitor pages").

A page rendered across a change is never kept: the generation is read before rendering and
again before storing, and the page is stored only if both agree. While the generation is
unknown (its row or key is missing) nothing is served or kept. Signed-in members are never
served from the cache.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from prayerboard.stores import Generation

log = logging.getLogger("prayerboard")


@dataclass
class _Visit:
    """One visitor request: the generation seen before rendering, and the pages it rendered."""

    generation: str | None
    rendered: list[tuple[str, str]] = field(default_factory=list)


_visit: ContextVar[_Visit | None] = ContextVar("prayerboard_visitor_visit", default=None)


class VisitorPageCache:
    """Rendered HTML by path and query string, each kept for ``ttl`` seconds (0 turns it off).

    ``get`` and ``put`` work only inside ``visit()``, which reads the shared generation; outside
    one, nothing is served and nothing is kept.
    """

    def __init__(self, ttl: float, generation: Generation, max_entries: int = 512) -> None:
        self.ttl = ttl
        self.generation = generation
        self.max_entries = max_entries
        self._pages: OrderedDict[str, tuple[float, str, str]] = OrderedDict()

    @asynccontextmanager
    async def visit(self, generation: str | None) -> AsyncIterator[None]:
        """Serve one visitor request; pages it rendered are kept only if no change came between.

        ``generation`` is the shared value the caller read just before the request began.
        """
        if self.ttl <= 0 or generation is None:
            yield
            return
        seen = generation
        visit = _Visit(seen)
        token = _visit.set(visit)
        try:
            yield
        finally:
            _visit.reset(token)
        if not visit.rendered:
            return
        try:
            current = await self.generation.current()
        except Exception as exc:  # the store went away after the answer was sent: keep nothing, quietly
            log.info("visitor pages not kept: the shared generation could not be read (%s)", type(exc).__name__)
            return
        if current == seen:
            for key, html in visit.rendered:
                self._store(key, seen, html)

    def get(self, key: str) -> str | None:
        visit = _visit.get()
        entry = self._pages.get(key)
        if visit is None or entry is None:
            return None
        expires_at, generation, html = entry
        if expires_at < time.monotonic() or generation != visit.generation:
            del self._pages[key]
            return None
        return html

    def put(self, key: str, html: str) -> None:
        """Keep ``html`` once the request ends, if the generation is still the one it began with."""
        visit = _visit.get()
        if visit is not None and self.ttl > 0:
            visit.rendered.append((key, html))

    def _store(self, key: str, generation: str, html: str) -> None:
        self._pages[key] = (time.monotonic() + self.ttl, generation, html)
        self._pages.move_to_end(key)
        while len(self._pages) > self.max_entries:
            self._pages.popitem(last=False)

    def clear(self) -> None:
        self._pages.clear()
