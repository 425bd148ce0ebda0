"""Input is normalised and checked once, here, before it reaches a service.

Each ``parse_*`` function takes the raw form (a mapping of str to str) and returns the clean
values, or raises ``FormErrors`` carrying a message per field and the input as typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from prayerboard import names, tables
from prayerboard.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from prayerboard.text import neutralise_bidi
from prayerboard.vocab import PostKind, Visibility

USERNAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{1,31}$")
# One plain mailbox: no whitespace, quotes or the characters that make an address a list, a
# route or a display name ("(),:;<>[]\), so what was typed is exactly what mail is sent to.
_EMAIL_CHAR = r"[^@\s\"(),:;<>\[\]\\]"
EMAIL_RE = re.compile(rf"^{_EMAIL_CHAR}+@{_EMAIL_CHAR}+\.{_EMAIL_CHAR}+$")
# Control characters other than newline and tab; NUL among them (PostgreSQL refuses it in text).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Zero-width and bidirectional-override characters that can disguise a name.
_INVISIBLE_RE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
CHECKBOX_ON = {"on", "true", "1", "yes"}


class FormErrors(Exception):
    """The input cannot be used; ``errors`` maps field names to messages for the form."""

    def __init__(self, errors: dict[str, str], values: Mapping[str, Any]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
        self.values = dict(values)


def clean_text(value: Any, *, multiline: bool) -> str:
    """NFC-normalise, unify line endings, drop control characters and right-to-left overrides
    (text that reads differently than it is written), trim outer whitespace."""
    if value is None:
        return ""
    text = str(value)
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = neutralise_bidi(_CONTROL_RE.sub("", text))
    if not multiline:
        text = _INVISIBLE_RE.sub("", text.replace("\n", " ").replace("\t", " "))
        text = re.sub(r" {2,}", " ", text)
    else:
        text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def checkbox(value: Any) -> bool:
    return str(value or "").strip().lower() in CHECKBOX_ON


class _Checker:
    """Collects one message per field while values are cleaned."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.errors: dict[str, str] = {}

    def text(
        self,
        name: str,
        label: str,
        max_length: int,
        *,
        multiline: bool = False,
        required: bool = True,
        missing: str | None = None,
    ) -> str:
        value = clean_text(self.raw.get(name), multiline=multiline)
        if required and not value:
            self.errors[name] = missing or f"{label} is required."
        elif len(value) > max_length:
            self.errors[name] = f"{label} must be at most {max_length:,} characters (it is {len(value):,})."
        return value

    def choice(self, name: str, choices: tuple[str, ...] | list[str], message: str, default: str | None = None) -> str:
        value = clean_text(self.raw.get(name), multiline=False) or (default or "")
        if value not in choices:
            self.errors[name] = message
        return value

    def done(self) -> None:
        if self.errors:
            safe = {k: clean_text(v, multiline=True) for k, v in self.raw.items() if k != "password"}
            raise FormErrors(self.errors, safe)


def check_display_name_characters(check: _Checker, raw_value: Any) -> None:
    """Refuse a display name with characters a reader cannot see (docs/security.md, "Display names").

    Checked on the name as typed, before cleaning would quietly drop some of them: the person
    is told, rather than given a name other than the one they typed.
    """
    hidden = names.hidden_characters(str(raw_value or ""))
    if hidden and "display_name" not in check.errors:
        check.errors["display_name"] = (
            f"Your name contains characters that can't be seen ({', '.join(hidden[:3])}). "
            "Please use visible letters, digits and spaces."
        )


@dataclass(frozen=True)
class Registration:
    username: str
    display_name: str
    email: str
    password: str


def parse_registration(raw: Mapping[str, Any]) -> Registration:
    check = _Checker(raw)
    username = check.text("username", "Username", tables.USERNAME_MAX)
    if username and "username" not in check.errors and not USERNAME_RE.match(username):
        check.errors["username"] = (
            "Use 2 to 32 letters, digits, dots, dashes or underscores, starting with a letter or digit."
        )
    display_name = check.text("display_name", "Display name", tables.DISPLAY_NAME_MAX)
    check_display_name_characters(check, raw.get("display_name"))
    email = check.text("email", "Email", tables.EMAIL_MAX)
    if email and "email" not in check.errors and not EMAIL_RE.match(email):
        check.errors["email"] = "Enter an email address like name@example.org."
    password = str(raw.get("password") or "")
    problem = password_problem(password)
    if problem:
        check.errors["password"] = problem
    check.done()
    return Registration(username, display_name, email.lower(), password)


def password_problem(password: str) -> str | None:
    """Why a new password cannot be used (registration, a reset, the command line), or None."""
    if "\x00" in password:
        return "The password contains a character that cannot be used."
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"Use at least {PASSWORD_MIN_LENGTH} characters."
    if len(password) > PASSWORD_MAX_LENGTH:
        # Refused before any hashing: a megabyte password must cost us no more than a short one.
        return f"Use at most {PASSWORD_MAX_LENGTH:,} characters (this one has {len(password):,})."
    return None


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str


def parse_login(raw: Mapping[str, Any]) -> Credentials:
    check = _Checker(raw)
    username = check.text("username", "Username", 200)
    password = str(raw.get("password") or "")
    if not password:
        check.errors["password"] = "Password is required."
    elif len(password) > PASSWORD_MAX_LENGTH or "\x00" in password:
        # No account can have such a password: refused before any hashing or counting.
        check.errors["password"] = "That username and password do not match."
    check.done()
    return Credentials(username, password)


@dataclass(frozen=True)
class PostInput:
    kind: PostKind
    title: str
    body: str
    category: str
    visibility: Visibility
    anonymous: bool


def parse_post(raw: Mapping[str, Any], categories: tuple[str, ...]) -> PostInput:
    check = _Checker(raw)
    kind = check.choice("kind", PostKind.values(), "Choose a prayer request or a testimony.", default="request")
    title = check.text("title", "Title", tables.TITLE_MAX)
    body = check.text(
        "body", "Your words", tables.BODY_MAX, multiline=True, missing="Please write your request or testimony."
    )
    category = check.choice("category", categories, "Choose a category from the list.")
    visibility = check.choice("visibility", Visibility.values(), "Choose who can read it.", default="public")
    anonymous = checkbox(raw.get("anonymous"))
    check.done()  # both choices are among the enums' values from here on
    return PostInput(PostKind(kind), title, body, category, Visibility(visibility), anonymous)


def parse_body(
    raw: Mapping[str, Any],
    label: str = "Your words",
    missing: str = "Please write a few words first.",
    max_length: int = tables.REPLY_MAX,
) -> str:
    check = _Checker(raw)
    body = check.text("body", label, max_length, multiline=True, missing=missing)
    check.done()
    return body


def parse_id(value: Any) -> int | None:
    """A positive database id from a path or query string, or None when it is not one."""
    text = str(value or "")
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    number = int(text)
    return number if 0 < number < 2**31 else None
