"""Signed tokens for the links the board mails: one way to sign and one way to read them.

Each kind of link signs under a key of its own, derived from the secret key and the link's
label, so no signature made for one kind can pass for another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

SIGNATURE_BYTES = 24  # 192 bits: far beyond guessing, and 32 characters in a link
# An expiring token: id (at most 18 digits), expiry (at most 12), 32 characters of signature,
# two dots.
EXPIRING_TOKEN_MAX = 80


def signature(label: str, secret_key: str, *fields: str) -> str:
    """The URL-safe signature of ``fields`` under the key for ``label``."""
    key = hashlib.sha256(label.encode() + b"\x00" + secret_key.encode()).digest()
    message = "\x00".join(fields).encode("utf-8", "surrogatepass")
    tag = hmac.new(key, message, hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(tag).decode("ascii").rstrip("=")


def split_expiring(token: str) -> tuple[int, int, str] | None:
    """``id.expiry.signature`` as its three parts, or None for anything else (too long, not
    ASCII, parts missing or not digits)."""
    parts = token.split(".") if len(token) <= EXPIRING_TOKEN_MAX and token.isascii() else []
    if len(parts) != 3 or not all(parts) or not (parts[0].isdecimal() and parts[1].isdecimal()):
        return None
    if len(parts[0]) > 18 or len(parts[1]) > 12:
        return None
    return int(parts[0]), int(parts[1]), parts[2]
