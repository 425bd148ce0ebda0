"""The Atom feed of public posts: exactly what a visitor sees on the board, newest first.

It is built from the visitor's board (``posts.board(None, ...)``), so the feed obeys the same
visibility rules, shows an anonymous author only as "Anonymous" and an anonymous post's
times only to the hour. The XML is written by
ElementTree, which escapes every title, name and body it is given.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Any

from prayerboard.rows import PostCard
from prayerboard.services import posts
from prayerboard.text import neutralise_bidi

FEED_SIZE = 50  # entries; feed readers poll, so the newest few weeks are plenty
ATOM_NS = "http://www.w3.org/2005/Atom"
ANONYMOUS = "Anonymous"
# Characters XML 1.0 cannot carry at all; form input is cleaned already, but older or imported
# rows must not make the whole feed unreadable.
_NOT_XML_RE = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(value: Any) -> str:
    # Bidirectional overrides are dropped as on the pages (``text.neutralise_bidi``).
    return _NOT_XML_RE.sub("", neutralise_bidi(str(value)))


def _rfc3339(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _add(parent: ET.Element, tag: str, text: Any = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _xml_text(text)
    return element


def _updated(post: PostCard) -> dt.datetime:
    """The last time what the entry shows changed: written, edited, answered, an update added,
    a name hidden or shown, a moderator's change (``Post.changed_at``).

    The times are as the board presents them, so an anonymous post's are to the hour
    (docs/privacy.md, "Times").
    """
    times = (post.created_at, post.edited_at, post.answered_at, post.changed_at)
    return max(t for t in times if t)


def _entry(feed: ET.Element, base_url: str, post: PostCard) -> str:
    """Add one post as an entry; returns its ``updated`` time."""
    url = f"{base_url}{post.url}"
    updated = _rfc3339(_updated(post))
    entry = _add(feed, "entry")
    _add(entry, "id", url)
    _add(entry, "title", post.title, type="text")
    _add(entry, "published", _rfc3339(post.created_at))
    _add(entry, "updated", updated)
    _add(entry, "link", rel="alternate", type="text/html", href=url)
    author = _add(entry, "author")
    # ``author_name`` is None wherever the policy hides the name: then nothing else is added.
    if post.author_name:
        _add(author, "name", post.author_name)
        _add(author, "uri", f"{base_url}/members/{post.author_username}")
    else:
        _add(author, "name", ANONYMOUS)
    _add(entry, "category", term=post.category, label=post.category)
    _add(entry, "category", term=post.kind, label=post.kind.label)
    _add(entry, "content", post.body, type="text")
    return updated


async def atom_feed(base_url: str, board_name: str) -> bytes:
    """The newest public posts as an Atom 1.0 document; ``base_url`` makes every link absolute."""
    base_url = base_url.rstrip("/")
    page = await posts.board(None, posts.BoardQuery(), FEED_SIZE)
    # Plain names under one default namespace: ElementTree cannot write unprefixed attributes
    # (rel, href) with its default_namespace option.
    feed = ET.Element("feed", xmlns=ATOM_NS)
    _add(feed, "id", f"{base_url}/feed.atom")
    _add(feed, "title", board_name, type="text")
    _add(feed, "subtitle", "Public prayer requests and testimonies", type="text")
    _add(feed, "link", rel="self", type="application/atom+xml", href=f"{base_url}/feed.atom")
    _add(feed, "link", rel="alternate", type="text/html", href=f"{base_url}/")
    updated = _add(feed, "updated")
    times = [_entry(feed, base_url, post) for post in page.posts]
    # An empty feed has changed "now" as far as any reader can tell.
    updated.text = max(times) if times else _rfc3339(dt.datetime.now(dt.UTC))
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))
