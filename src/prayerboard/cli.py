"""The ``prayerboard`` command: run, migrate, create-admin, set-password, archive, worker, demo, backup."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from prayerboard.settings import SECRET_KEY_FILE, Settings, SettingsError, sqlite_path
from prayerboard.vocab import Role

STARTUP_CHECK_TIMEOUT_S = 10  # the database or Redis named in the settings answers well within this


class StorageUnavailable(Exception):
    """The database or Redis named in the settings cannot be used; the message is one line."""


async def _check_storage(settings: Settings, need_schema: bool = True) -> None:
    """Open the database (and Redis, when configured) once, as the server will, or raise StorageUnavailable."""
    from piccolo.engine.postgres import PostgresEngine
    from piccolo.engine.sqlite import SQLiteEngine

    from prayerboard import db
    from prayerboard.stores import build_shared_state, check_reachable

    engine = db.configure(db.build_engine(settings.database_url, 1, 1))
    what = "the database"
    try:
        async with asyncio.timeout(STARTUP_CHECK_TIMEOUT_S):
            # A read that every SQLite file and PostgreSQL server answers: it proves the file
            # opens (and is a database) or the server accepts us.
            assert isinstance(engine, (SQLiteEngine, PostgresEngine))
            await engine._run_in_new_connection("SELECT 1")
            if need_schema and db.is_sqlite(engine):
                db.check_sqlite_writable(engine)
            if settings.redis_url:
                what = "Redis"
                await check_reachable(build_shared_state(settings.redis_url))
    except Exception as exc:
        if not db.is_storage_unavailable(exc) and not isinstance(exc, (ValueError, TimeoutError)):
            raise
        where = db.display_address(
            settings.redis_url if what == "Redis" and settings.redis_url else settings.database_url
        )
        raise StorageUnavailable(f"cannot use {what} at {where}: {db.describe_storage_error(exc)}") from None


def _cmd_migrate(args: argparse.Namespace) -> int:
    from prayerboard import db

    asyncio.run(_check_storage(Settings.from_env(), need_schema=False))
    try:
        asyncio.run(db.migrate(quiet=not args.verbose))
    except Exception as exc:
        if not db.is_storage_unavailable(exc):
            raise
        raise StorageUnavailable(f"cannot migrate the database: {db.describe_storage_error(exc)}") from None
    print("Database is up to date.")
    return 0


# Connections and requests a process holds open: each a named bound, so that half-sent or idle
# requests cannot pile up (docs/security.md, "Faults").
KEEP_ALIVE_TIMEOUT_S = 5  # an idle kept-alive connection is closed after this
# uvicorn has no timeout for reading a request's headers: its keep-alive timer stops at the first
# byte, and a new connection has none, so a client that sends half a request is held forever.
# RequestHeaderTimeoutProtocol closes such a connection after this long; a real browser sends
# its headers in one packet.
REQUEST_HEADER_TIMEOUT_S = 10
MAX_INCOMPLETE_REQUEST_BYTES = 64 * 1024  # h11's cap on a request's headers (httptools caps them itself)
# More open connections and requests than this get a 503 at once instead of queueing without end;
# far above what one process serves (a few hundred pages a second), far below file-handle limits.
MAX_CONCURRENT_CONNECTIONS = 500
GRACEFUL_SHUTDOWN_TIMEOUT_S = 10  # SIGTERM waits this long for requests in flight, then ends them


class RequestHeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with a deadline whenever a connection waits for request headers."""

    _header_deadline: asyncio.TimerHandle | None = None

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self._header_deadline = self.loop.call_later(REQUEST_HEADER_TIMEOUT_S, self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def on_headers_complete(self) -> None:
        self._disarm_header_deadline()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        waiting_for_next = not self.pipeline  # a pipelined request has already sent its headers
        super().on_response_complete()
        if waiting_for_next and not self.transport.is_closing():
            self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)


