"""State that every app process must share: a Litestar ``Store`` and fixed-window counters.

Both live in the database by default, so several processes on one PostgreSQL agree, and in
Redis when ``PRAYERBOARD_REDIS_URL`` is set. Nothing here is kept in one process's memory.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from typing import NamedTuple, Protocol

from litestar.stores.base import NamespacedStore
from litestar.stores.redis import RedisStore
from redis.asyncio import Redis

from prayerboard.tables import Counter, KeyValue


def _seconds(value: int | timedelta | None) -> int | None:
    if value is None:
        return None
    return int(value.total_seconds()) if isinstance(value, timedelta) else int(value)


class DatabaseStore(NamespacedStore):
    """A Litestar store on the ``key_value`` table, namespaced by key prefix."""

    def __init__(self, namespace: str = "prayerboard") -> None:
        self.namespace = namespace

    def with_namespace(self, namespace: str) -> DatabaseStore:
        return DatabaseStore(f"{self.namespace}:{namespace}")

    def _key(self, key: str) -> str:
        return f"{self.namespace}:{key}"

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        seconds = _seconds(expires_in)
        expires_at = int(time.time()) + seconds if seconds is not None else None
        await KeyValue.insert(KeyValue(key=self._key(key), value=data, expires_at=expires_at)).on_conflict(
            target=KeyValue.key,
            action="DO UPDATE",
            values=[KeyValue.value, KeyValue.expires_at],
        )

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        row = await KeyValue.select(KeyValue.value, KeyValue.expires_at).where(KeyValue.key == self._key(key)).first()
        if row is None:
            return None
        now = int(time.time())
        if row["expires_at"] is not None and row["expires_at"] <= now:
            await self.delete(key)
            return None
        renew = _seconds(renew_for)
        # Renew at most once a minute: a write on every page view would serialise SQLite readers.
        if renew is not None and row["expires_at"] is not None and row["expires_at"] - now < renew - 60:
            await KeyValue.update({KeyValue.expires_at: now + renew}).where(KeyValue.key == self._key(key))
        value = row["value"]
        return bytes(value) if value is not None else None

    async def delete(self, key: str) -> None:
        await KeyValue.delete().where(KeyValue.key == self._key(key))

    async def delete_all(self) -> None:
        await KeyValue.delete().where(KeyValue.key.like(f"{self.namespace}:%"))

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await KeyValue.select(KeyValue.expires_at).where(KeyValue.key == self._key(key)).first()
        if row is None or row["expires_at"] is None:
            return None
        return max(0, row["expires_at"] - int(time.time()))

    async def delete_expired(self) -> None:
        """Drop every expired entry of every namespace (run now and then, not per request)."""
        await KeyValue.delete().where(KeyValue.expires_at <= int(time.time()))


class Counters(Protocol):
    """Fixed-window counters: ``hit`` adds one and returns (count, seconds until the window ends)."""

    async def hit(self, key: str, window_seconds: int) -> tuple[int, int]: ...

    async def peek(self, key: str) -> tuple[int, int]: ...

    async def reset(self, key: str) -> None: ...


class DatabaseCounters:
    """Counters in the ``counter`` table; one upsert statement per hit, so counts are exact."""

    async def hit(self, key: str, window_seconds: int) -> tuple[int, int]:
        now = int(time.time())
        rows = await Counter.raw(
            "INSERT INTO counter (key, count, window_ends_at) VALUES ({}, 1, {}) "
            "ON CONFLICT (key) DO UPDATE SET "
            "count = CASE WHEN counter.window_ends_at <= {} THEN 1 ELSE counter.count + 1 END, "
            "window_ends_at = CASE WHEN counter.window_ends_at <= {} THEN {} ELSE counter.window_ends_at END "
            "RETURNING count, window_ends_at",
            key,
            now + window_seconds,
            now,
            now,
            now + window_seconds,
        )
        return rows[0]["count"], max(0, rows[0]["window_ends_at"] - now)

    async def peek(self, key: str) -> tuple[int, int]:
        now = int(time.time())
        row = await Counter.select().where(Counter.key == key).first()
        if row is None or row["window_ends_at"] <= now:
            return 0, 0
        return row["count"], row["window_ends_at"] - now

    async def reset(self, key: str) -> None:
        await Counter.delete().where(Counter.key == key)

    async def delete_expired(self) -> None:
        """Drop counters whose window has passed (run now and then, not per request)."""
        await Counter.delete().where(Counter.window_ends_at <= int(time.time()))


class RedisCounters:
    """Counters in Redis: INCR plus an expiry set on the first hit of a window."""

    def __init__(self, redis: Redis, prefix: str = "prayerboard:counter:") -> None:
        self.redis = redis
        self.prefix = prefix

    async def hit(self, key: str, window_seconds: int) -> tuple[int, int]:
        name = self.prefix + key
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_seconds, nx=True)
            pipe.ttl(name)
            count, _, ttl = await pipe.execute()
        return int(count), max(0, int(ttl))

    async def peek(self, key: str) -> tuple[int, int]:
        name = self.prefix + key
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.get(name)
            pipe.ttl(name)
            value, ttl = await pipe.execute()
        return (int(value), max(0, int(ttl))) if value is not None else (0, 0)

    async def reset(self, key: str) -> None:
        await self.redis.delete(self.prefix + key)


class Generation(Protocol):
    """A value shared by every process that changes whenever what visitors may see narrows.

    ``bump`` sets a new random value rather than adding one, so no value comes back after the
    row or key is lost. ``current`` is None while there is no value (before the first bump, or
    after the value was lost): nothing may be cached then. Every process bumps it as it starts,
    so a running board always has one; reading never writes.
    """

    async def current(self) -> str | None: ...

    async def bump(self) -> None: ...


VISITOR_GENERATION_KEY = "prayerboard:visitor_generation"


def _new_generation() -> str:
    return secrets.token_hex(8)


class DatabaseGeneration:
    """The visitor generation in one ``key_value`` row (no expiry, so housekeeping keeps it)."""

    def __init__(self, key: str = VISITOR_GENERATION_KEY) -> None:
        self.key = key

    async def current(self) -> str | None:
        row = await KeyValue.select(KeyValue.value).where(KeyValue.key == self.key).first()
        return bytes(row["value"]).decode() if row and row["value"] is not None else None

    async def bump(self) -> None:
        await KeyValue.insert(KeyValue(key=self.key, value=_new_generation().encode(), expires_at=None)).on_conflict(
            target=KeyValue.key, action="DO UPDATE", values=[KeyValue.value, KeyValue.expires_at]
        )


class RedisGeneration:
    """The visitor generation in one Redis key."""

    def __init__(self, redis: Redis, key: str = VISITOR_GENERATION_KEY) -> None:
        self.redis = redis
        self.key = key

    async def current(self) -> str | None:
        value = await self.redis.get(self.key)
        return value.decode() if isinstance(value, bytes) else None

    async def bump(self) -> None:
        await self.redis.set(self.key, _new_generation())


class SharedState(NamedTuple):
    """What every process of one deployment shares."""

    store: NamespacedStore
    counters: Counters
    generation: Generation


# Redis answers in well under a millisecond; waiting longer than this means it is gone, and a
# request should fail (503) rather than hang on it (docs/security.md, "Faults").
REDIS_TIMEOUT_S = 2


def redis_client(redis_url: str) -> Redis:
    """A Redis client whose connects and commands give up after ``REDIS_TIMEOUT_S``."""
    return Redis.from_url(redis_url, socket_connect_timeout=REDIS_TIMEOUT_S, socket_timeout=REDIS_TIMEOUT_S)


async def check_reachable(state: SharedState) -> None:
    """Raise unless the shared state (Redis, or the database) answers a read."""
    await state.generation.current()


def build_shared_state(redis_url: str | None) -> SharedState:
    """The session store, counters and visitor generation: Redis if configured, else the database."""
    if redis_url:
        redis = redis_client(redis_url)
        return SharedState(RedisStore(redis, namespace="prayerboard"), RedisCounters(redis), RedisGeneration(redis))
    return SharedState(DatabaseStore(), DatabaseCounters(), DatabaseGeneration())
