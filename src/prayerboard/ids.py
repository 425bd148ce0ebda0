"""Short random ids for addresses (posts and replies), in the manner of Lobsters' short ids."""

from __future__ import annotations

import secrets

PUBLIC_ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o, 1/l: easy to read aloud
PUBLIC_ID_LENGTH = 10  # 32**10 ≈ 10**15: a collision is practically impossible, and refused anyway
assert len(PUBLIC_ID_ALPHABET) == 32  # so that five bits of a random byte pick a letter evenly


def new_public_id() -> str:
    """A fresh random id such as ``k3xq9vd2ma``: 50 random bits (the alphabet has exactly 32 letters)."""
    return "".join(PUBLIC_ID_ALPHABET[byte & 31] for byte in secrets.token_bytes(PUBLIC_ID_LENGTH))


def looks_like_public_id(value: str) -> bool:
    """Whether ``value`` could be a public id at all (so that anything else is a plain 404)."""
    return len(value) == PUBLIC_ID_LENGTH and all(c in PUBLIC_ID_ALPHABET for c in value)