def _cmd_run(args: argparse.Namespace) -> int:
    import uvicorn

    settings = Settings.from_env()  # fail early, with a clear message, on a bad setting
    asyncio.run(_check_storage(settings))
    # Trust no proxy unless told: otherwise anyone who can reach the port from the trusted
    # address sets their own client address in X-Forwarded-For, and sign-in throttling with it.
    forwarded = os.environ.get("PRAYERBOARD_FORWARDED_ALLOW_IPS", "").strip()
    # A request to exactly this address may have a reset link made from it (services/recovery.py).
    os.environ["PRAYERBOARD_RUN_HOST"] = args.host
    # Mail written with no request at hand links here when no public address is set (mail.link_base).
    os.environ["PRAYERBOARD_RUN_PORT"] = str(args.port)
    print(f"prayerboard: serving on http://{args.host}:{args.port} ({args.workers} worker(s))", flush=True)
    uvicorn.run(
        "prayerboard.app:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=bool(forwarded),
        forwarded_allow_ips=forwarded or None,
        access_log=args.access_log,
        log_level="info",
        server_header=False,
        http=RequestHeaderTimeoutProtocol,
        timeout_keep_alive=KEEP_ALIVE_TIMEOUT_S,
        h11_max_incomplete_event_size=MAX_INCOMPLETE_REQUEST_BYTES,
        limit_concurrency=MAX_CONCURRENT_CONNECTIONS,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_TIMEOUT_S,
    )
    return 0


class PasswordsDiffer(Exception):
    """The password typed twice at a terminal was not the same both times."""


def _read_password() -> str:
    """The password from standard input: typed twice at a terminal, one line from a pipe."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password again: "):
            raise PasswordsDiffer()
        return first
    return sys.stdin.readline().rstrip("\n")


def _cmd_create_admin(args: argparse.Namespace) -> int:
    from prayerboard import db
    from prayerboard.forms import FormErrors, parse_registration
    from prayerboard.services import accounts, recovery

    async def promote() -> bool | None:
        """True or False (already one) for an existing member, None for a new name."""
        db.current_engine()
        try:
            return await recovery.promote_to_admin(args.username)
        except recovery.NoSuchMember:
            return None

    # A member who registered before anyone had shell access becomes the admin: no new account,
    # and their password and address stay as they are.
    promoted = asyncio.run(promote())
    if promoted is not None:
        print(
            f"{args.username} is {'now' if promoted else 'already'} an admin; their password and email are unchanged."
        )
        return 0
    try:
        password = _read_password()
    except PasswordsDiffer:
        print("password: The passwords do not match.", file=sys.stderr)
        return 2
    try:
        form = parse_registration(
            {
                "username": args.username,
                "display_name": args.display_name or args.username,
                "email": args.email,
                "password": password,
            }
        )
    except FormErrors as exc:
        for field, message in exc.errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        return 2

    async def create() -> None:
        db.current_engine()
        await accounts.register(form, role=Role.ADMIN)

    try:
        asyncio.run(create())
    except FormErrors as exc:
        for field, message in exc.errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        return 2
    print(f"Created admin {args.username}.")
    return 0


def _cmd_set_password(args: argparse.Namespace) -> int:
    from prayerboard import db
    from prayerboard.forms import FormErrors
    from prayerboard.services import recovery

    try:
        password = _read_password()
    except PasswordsDiffer:
        print("password: The passwords do not match.", file=sys.stderr)
        return 2

    async def apply() -> None:
        db.current_engine()
        await recovery.set_password(args.username, password)

    try:
        asyncio.run(apply())
    except recovery.NoSuchMember as exc:
        print(f"prayerboard: {exc.message}", file=sys.stderr)
        return 2
    except FormErrors as exc:
        print(f"password: {exc.errors['password']}", file=sys.stderr)
        return 2
    print(f"New password set for {args.username}; they are signed out everywhere.")
    return 0


def _cmd_archive(args: argparse.Namespace) -> int:
    from prayerboard import db
    from prayerboard.services import retention

    days = args.days if args.days is not None else Settings.from_env().archive_after_days

    async def archive() -> int:
        db.current_engine()
        count = await retention.archive_inactive(days)
        await _end_visitor_pages()
        return count

    count = asyncio.run(archive())
    print(f"Archived {count} request(s) with no activity for {days} days.")
    return 0


async def _end_visitor_pages() -> None:
    """Running servers stop serving visitor pages rendered before this command's change."""
    from prayerboard.stores import build_shared_state

    await build_shared_state(Settings.from_env().redis_url).generation.bump()


