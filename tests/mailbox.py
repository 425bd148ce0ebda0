"""A real SMTP server for tests (aiosmtpd): it collects what the board sends.

``Mailbox`` listens on a free loopback port in a thread of its own; ``smtp_url`` is what a
test server's ``PRAYERBOARD_SMTP_URL`` should be. One runs for the whole test run
(``mail_server``, set in the environment before the shared server starts, so every test server
sends to it); a test reads it through the ``mailbox`` fixture, which empties it first. ``wait_for(n)`` returns once ``n`` messages
have arrived (a condition variable, no sleeping), ``link(message)`` reads a link out of one.
``stop()`` and ``start()`` take the server down and bring it back on the same port, for tests
of what happens while it is away.

(This module shadows the standard library's ``mailbox`` inside the tests; nothing the tests
use imports that one, and aiosmtpd's own handlers, which do, are not used here.)
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from harness import HOST, free_port

__all__ = ["Mailbox", "link", "mail_server", "mailbox", "text_of", "wait_until"]

WAIT_TIMEOUT_S = 20  # a message is normally there well within a second


class _Collect:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self.box.arrived:
            self.box.raw.append(envelope.original_content or envelope.content)
            self.box.messages.append(message)
            self.box.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.box.arrived.notify_all()
        return "250 Message accepted for delivery"


class Mailbox:
    """An SMTP server that keeps every message it is given."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []  # each message as it came over the wire
        self.envelopes: list[tuple[str, list[str]]] = []
        self.arrived = threading.Condition()
        self._controller: Controller | None = None
        self.start()

    @property
    def running(self) -> bool:
        return self._controller is not None

    @property
    def smtp_url(self) -> str:
        return f"smtp://{HOST}:{self.port}"

    def start(self) -> None:
        self._controller = Controller(_Collect(self), hostname=HOST, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = WAIT_TIMEOUT_S) -> list[EmailMessage]:
        """The first ``count`` messages, once they are all here; fails after ``timeout``."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout):
                raise AssertionError(f"expected {count} message(s), got {len(self.messages)}")
            return list(self.messages[:count])

    def to(self, address: str) -> list[EmailMessage]:
        """The messages so far addressed to ``address``."""
        with self.arrived:
            return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        with self.arrived:
            self.messages.clear()
            self.envelopes.clear()
            self.raw.clear()


def text_of(message: EmailMessage, subtype: str = "plain") -> str:
    """The ``text/plain`` (or ``html``) part of a message."""
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no text/{subtype} part"
    return str(part.get_content()).replace("\r\n", "\n")  # as written, whatever the line ends on the wire


def link(message: EmailMessage, contains: str = "") -> str:
    """The first link in the plain-text part whose address contains ``contains``."""
    for found in re.findall(r"https?://\S+", text_of(message)):
        if contains in found:
            return str(found)
    raise AssertionError(f"no link containing {contains!r} in:\n{text_of(message)}")


def wait_until(check: Callable[[], Any], timeout: float = WAIT_TIMEOUT_S, what: str = "the condition") -> Any:
    """Poll ``check`` (a database read) until it returns something true; that value.

    For what happens in the server process and shows only in the database (a failed attempt
    counted); a message that arrives is waited for with ``Mailbox.wait_for`` instead.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)  # polling another process's database writes, not timing behaviour


@pytest.fixture(scope="session")
def mail_server() -> Iterator[Mailbox]:
    """The test run's SMTP server: every test server's ``PRAYERBOARD_SMTP_URL`` (they take this
    process's environment), started before the shared server."""
    box = Mailbox()
    os.environ["PRAYERBOARD_SMTP_URL"] = box.smtp_url
    yield box
    box.stop()


@pytest.fixture
def mailbox(mail_server: Mailbox) -> Mailbox:
    """The SMTP server, running and empty: what this test's servers send arrives here."""
    if not mail_server.running:
        mail_server.start()  # a test that stopped it failed before starting it again
    mail_server.clear()
    return mail_server
