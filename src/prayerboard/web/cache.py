"""A few seconds' cache of whole pages as a visitor sees them.

A visitor's board and post pages hold nothing personal (no form tokens, no names that depend
on who asks), so one rendering can serve every visitor for a moment. Any change made through
this process empties the cache at once; changes made through another process show within
``ttl`` seconds. Signed-in members are never served from it.
"""

from __future__ import annotations

import time
from collections import OrderedDict


class VisitorPageCache:
    """Rendered HTML by path and query string, each kept for ``ttl`` seconds (0 turns it off)."""

    def __init__(self, ttl: float, max_entries: int = 512) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._pages: OrderedDict[str, tuple[float, str]] = OrderedDict()

    def get(self, key: str) -> str | None:
        entry = self._pages.get(key)
        if entry is None:
            return None
        if entry[0] < time.monotonic():
            del self._pages[key]
            return None
        return entry[1]

    def put(self, key: str, html: str) -> None:
        if self.ttl <= 0:
            return
        self._pages[key] = (time.monotonic() + self.ttl, html)
        self._pages.move_to_end(key)
        while len(self._pages) > self.max_entries:
            self._pages.popitem(last=False)

    def clear(self) -> None:
        self._pages.clear()
