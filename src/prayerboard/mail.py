"""Building one email and delivering it: over SMTP, or as an ``.eml`` file when no server is set.

The outbox (``services/outbox.py``) decides what is sent and when; this module only turns a
message into bytes and hands them on (docs/architecture.md, "Mail").
"""

from __future__ import annotations

from prayerboard.settings import Settings

LOCAL_BASE_URL = "http://localhost:8000"


def absolute_url(settings: Settings, path: str, request_base_url: str | None = None) -> str:
    """``path`` (``/p/abc``) as a link that works from a mail reader.

    The configured public address wins; else the address the request came to; else the
    address a local install answers on.
    """
    base = settings.base_url(request_base_url or LOCAL_BASE_URL)
    return base + "/" + path.lstrip("/")
