"""argon2id password hashing, run in a worker thread so the event loop keeps serving.

Each hash or verification holds ``ARGON2_MEMORY_KIB`` of memory and a core for tens of
milliseconds, so a flood of sign-ups or sign-ins could make the process grow by gigabytes and
starve every other request. At most ``HASHES_IN_FLIGHT`` run at once in a process; the rest wait
up to ``HASH_QUEUE_WAIT_SECONDS`` for a turn and are then refused with ``HashingBusy`` (a calm 503
with Retry-After) instead of piling up (docs/security.md, "Sign-in and floods").
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from prayerboard.services.errors import Throttled

# OWASP Password Storage Cheat Sheet (2024) lists argon2id with m=19 MiB, t=2, p=1 as the
# minimum. We use more memory than that minimum; each sign-in costs ~20-40 ms of one core.
ARGON2_MEMORY_KIB = 19 * 1024 * 2  # 38 MiB: twice OWASP's 19 MiB minimum
ARGON2_TIME_COST = 2  # OWASP minimum iterations at 19 MiB
ARGON2_PARALLELISM = 1  # OWASP minimum; more lanes buy nothing on a 2-core server
ARGON2_HASH_LEN = 32
ARGON2_SALT_LEN = 16

PASSWORD_MIN_LENGTH = 10  # NIST SP 800-63B asks for at least 8; we ask a little more
PASSWORD_MAX_LENGTH = 1000  # a bound so nobody can make us hash megabytes; no passphrase is longer

# Two cores on the smallest server we run on: more hashes at once would not finish sooner, they
# would only hold more memory (38 MiB each) while they take turns on the cores.
HASHES_IN_FLIGHT = 2
# Long enough for a burst of honest sign-ins to take turns (each turn is ~50 ms), short enough
# that a flood is answered "busy" instead of holding thousands of requests open.
HASH_QUEUE_WAIT_SECONDS = 3.0
HASH_BUSY_RETRY_AFTER_SECONDS = 5

_hasher = PasswordHasher(
    time_cost=ARGON2_TIME_COST,
    memory_cost=ARGON2_MEMORY_KIB,
    parallelism=ARGON2_PARALLELISM,
    hash_len=ARGON2_HASH_LEN,
    salt_len=ARGON2_SALT_LEN,
    type=Type.ID,
)

# A real hash of a random password, with today's parameters. Whenever there is no usable hash
# to check (an unknown name, a deleted account's "!"), the password is verified against this
# one instead, so that every sign-in costs one full argon2 verification and its answer and
# timing say nothing about the account (docs/privacy.md, "Sign-in").
_DUMMY_HASH = _hasher.hash("no account has this password: 6b1f0c6e")
_ARGON2_PREFIX = "$argon2"
# ``prayerboard demo`` writes its members' hashes with this mark in front. A marked hash does not
# start with "$argon2", so ``hash_to_verify`` treats it like no hash at all: the demo's published
# password opens the account only where ``accounts.password_hash_to_check`` takes the mark off,
# on a board marked as a demo (docs/security.md, "Demo boards").
DEMO_HASH_MARK = "demo:"

# How many full verifications this process has run: a seam for tests that check, without
# timing anything, that every sign-in path pays for one.
_verifications = 0
_verifications_lock = threading.Lock()


class HashingBusy(Throttled):
    """So many people are signing in at once that this one must wait: try again in a moment."""

    status_code = 503

    def __init__(self) -> None:
        super().__init__(
            "So many people are signing in right now that we could not check yours. Please try again in a few seconds.",
            retry_after=HASH_BUSY_RETRY_AFTER_SECONDS,
        )


# One bound per event loop (a semaphore belongs to the loop it first waits on); a server process
# has one loop, but tests and the command line may run several one after another.
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()

_T = TypeVar("_T")


async def _bounded(work: Callable[..., _T], *args: object) -> _T:
    """Run ``work`` in a worker thread once one of the ``HASHES_IN_FLIGHT`` slots is free."""
    loop = asyncio.get_running_loop()
    slots = _slots.get(loop)
    if slots is None:
        slots = _slots[loop] = asyncio.Semaphore(HASHES_IN_FLIGHT)
    try:
        async with asyncio.timeout(HASH_QUEUE_WAIT_SECONDS):
            await slots.acquire()
    except TimeoutError:
        raise HashingBusy() from None
    try:
        return await anyio.to_thread.run_sync(work, *args)
    finally:
        slots.release()


def hash_password_sync(password: str) -> str:
    return _hasher.hash(password)


async def hash_password(password: str) -> str:
    """Hash a new password with the current parameters; ``HashingBusy`` when too many wait."""
    return await _bounded(_hasher.hash, password)


def hash_to_verify(stored_hash: str | None) -> tuple[str, bool]:
    """The hash a sign-in checks, and whether a match may count.

    A stored hash that is not an argon2 hash (None for an unknown name, "!" for a deleted
    account) is swapped for the dummy hash, which no password matches anyway; the answer is
    refused whatever happens, but only after the same work.
    """
    if stored_hash is not None and stored_hash.startswith(_ARGON2_PREFIX):
        return stored_hash, True
    return _DUMMY_HASH, False


def verifications_run() -> int:
    """Full argon2 verifications run by this process so far."""
    return _verifications


def _verify(stored_hash: str, password: str) -> bool:
    global _verifications
    with _verifications_lock:  # verifications run on several worker threads at once
        _verifications += 1
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def verify_password_sync(stored_hash: str | None, password: str) -> bool:
    """Check a password with exactly one full argon2 verification, whatever ``stored_hash`` is."""
    checked_hash, may_match = hash_to_verify(stored_hash)
    matched = _verify(checked_hash, password)
    return matched and may_match


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password off the event loop; the same cost for any account, or none.

    ``HashingBusy`` when too many checks are waiting already.
    """
    return await _bounded(verify_password_sync, stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
