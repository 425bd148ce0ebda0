"""Building one email and delivering it: over SMTP, or as an ``.eml`` file when no server is set.

The outbox (``services/outbox.py``) decides what is sent and when; this module only turns a
message into bytes and hands them on (docs/architecture.md, "Mail").
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.policy
import html
import os
import re
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import aiosmtplib
import aiosmtplib.email

from prayerboard.settings import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, Settings

# How a message is written out, over SMTP and to an .eml file alike: CRLF, 7-bit bodies (any
# server carries them, with or without 8BITMIME), and headers folded only past the RFC's 998
# characters: at the usual 78 a long unbreakable value (List-Unsubscribe's <URL>) is written as
# encoded words, which no mail program reads as a link.
WIRE_POLICY = email.policy.SMTP.clone(max_line_length=998, cte_type="7bit")


def flatten(message: EmailMessage) -> bytes:
    """The message's bytes as they are sent and stored."""
    return message.as_bytes(policy=WIRE_POLICY)


RUN_PORT_ENV = "PRAYERBOARD_RUN_PORT"  # set by ``prayerboard run`` for its app processes


def link_base(settings: Settings) -> str:
    """Where links in mail start: ``PRAYERBOARD_PUBLIC_URL``; without it, the address
    ``prayerboard run`` listens on (a local install), never a ``Host`` a request named."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    host = os.environ.get("PRAYERBOARD_RUN_HOST", "").strip().strip("[]") or "127.0.0.1"
    if host in {"0.0.0.0", "::"}:
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    port = os.environ.get(RUN_PORT_ENV, "").strip() or "8000"
    return f"http://{host}:{port}"


def _is_under(url: str, base: str) -> bool:
    base = base.rstrip("/")
    return url == base or url.startswith(base + "/") or url.startswith(base + "?")


def _header_text(value: str) -> str:
    """One line: a line break in a subject would start a new header."""
    return " ".join(_CONTROL_RE.sub(" ", value).split())


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_LINK_RE = re.compile(r"https?://[^\s<>\"']+")


def html_from_text(text: str, links_to: str = "") -> str:
    """The plain-text part as HTML: every character escaped, paragraphs kept, and the board's
    own links (those starting with ``links_to``) clickable.

    Only the board's: a title, a display name or a moderator's message may hold an address
    of anyone's choosing, and mail from the board must not make it a button.
    """
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = []
        for line in block.splitlines():
            pieces, last = [], 0
            for match in _LINK_RE.finditer(line):
                if not links_to or not _is_under(match.group(), links_to):
                    continue
                pieces.append(html.escape(line[last : match.start()]))
                link = html.escape(match.group())
                pieces.append(f'<a href="{link}">{link}</a>')
                last = match.end()
            pieces.append(html.escape(line[last:]))
            lines.append("".join(pieces))
        paragraphs.append("<p>" + "<br>\n".join(lines) + "</p>")
    return "\n".join(paragraphs)


def build_message(
    settings: Settings,
    *,
    to_address: str,
    subject: str,
    text: str,
    html_body: str = "",
    extra_headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """One message with a plain-text and an HTML part and the headers every reader expects.

    ``html_body`` is trusted HTML (its builder escaped what it holds); when empty it is made
    from ``text``. ``extra_headers`` (List-Unsubscribe, for one) are added as given, each on
    one line.
    """
    message = EmailMessage(policy=WIRE_POLICY)
    message["From"] = settings.mail_from
    message["To"] = _header_text(to_address)
    message["Subject"] = _header_text(subject)
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or "localhost")
    for name, value in (extra_headers or {}).items():
        message[_header_text(name)] = _header_text(value)
    message.set_content(text)
    body = html_body or html_from_text(text, link_base(settings))
    message.add_alternative(
        f'<!doctype html>\n<html><head><meta charset="utf-8"></head><body>\n{body}\n</body></html>\n', subtype="html"
    )
    return message


class DeliveryFailed(Exception):
    """The SMTP server could not be reached or refused the message; it is tried again later."""


class Undeliverable(Exception):
    """No server could ever carry this message (its address is not one plain mailbox, say):
    trying again cannot help, so it is given up at once."""


def check_envelope_address(to_address: str) -> None:
    """Raise ``Undeliverable`` unless ``to_address`` is exactly one plain mailbox.

    The SMTP envelope is built from what the address parses into; anything that parses into
    something else (``root,eve@evil.org`` parses to ``root``) would send the message elsewhere.
    """
    try:
        parsed = aiosmtplib.email.parse_address(to_address)
    except (ValueError, TypeError) as exc:
        raise Undeliverable("the address is not one plain mailbox") from exc
    if not parsed or parsed != to_address:
        raise Undeliverable("the address is not one plain mailbox")


MAIL_DIR = "mail"
SMTP_TIMEOUT_S = 30  # a server that does not answer within this is down for this attempt


async def deliver(settings: Settings, message: EmailMessage, to_address: str, name: str) -> str:
    """Send ``message`` to ``to_address`` through the SMTP server, or write it as
    ``<data dir>/mail/<name>.eml``.

    Returns where it went, for the log line (never the password); raises DeliveryFailed, or
    Undeliverable for a message no attempt could send.
    """
    check_envelope_address(to_address)
    server = settings.smtp
    if server is None:
        return await asyncio.to_thread(_write_eml, settings, message, name)
    try:
        await aiosmtplib.send(
            flatten(message),
            # The envelope names the one address the message was written for, whatever the To
            # header may be parsed into.
            sender=settings.mail_from,
            recipients=[to_address],
            hostname=server.host,
            port=server.port,
            username=server.username or None,
            password=server.password or None,
            use_tls=server.tls == "implicit",
            start_tls={"starttls": True, "if-offered": None}.get(server.tls, False),
            timeout=SMTP_TIMEOUT_S,
        )
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}".strip()[:500]) from exc
    except (ValueError, TypeError, LookupError) as exc:  # building the envelope or the bytes failed
        raise Undeliverable(f"{type(exc).__name__} while building the envelope") from exc
    return server.display()


def _write_eml(settings: Settings, message: EmailMessage, name: str) -> str:
    """Owner-only, like the database: the directory 0700, each file 0600."""
    folder = settings.data_dir / MAIL_DIR
    try:
        folder.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
        os.chmod(folder, PRIVATE_DIR_MODE)
        path = folder / f"{name}.eml"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(flatten(message))
    except OSError as exc:
        raise DeliveryFailed(f"cannot write {folder}: {exc.strerror or exc}") from exc
    return str(path)
