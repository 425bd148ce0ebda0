"""The ``prayerboard`` command: run, migrate, create-admin, demo."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from prayerboard.settings import Settings, SettingsError


def _cmd_migrate(args: argparse.Namespace) -> int:
    from prayerboard import db

    asyncio.run(db.migrate(quiet=not args.verbose))
    print("Database is up to date.")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    import uvicorn

    Settings.from_env()  # fail early, with a clear message, on a bad setting
    forwarded = os.environ.get("PRAYERBOARD_FORWARDED_ALLOW_IPS", "127.0.0.1")
    print(f"prayerboard: serving on http://{args.host}:{args.port} ({args.workers} worker(s))", flush=True)
    uvicorn.run(
        "prayerboard.app:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        forwarded_allow_ips=forwarded,
        access_log=args.access_log,
        log_level="info",
        server_header=False,
    )
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password again: "):
            raise SystemExit("The passwords do not match.")
        return first
    return sys.stdin.readline().rstrip("\n")


def _cmd_create_admin(args: argparse.Namespace) -> int:
    from prayerboard import db
    from prayerboard.forms import FormErrors, parse_registration
    from prayerboard.services import accounts

    password = _read_password()
    try:
        form = parse_registration(
            {"username": args.username, "display_name": args.display_name or args.username, "email": args.email, "password": password}
        )
    except FormErrors as exc:
        for field, message in exc.errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        return 2

    async def create() -> None:
        db.current_engine()
        await accounts.register(form, role="admin")

    try:
        asyncio.run(create())
    except FormErrors as exc:
        for field, message in exc.errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        return 2
    print(f"Created admin {args.username}.")
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


def _cmd_demo(args: argparse.Namespace) -> int:
    from prayerboard import demo

    async def generate() -> None:
        await demo.generate(members=args.members, posts=args.posts, seed=args.seed)
        await _end_visitor_pages()

    try:
        asyncio.run(generate())
    except demo.DemoError as exc:
        print(f"prayerboard demo: {exc}", file=sys.stderr)
        return 2
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

    admin = commands.add_parser("create-admin", help="create an admin; the password is read from standard input")
    admin.add_argument("username")
    admin.add_argument("email")
    admin.add_argument("--display-name", default=None)
    admin.set_defaults(func=_cmd_create_admin)

    archive = commands.add_parser("archive", help="archive requests with no recent activity (the server also does this hourly)")
    archive.add_argument("--days", type=int, default=None, help="days without activity (default PRAYERBOARD_ARCHIVE_AFTER_DAYS)")
    archive.set_defaults(func=_cmd_archive)

    demo = commands.add_parser("demo", help="fill the board with realistic demo content")
    demo.add_argument("--members", type=int, default=50)
    demo.add_argument("--posts", type=int, default=500)
    demo.add_argument("--seed", type=int, default=7)
    demo.set_defaults(func=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SettingsError as exc:
        print(f"prayerboard: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
