"""Plain text to safe HTML: paragraphs kept, web links made clickable, no user HTML ever."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# http(s) links only; trailing punctuation that usually ends a sentence is left outside the link.
_URL_RE = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
EXCERPT_LENGTH = 280
# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): they reorder
# what follows them, so a sentence can display as something other than what it says (the
# "Trojan Source" trick). Text written right to left needs none of them: the Unicode
# bidirectional algorithm lays out Hebrew or Arabic by itself, and the plain marks U+200E and
# U+200F, which reorder nothing beyond themselves, are kept.
_BIDI_CONTROLS_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")


def neutralise_bidi(text: str) -> str:
    """``text`` without bidirectional embeddings, overrides and isolates."""
    return _BIDI_CONTROLS_RE.sub("", text or "")


def _linkify(line: str) -> str:
    """Escape one raw line, wrapping each web address in a link."""
    out: list[str] = []
    position = 0
    for match in _URL_RE.finditer(line):
        url = match.group(0).rstrip(_TRAILING)
        out.append(str(escape(line[position : match.start()])))
        safe = str(escape(url))
        out.append(f'<a href="{safe}" rel="nofollow ugc noopener noreferrer">{safe}</a>')
        position = match.start() + len(url)
    out.append(str(escape(line[position:])))
    return "".join(out)


def render_plain_text(text: str) -> Markup:
    """Escape ``text`` and turn blank-line-separated blocks into paragraphs, lines into breaks."""
    paragraphs = [p for p in re.split(r"\n\s*\n", neutralise_bidi(text)) if p.strip()]
    html = []
    for paragraph in paragraphs:
        lines = [_linkify(line) for line in paragraph.strip().split("\n")]
        html.append("<p>" + "<br>\n".join(lines) + "</p>")
    return Markup("\n".join(html))


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """The first ``length`` characters of ``text`` on one line, cut at a word with an ellipsis."""
    flat = " ".join(neutralise_bidi(text).split())
    if len(flat) <= length:
        return flat
    cut = flat[:length].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"
