"""Typed settings read once from environment variables (every one is documented in the README)."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_CATEGORIES = (
    "Health and healing",
    "Family and marriage",
    "Grief and loss",
    "Work and provision",
    "Faith and guidance",
    "Addiction and recovery",
    "Church and mission",
    "Thanksgiving",
    "Other",
)

SECRET_KEY_FILE = "secret_key"


class SettingsError(ValueError):
    """An environment variable holds a value the board cannot use."""


def _int_env(environ: dict[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from exc
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}")
    return value


TlsMode = Literal["implicit", "starttls", "if-offered", "off"]


@dataclass(frozen=True)
class SmtpServer:
    """Where mail goes (``PRAYERBOARD_SMTP_URL``); the password is never part of its text."""

    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)
    tls: TlsMode = "if-offered"

    def display(self) -> str:
        """The server as a log line may name it: no user name, no password."""
        return f"{self.host}:{self.port} ({self.tls} TLS)"


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know about its environment."""

    data_dir: Path
    database_url: str
    secret_key: str
    redis_url: str | None = None
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    board_name: str = "Prayer Board"
    page_size: int = 20
    sqlite_pool_size: int = 4
    postgres_pool_size: int = 10
    secure_cookies: bool = False
    login_failures_per_account: int = 5
    login_failures_per_address: int = 20
    login_failure_window_seconds: int = 15 * 60
    session_max_age_seconds: int = 14 * 24 * 3600
    visitor_cache_seconds: int = 2
    archive_after_days: int = 90
    flag_threshold: int = 3
    approve_first_posts: int = 1
    posts_per_hour: int = 10
    replies_per_hour: int = 30
    reports_per_hour: int = 20
    invitation_days: int = 7
    registrations_per_hour: int = 20
    # Per member, or per address when signed out. A reader refines a search a few times a
    # minute; sixty leaves room for a household or an office behind one address, and stops a
    # script at one search a second.
    searches_per_minute: int = 60
    public_url: str | None = None
    # Mail (README, "Mail"): without an SMTP server, messages are written as .eml files.
    smtp: SmtpServer | None = None
    mail_from: str = "prayerboard@localhost"
    mail_sender: bool = True  # off where ``prayerboard worker`` sends instead
    mail_poll_seconds: float = 5.0
    mail_retry_seconds: int = 60  # the first retry's wait; each further one waits twice as long
    mail_max_attempts: int = 8  # then the message is given up as failed

    def base_url(self, request_base_url: str) -> str:
        """Where links point: the configured public address, else the address the request came to."""
        return (self.public_url or request_base_url).rstrip("/")

    def allowed_hosts(self) -> list[str] | None:
        """The only ``Host`` the board answers to when a public address is set; None admits any."""
        return [urlsplit(self.public_url).netloc.lower()] if self.public_url else None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read settings from the environment, creating the data directory and secret key if needed
        and making the data owner-only (``make_private``)."""
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env.get("PRAYERBOARD_DATA_DIR", "./var")).expanduser().resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        database_url = (
            env.get("PRAYERBOARD_DATABASE_URL", "").strip() or f"sqlite:///{data_dir / 'prayerboard.sqlite3'}"
        )
        if not database_url.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise SettingsError("PRAYERBOARD_DATABASE_URL must start with sqlite:/// or postgresql://")
        categories = (
            tuple(c.strip() for c in env.get("PRAYERBOARD_CATEGORIES", "").split(",") if c.strip())
            or DEFAULT_CATEGORIES
        )
        public_url = _public_url(env.get("PRAYERBOARD_PUBLIC_URL", ""))
        settings = cls(
            data_dir=data_dir,
            database_url=database_url,
            secret_key=env.get("PRAYERBOARD_SECRET_KEY", "").strip() or load_or_create_secret_key(data_dir),
            redis_url=env.get("PRAYERBOARD_REDIS_URL", "").strip() or None,
            categories=categories,
            board_name=env.get("PRAYERBOARD_BOARD_NAME", "").strip() or "Prayer Board",
            page_size=_int_env(env, "PRAYERBOARD_PAGE_SIZE", 20, minimum=1),
            sqlite_pool_size=_int_env(env, "PRAYERBOARD_SQLITE_POOL_SIZE", 4, minimum=1),
            postgres_pool_size=_int_env(env, "PRAYERBOARD_POSTGRES_POOL_SIZE", 10, minimum=1),
            flag_threshold=_int_env(env, "PRAYERBOARD_FLAG_THRESHOLD", 3, minimum=1),
            approve_first_posts=_int_env(env, "PRAYERBOARD_APPROVE_FIRST_POSTS", 1),
            posts_per_hour=_int_env(env, "PRAYERBOARD_POSTS_PER_HOUR", 10, minimum=1),
            replies_per_hour=_int_env(env, "PRAYERBOARD_REPLIES_PER_HOUR", 30, minimum=1),
            reports_per_hour=_int_env(env, "PRAYERBOARD_REPORTS_PER_HOUR", 20, minimum=1),
            invitation_days=_int_env(env, "PRAYERBOARD_INVITATION_DAYS", 7, minimum=1),
            registrations_per_hour=_int_env(env, "PRAYERBOARD_REGISTRATIONS_PER_HOUR", 20, minimum=1),
            searches_per_minute=_int_env(env, "PRAYERBOARD_SEARCHES_PER_MINUTE", 60, minimum=1),
            archive_after_days=_int_env(env, "PRAYERBOARD_ARCHIVE_AFTER_DAYS", 90),
            visitor_cache_seconds=_int_env(env, "PRAYERBOARD_VISITOR_CACHE_SECONDS", 2),
            secure_cookies=env.get("PRAYERBOARD_SECURE_COOKIES", "").strip().lower() in {"1", "true", "yes"},
            public_url=public_url,
            smtp=_smtp_server(env.get("PRAYERBOARD_SMTP_URL", "")),
            mail_from=_mail_from(env.get("PRAYERBOARD_MAIL_FROM", ""), public_url),
            mail_sender=_on_or_off(env, "PRAYERBOARD_MAIL_SENDER", default=True),
            mail_poll_seconds=_seconds_env(env, "PRAYERBOARD_MAIL_POLL_SECONDS", 5.0),
            mail_retry_seconds=_int_env(env, "PRAYERBOARD_MAIL_RETRY_SECONDS", 60),
            mail_max_attempts=_int_env(env, "PRAYERBOARD_MAIL_MAX_ATTEMPTS", 8, minimum=1),
        )
        # Every command that reads settings (``run`` and ``migrate`` among them) keeps the data private.
        make_private(settings)
        return settings


def _public_url(raw: str) -> str | None:
    """``https://pray.example.org`` (a path prefix is allowed), or None when unset."""
    raw = raw.strip().rstrip("/")
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment or parts.username:
        raise SettingsError(f"PRAYERBOARD_PUBLIC_URL must look like https://pray.example.org, not {raw!r}")
    return raw


