"""argon2id password hashing, run in a worker thread so the event loop keeps serving."""

from __future__ import annotations

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

# A real hash of a random password, verified against when the username is unknown so that
# the reply and its timing are the same whether or not the account exists.
_DUMMY_HASH = _hasher.hash("no account has this password: 6b1f0c6e")


def hash_password_sync(password: str) -> str:
    return _hasher.hash(password)


async def hash_password(password: str) -> str:
    """Hash a new password with the current parameters."""
    return await anyio.to_thread.run_sync(_hasher.hash, password)


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; with no stored hash, spend the same time and answer False."""
    if stored_hash is None:
        await anyio.to_thread.run_sync(_verify, _DUMMY_HASH, password)
        return False
    return await anyio.to_thread.run_sync(_verify, stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
