"""Visitor pages never outlive a change: not in another process, not when rendered across it.

A server with two worker processes keeps visitor pages for 30 seconds; after a change that
narrows what visitors see, no visitor request to either process may still show what it hid.
The cache's rule itself, on a generation the test controls, is checked in
``tests/unit/test_visitor_cache.py``.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from conftest import PASSWORD, Browser, Server, query

CACHE_ENV = {"PRAYERBOARD_VISITOR_CACHE_SECONDS": "30"}
REDIS_URL = os.environ.get("PRAYERBOARD_TEST_CACHE_REDIS_URL", "redis://127.0.0.1:6379/11")
REQUESTS_PER_CHECK = 40  # new connections each, so both worker processes answer some


# --- two worker processes ------------------------------------------------------------------------


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _start(env: dict[str, str]) -> Server:
    if "PRAYERBOARD_REDIS_URL" in env:
        import redis

        client = redis.Redis.from_url(env["PRAYERBOARD_REDIS_URL"])
        for key in client.scan_iter("prayerboard*"):
            client.delete(key)
    return Server(workers=2, env={**CACHE_ENV, **env})


def _stop(running: Server) -> None:
    log = running.log()
    running.stop()
    assert "unhandled error" not in log, log


@pytest.fixture(scope="module")
def two_workers(migrated_database: str) -> Iterator[Server]:
    running = _start({})
    yield running
    _stop(running)


@pytest.fixture
def two_workers_on_redis(migrated_database: str) -> Iterator[Server]:
    running = _start({"PRAYERBOARD_REDIS_URL": REDIS_URL})
    yield running
    _stop(running)


def _visitor_pages(server: Server, paths: list[str], count: int = REQUESTS_PER_CHECK) -> list[httpx.Response]:
    """Many visitor requests, each on a new connection, so that both processes answer."""
    with httpx.Client(base_url=server.url, headers={"Connection": "close"}, timeout=30) as client:
        return [client.get(paths[i % len(paths)]) for i in range(count)]


def _make_world(server: Server) -> dict[str, Any]:
    """An author with a public post, a moderator and an admin, and warm visitor caches everywhere."""
    author = Browser(server.url)
    assert author.register("author", "Ruth Author").status_code == 303
    staff = {}
    for name, role in (("keeper", "admin"), ("watcher", "moderator")):
        staff[role] = Browser(server.url)
        assert staff[role].register(name).status_code == 303
        query("UPDATE member SET role = ? WHERE username = ?", role, name)
    # The admin saves the (open) board's settings: a change like any other, so every process
    # starts this test from a new generation, whatever earlier tests left.
    assert staff["admin"].post("/admin/settings", {"join_policy": "open"}).status_code == 303
    post_id = author.create_post(title="Scan results on Tuesday")
    paths = ["/", f"/posts/{post_id}"]
    _visitor_pages(server, paths, count=3 * REQUESTS_PER_CHECK)
    # Prove the pages are really kept: a change behind the app's back stays unseen.
    query("UPDATE post SET body = ? WHERE public_id = ?", "changed behind the app's back", post_id)
    warm = _visitor_pages(server, [f"/posts/{post_id}"])
    assert all("She has surgery on Friday." in r.text for r in warm)
    return {"server": server, "author": author, "post_id": post_id, "paths": paths, **staff}


@pytest.fixture
def world(two_workers: Server) -> dict[str, Any]:
    return _make_world(two_workers)


def _edit_post(world: dict[str, Any], **changes: str) -> Any:
    fields = {
        "kind": "request",
        "title": "Scan results on Tuesday",
        "body": "She has surgery on Friday.",
        "category": "Health and healing",
        "visibility": "public",
    }
    return world["author"].post(f"/posts/{world['post_id']}/edit", {**fields, **changes})


CHANGES: dict[str, tuple[Callable[[dict[str, Any]], Any], str]] = {
    "post made members-only": (lambda w: _edit_post(w, visibility="members"), "Scan results on Tuesday"),
    "author hides their name": (lambda w: w["author"].post("/settings/hide-name"), "Ruth Author"),
    "moderator hides the post": (
        lambda w: w["moderator"].post(f"/mod/posts/{w['post_id']}/hide", {"reason": "private details"}),
        "Scan results on Tuesday",
    ),
    "board made members-only": (
        lambda w: w["admin"].post("/admin/settings", {"members_only": "on"}),
        "Scan results on Tuesday",
    ),
    "author deletes the post": (lambda w: w["author"].post(f"/posts/{w['post_id']}/delete"), "Scan results on Tuesday"),
    "author deletes the account": (
        lambda w: w["author"].post("/settings/delete", {"content": "anonymise", "password": PASSWORD}),
        "Ruth Author",
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_visitors_of_every_process_never_see_what_a_change_hid(world, change):
    make_change, hidden = CHANGES[change]
    assert hidden in _visitor_pages(world["server"], world["paths"])[0].text
    assert make_change(world).status_code == 303
    for response in _visitor_pages(world["server"], world["paths"]):
        assert hidden not in response.text, (change, response.url)


@pytest.mark.skipif(not _redis_reachable(), reason="Redis is not answering on 127.0.0.1:6379")
def test_visitors_of_every_process_never_see_what_a_change_hid_with_redis(two_workers_on_redis):
    world = _make_world(two_workers_on_redis)
    assert _edit_post(world, visibility="members").status_code == 303
    for response in _visitor_pages(world["server"], world["paths"]):
        assert "Scan results on Tuesday" not in response.text, response.url


def test_praying_does_not_end_the_visitor_pages(world):
    member = Browser(world["server"].url)
    member.register("member")
    generation = query("SELECT value FROM key_value WHERE key = 'prayerboard:visitor_generation'")
    assert member.post(f"/posts/{world['post_id']}/pray").status_code == 303
    assert query("SELECT value FROM key_value WHERE key = 'prayerboard:visitor_generation'") == generation


def test_a_refused_request_costs_no_write_and_keeps_the_visitor_pages(visitor, author):
    """A stranger's refused posts (no form token, a bad form) must not write or empty caches."""
    key = "prayerboard:visitor_generation"
    assert author.post("/settings/hide-name").status_code == 303  # a change that narrows sets one
    before = query("SELECT value FROM key_value WHERE key = ?", key)
    assert before
    assert visitor.post("/settings/hide-name", csrf=False).status_code == 403
    assert author.post("/posts", {"kind": "request", "title": "", "body": ""}).status_code == 422
    assert query("SELECT value FROM key_value WHERE key = ?", key) == before