def _cmd_worker(args: argparse.Namespace) -> int:
    """Send the outbox's mail until SIGTERM or Ctrl-C, as each app process does by default."""
    import logging
    import signal

    from prayerboard import db
    from prayerboard.app import escape_every_log_line
    from prayerboard.services import mailings, outbox

    settings = Settings.from_env()
    asyncio.run(_check_storage(settings))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    escape_every_log_line()

    async def work() -> None:
        engine = db.configure(db.build_engine(settings.database_url, 1, 2))
        await db.start_pool(engine, 2)
        sender = asyncio.create_task(outbox.run_sender(settings, mailings.HOOKS))
        loop = asyncio.get_running_loop()
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(stop_signal, sender.cancel)
        try:
            await sender
        except asyncio.CancelledError:
            pass
        finally:
            await db.close_pool(engine)

    asyncio.run(work())
    print("prayerboard worker: stopped.", flush=True)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from prayerboard import demo

    async def generate() -> None:
        await demo.generate(
            members=args.members,
            posts=args.posts,
            seed=args.seed,
            alongside_real_members=args.alongside_real_members,
        )
        await _end_visitor_pages()

    try:
        asyncio.run(generate())
    except demo.DemoError as exc:
        print(f"prayerboard demo: {exc}", file=sys.stderr)
        return 2
    return 0


class BackupFailed(Exception):
    """The copy could not be made or did not check out; the message is one line."""


