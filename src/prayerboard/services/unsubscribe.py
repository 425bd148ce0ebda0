"""Signed one-click unsubscribe links (RFC 8058) for the mail a member chose to get.

Every message of a kind the member chose (news, posts waiting for approval, urgent reports, the
prayer list) carries a link ``/mail/unsubscribe/<member id>.<stream>.<signature>``. The
signature is an HMAC of the member id and the stream, under a key derived from the secret key
for this use alone. The link needs no sign-in and never expires, so an old message's link still
works; it stops one stream for one member and nothing else, and a deleted member's link is
refused like a forged one (docs/privacy.md, "Email").
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from typing import Any

from prayerboard import mail, signing
from prayerboard.db import transaction
from prayerboard.services.errors import ServiceError
from prayerboard.settings import Settings
from prayerboard.tables import Member
from prayerboard.vocab import MailFrequency, MailKind, MemberState

PATH = "/mail/unsubscribe/"
# A member id of at most 18 digits, a stream's name, 32 characters of URL-safe base64.
_TOKEN_RE = re.compile(r"([1-9][0-9]{0,17})\.([a-z_]{1,16})\.([A-Za-z0-9_-]{32})")
TOKEN_MAX = 80


class UnsubscribeLinkInvalid(ServiceError):
    """This link is not valid. It may have been copied only in part."""


@dataclass(frozen=True, slots=True)
class Stream:
    """One kind of mail a member can stop: the column that chooses it and how pages name it."""

    name: str  # as it is written in the link
    column: Any  # the ``Member`` column
    off: str | bool  # the value that stops it
    short: str  # "Stop {short} emails?"
    long: str  # "You will no longer get {long}."


NEWS = Stream(
    "news",
    Member.mail_news,
    MailFrequency.NEVER.value,
    "news",
    "emails with news about your posts and posts you follow",
)
REVIEW = Stream(
    "review",
    Member.mail_review,
    MailFrequency.NEVER.value,
    "approval",
    "emails about posts waiting for approval",
)
URGENT = Stream("urgent", Member.mail_urgent, False, "urgent report", "emails about urgent reports")
PRAYER_LIST = Stream(
    "prayer_list", Member.mail_prayer_list, False, "prayer list", "the daily prayer list of new requests"
)
STREAMS = {stream.name: stream for stream in (NEWS, REVIEW, URGENT, PRAYER_LIST)}

# Which stream each kind of message belongs to. Kinds not listed (password reset, confirming an
# address, a moderator's message) are not chosen by the member, so they carry no link.
STREAM_OF_KIND: dict[str, Stream] = {
    MailKind.NEWS: NEWS,
    MailKind.NEWS_DIGEST: NEWS,
    MailKind.REVIEW: REVIEW,
    MailKind.REVIEW_DIGEST: REVIEW,
    MailKind.URGENT_REPORT: URGENT,
    MailKind.PRAYER_LIST: PRAYER_LIST,
}


def _signature(secret_key: str, member_id: int, stream: str) -> str:
    return signing.signature("prayerboard unsubscribe", secret_key, str(member_id), stream)


def token(secret_key: str, member_id: int, stream: Stream) -> str:
    """The signed token that stops ``stream`` for the member."""
    return f"{member_id}.{stream.name}.{_signature(secret_key, member_id, stream.name)}"


def verify(secret_key: str, text: str) -> tuple[int, Stream]:
    """The member id and stream a token was signed for, or ``UnsubscribeLinkInvalid``."""
    match = _TOKEN_RE.fullmatch(text) if isinstance(text, str) and len(text) <= TOKEN_MAX and text.isascii() else None
    if match is None or match.group(2) not in STREAMS:
        raise UnsubscribeLinkInvalid()
    member_id, stream = int(match.group(1)), STREAMS[match.group(2)]
    if not hmac.compare_digest(match.group(3), _signature(secret_key, member_id, stream.name)):
        raise UnsubscribeLinkInvalid()
    return member_id, stream


def link(settings: Settings, member_id: int, kind: str) -> str | None:
    """The absolute link that stops ``kind``'s mail for the member; None for a kind that has none."""
    stream = STREAM_OF_KIND.get(kind)
    if stream is None:
        return None
    return f"{mail.link_base(settings)}{PATH}{token(settings.secret_key, member_id, stream)}"


def headers(settings: Settings, member_id: int | None, kind: str) -> dict[str, str]:
    """``List-Unsubscribe`` and ``List-Unsubscribe-Post`` for one message, or none."""
    url = link(settings, member_id, kind) if member_id is not None else None
    if url is None:
        return {}
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


@dataclass(frozen=True, slots=True)
class Stopping:
    """What a link stops, as its pages say it: nothing about whose it is."""

    short: str
    long: str


async def _member_exists(member_id: int) -> bool:
    found = (
        await Member.select(Member.id).where((Member.id == member_id) & (Member.state != MemberState.DELETED)).first()
    )
    return found is not None


async def describe(settings: Settings, text: str) -> Stopping:
    """What the link ``text`` would stop, for its confirmation page; changes nothing."""
    member_id, stream = verify(settings.secret_key, text)
    if not await _member_exists(member_id):
        raise UnsubscribeLinkInvalid()
    return Stopping(stream.short, stream.long)


async def unsubscribe(settings: Settings, text: str) -> Stopping:
    """Stop the stream the link ``text`` names for its member; doing it again changes nothing."""
    member_id, stream = verify(settings.secret_key, text)
    async with transaction():
        if not await _member_exists(member_id):
            raise UnsubscribeLinkInvalid()
        await Member.update({stream.column: stream.off}).where(Member.id == member_id)
    return Stopping(stream.short, stream.long)
