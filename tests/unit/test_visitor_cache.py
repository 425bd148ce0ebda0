"""The visitor page cache's rule, on a generation the test changes by hand: a page is served
from the cache only while the generation it was rendered under is still the current one."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from typing import Any

import pytest


class FakeGeneration:
    """A shared generation that the test changes by hand."""

    def __init__(self) -> None:
        self.value: str | None = "first"

    async def current(self) -> str | None:
        return self.value

    async def bump(self) -> None:
        self.value = secrets.token_hex(4)


def _serve(cache: Any, generation: FakeGeneration, key: str, render: Callable[[], str]) -> str:
    """One visitor request as ``render_page`` makes it: from the cache, or rendered and offered."""

    async def request() -> str:
        async with cache.visit(await generation.current()):
            html = cache.get(key)
            if html is None:
                html = render()
                cache.put(key, html)
            return html

    return asyncio.run(request())


@pytest.fixture
def cache_and_generation() -> tuple[Any, FakeGeneration]:
    from prayerboard.web.cache import VisitorPageCache

    generation = FakeGeneration()
    return VisitorPageCache(30, generation), generation


def test_cached_page_is_served_while_the_generation_is_unchanged(cache_and_generation):
    cache, generation = cache_and_generation
    assert _serve(cache, generation, "/", lambda: "old") == "old"
    assert _serve(cache, generation, "/", lambda: "new") == "old"


def test_cached_page_is_not_served_after_a_change(cache_and_generation):
    cache, generation = cache_and_generation
    _serve(cache, generation, "/", lambda: "before the change")
    asyncio.run(generation.bump())
    assert _serve(cache, generation, "/", lambda: "after the change") == "after the change"


def test_page_rendered_across_a_change_is_never_cached(cache_and_generation):
    cache, generation = cache_and_generation

    def render_while_a_change_lands() -> str:
        generation.value = "changed while rendering"
        return "rendered from the old data"

    assert _serve(cache, generation, "/", render_while_a_change_lands) == "rendered from the old data"
    assert _serve(cache, generation, "/", lambda: "fresh") == "fresh"


def test_nothing_is_cached_while_the_generation_is_unknown(cache_and_generation):
    cache, generation = cache_and_generation
    generation.value = None
    _serve(cache, generation, "/", lambda: "first")
    assert _serve(cache, generation, "/", lambda: "second") == "second"
