"""argon2id password hashing, run in a worker thread so the event loop keeps serving."""

from __future__ import annotations

import threading

import anyio.to_thread
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# OWASP Password Storage Cheat Sheet (2024) lists argon2id with m=19 MiB, t=2, p=1 as the
# minimum. We use more memory than that minimum; each sign-in costs ~20-40 ms of one core.
ARGON2_MEMORY_KIB = 19 * 1024 * 2  # 38 MiB: twice OWASP's 19 MiB minimum
ARGON2_TIME_COST = 2  # OWASP minimum iterations at 19 MiB
ARGON2_PARALLELISM = 1  # OWASP minimum; more lanes buy nothing on a 2-core server
ARGON2_HASH_LEN = 32
ARGON2_SALT_LEN = 16

PASSWORD_MIN_LENGTH = 10  # NIST SP 800-63B asks for at least 8; we ask a little more
PASSWORD_MAX_LENGTH = 1024  # a bound so nobody can make us hash megabytes

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

# How many full verifications this process has run: a seam for tests that check, without
# timing anything, that every sign-in path pays for one.
_verifications = 0
_verifications_lock = threading.Lock()


def hash_password_sync(password: str) -> str:
    return _hasher.hash(password)


async def hash_password(password: str) -> str:
    """Hash a new password with the current parameters."""
    return await anyio.to_thread.run_sync(_hasher.hash, password)


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
    """Check a password off the event loop; the same cost for any account, or none."""
    return await anyio.to_thread.run_sync(verify_password_sync, stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