SMTP_DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
SMTP_TLS_CHOICES: dict[str, TlsMode] = {"required": "starttls", "if-offered": "if-offered", "off": "off"}
SMTP_URL_SHAPE = "smtp://user:password@host:587 or smtps://user:password@host:465"


def _smtp_server(raw: str) -> SmtpServer | None:
    """``smtp://`` upgrades with STARTTLS when the server offers it (``?starttls=required``
    refuses a server that does not, ``?starttls=off`` never upgrades); ``smtps://`` speaks TLS
    from the first byte. A refusal never repeats the address, which may hold a password."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise SettingsError(f"PRAYERBOARD_SMTP_URL must look like {SMTP_URL_SHAPE}") from None
    query = parse_qs(parts.query, keep_blank_values=True)
    if parts.scheme not in SMTP_DEFAULT_PORTS or not parts.hostname or parts.path not in {"", "/"}:
        raise SettingsError(f"PRAYERBOARD_SMTP_URL must look like {SMTP_URL_SHAPE}")
    if set(query) - {"starttls"} or len(query.get("starttls", [])) > 1:
        raise SettingsError("PRAYERBOARD_SMTP_URL takes only ?starttls=required, if-offered or off")
    tls: TlsMode = "implicit"
    if parts.scheme == "smtp":
        choice = query.get("starttls", ["if-offered"])[0]
        if choice not in SMTP_TLS_CHOICES:
            raise SettingsError("PRAYERBOARD_SMTP_URL takes only ?starttls=required, if-offered or off")
        tls = SMTP_TLS_CHOICES[choice]
    elif "starttls" in query:
        raise SettingsError("PRAYERBOARD_SMTP_URL: smtps:// is TLS from the start and takes no ?starttls=")
    return SmtpServer(
        host=parts.hostname,
        port=port or SMTP_DEFAULT_PORTS[parts.scheme],
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        tls=tls,
    )


def _mail_from(raw: str, public_url: str | None) -> str:
    """The sender's address: as set, else ``prayerboard@`` the public address's host."""
    raw = raw.strip()
    if not raw:
        host = urlsplit(public_url).hostname if public_url else None
        return f"prayerboard@{host or 'localhost'}"
    if raw.count("@") != 1 or any(c.isspace() or ord(c) < 32 for c in raw) or raw.startswith("@") or raw.endswith("@"):
        raise SettingsError(f"PRAYERBOARD_MAIL_FROM must be one address like board@example.org, not {raw!r}")
    return raw


def _on_or_off(environ: dict[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"on", "1", "true", "yes"}:
        return True
    if raw in {"off", "0", "false", "no"}:
        return False
    raise SettingsError(f"{name} must be on or off, not {raw!r}")


def _seconds_env(environ: dict[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number of seconds, not {raw!r}") from exc
    if not 0 < value <= 3600:
        raise SettingsError(f"{name} must be more than 0 and at most 3600")
    return value


PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
SQLITE_COMPANION_SUFFIXES = ("", "-wal", "-shm", "-journal")


def sqlite_path(database_url: str) -> Path | None:
    """The database file of a ``sqlite:///`` address, or None for PostgreSQL."""
    return Path(database_url.removeprefix("sqlite:///")) if database_url.startswith("sqlite:///") else None


