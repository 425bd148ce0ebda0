"""Plain text to safe HTML: paragraphs kept, web links made clickable, no user HTML ever."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# http(s) links only; trailing punctuation that usually ends a sentence is left outside the link.
_URL_RE = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
EXCERPT_LENGTH = 280


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
    paragraphs = [p for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    html = []
    for paragraph in paragraphs:
        lines = [_linkify(line) for line in paragraph.strip().split("\n")]
        html.append("<p>" + "<br>\n".join(lines) + "</p>")
    return Markup("\n".join(html))


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """The first ``length`` characters of ``text`` on one line, cut at a word with an ellipsis."""
    flat = " ".join((text or "").split())
    if len(flat) <= length:
        return flat
    cut = flat[:length].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"