def _backup_sqlite(source: Path, destination: Path) -> None:
    """Copy a SQLite database that may be in use into ``destination``, all or nothing.

    SQLite's online backup copies every page in one step inside one read transaction, so the copy
    is the database as of one moment, while the board goes on writing (WAL: the reader blocks no
    one). It is written to a private temporary file beside ``destination``, checked with
    ``PRAGMA integrity_check``, flushed to disk and only then renamed into place, so an
    interrupted backup never leaves a half copy under the backup's name.
    """
    from prayerboard import db

    # mkstemp makes the file owner-only (0600): the copy holds everything the board holds.
    fd, temp_name = tempfile.mkstemp(dir=destination.parent, prefix=".prayerboard-backup-", suffix=".sqlite3")
    os.close(fd)
    try:
        reader = sqlite3.connect(source, timeout=db.SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            copy = sqlite3.connect(temp_name)
            try:
                reader.backup(copy)
                verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                copy.close()
        finally:
            reader.close()
        if verdict != "ok":
            raise BackupFailed(f"the copy does not check out ({verdict}); {destination} was not written")
        with open(temp_name, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temp_name, destination)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _cmd_backup(args: argparse.Namespace) -> int:
    """Copy the board's SQLite database while it runs; say where the secret key is."""
    settings = Settings.from_env()
    source = sqlite_path(settings.database_url)
    if source is None:
        print(
            "prayerboard backup: this board keeps its data in PostgreSQL; back it up with pg_dump "
            '(pg_dump --format=custom --file=prayerboard.dump "$PRAYERBOARD_DATABASE_URL"), and keep the secret key too',
            file=sys.stderr,
        )
        return 2
    # Settings.from_env makes an empty private file for the database (settings.make_private).
    if not source.is_file() or source.stat().st_size == 0:
        print(f"prayerboard backup: there is no database at {source} yet", file=sys.stderr)
        return 2
    destination = Path(args.destination).expanduser()
    if destination.is_dir():
        destination = destination / time.strftime("prayerboard-%Y%m%d-%H%M%S.sqlite3", time.gmtime())
    if destination.exists() and destination.resolve() == source.resolve():
        print("prayerboard backup: that is the board's own database; name another file", file=sys.stderr)
        return 2
    if destination.exists() and not args.force:
        print(f"prayerboard backup: {destination} already exists; pass --force to replace it", file=sys.stderr)
        return 2
    if not destination.parent.is_dir():
        print(f"prayerboard backup: there is no folder {destination.parent}", file=sys.stderr)
        return 2
    try:
        _backup_sqlite(source, destination)
    except (sqlite3.Error, OSError) as exc:
        print(f"prayerboard backup: cannot back up {source}: {exc}", file=sys.stderr)
        return 1
    except BackupFailed as exc:
        print(f"prayerboard backup: {exc}", file=sys.stderr)
        return 1
    print(f"Backed up {source} to {destination}.")
    if os.environ.get("PRAYERBOARD_SECRET_KEY", "").strip():
        where = "the PRAYERBOARD_SECRET_KEY setting"
    else:
        where = str(settings.data_dir / SECRET_KEY_FILE)
    print(
        f"Keep the secret key with it; it is not in the copy: {where}. Restored with another key the board works, "
        "but links already mailed (password resets, address confirmations, unsubscribes) and remembered "
        "devices stop working."
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prayerboard", description="A community board for prayer requests.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="serve the board")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    run.add_argument("--workers", type=int, default=1, help="app processes (share sessions via the database or Redis)")
    run.add_argument("--access-log", action="store_true", help="log every request")
    run.set_defaults(func=_cmd_run)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("--verbose", action="store_true")
    migrate.set_defaults(func=_cmd_migrate)

    admin = commands.add_parser(
        "create-admin",
        help="make an existing member an admin, or create one (the password is read from standard input)",
    )
    admin.add_argument("username")
    admin.add_argument("email")
    admin.add_argument("--display-name", default=None)
    admin.set_defaults(func=_cmd_create_admin)

    set_password = commands.add_parser(
        "set-password", help="set a member's password (read from standard input) and sign them out everywhere"
    )
    set_password.add_argument("username")
    set_password.set_defaults(func=_cmd_set_password)

    archive = commands.add_parser(
        "archive", help="archive requests with no recent activity (the server also does this hourly)"
    )
    archive.add_argument(
        "--days", type=int, default=None, help="days without activity (default PRAYERBOARD_ARCHIVE_AFTER_DAYS)"
    )
    archive.set_defaults(func=_cmd_archive)

    worker = commands.add_parser(
        "worker", help="send the outbox's mail (for sites that set PRAYERBOARD_MAIL_SENDER=off)"
    )
    worker.set_defaults(func=_cmd_worker)

    demo = commands.add_parser("demo", help="fill the board with realistic demo content")
    demo.add_argument("--members", type=int, default=50)
    demo.add_argument("--posts", type=int, default=500)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument(
        "--alongside-real-members",
        action="store_true",
        help="add to a board that has members the demo did not make (demo members then cannot sign in there)",
    )
    demo.set_defaults(func=_cmd_demo)

    backup = commands.add_parser(
        "backup", help="copy the SQLite database while the board runs (PostgreSQL: use pg_dump)"
    )
    backup.add_argument("destination", help="a file to write, or a folder to write a dated file in")
    backup.add_argument("--force", action="store_true", help="replace the file if it exists")
    backup.set_defaults(func=_cmd_backup)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SettingsError as exc:
        print(f"prayerboard: {exc}", file=sys.stderr)
        return 2
    except StorageUnavailable as exc:
        print(f"prayerboard: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