def make_private(settings: Settings) -> None:
    """Owner-only data: the data directory 0700, the SQLite file and its companions 0600.

    The database file is created empty (a valid SQLite database) with mode 0600 before SQLite
    first opens it, because SQLite gives its -wal and -shm files the main file's mode; modes
    already too open from an older version are narrowed too.
    """
    try:
        _make_private(settings)
    except OSError as exc:
        raise SettingsError(f"cannot make the board's data private to its owner: {exc}") from exc


def _make_private(settings: Settings) -> None:
    os.chmod(settings.data_dir, PRIVATE_DIR_MODE)
    database = sqlite_path(settings.database_url)
    if database is None:
        return
    database.parent.mkdir(parents=True, exist_ok=True)
    if database.parent != settings.data_dir:
        os.chmod(database.parent, PRIVATE_DIR_MODE)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE))
    for suffix in SQLITE_COMPANION_SUFFIXES:
        path = database.with_name(database.name + suffix)
        try:
            if stat.S_IMODE(path.stat().st_mode) & ~PRIVATE_FILE_MODE:
                os.chmod(path, PRIVATE_FILE_MODE)
        except FileNotFoundError:
            pass


def load_or_create_secret_key(data_dir: Path) -> str:
    """Return the key kept in the data directory, generating it (owner-only) on first start."""
    path = data_dir / SECRET_KEY_FILE
    if not path.exists():
        # Write a private temporary file, then hard-link it into place: the link fails if another
        # process got there first, so every process ends up reading the same complete key.
        fd, temp_name = tempfile.mkstemp(dir=data_dir, prefix=".secret-")
        try:
            with os.fdopen(fd, "w") as handle:  # mkstemp creates the file with mode 0600
                handle.write(secrets.token_urlsafe(48) + "\n")
            with contextlib.suppress(FileExistsError):
                os.link(temp_name, path)
        finally:
            os.unlink(temp_name)
    key = path.read_text().strip()
    if len(key) < 32:
        raise SettingsError(f"{path} holds a key shorter than 32 characters")
    return key
