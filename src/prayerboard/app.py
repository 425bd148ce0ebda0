"""create_app(settings): the Litestar application with its plugins, middleware and controllers."""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import re
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from litestar import Litestar, Request, Response
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import MutableScopeHeaders, ResponseHeader
from litestar.exceptions import HTTPException, PermissionDeniedException
from litestar.file_system import BaseLocalFileSystem
from litestar.middleware import ASGIMiddleware, DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.plugins.flash import FlashConfig, FlashPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, Receive, Scope, Send

from prayerboard import db, policy
from prayerboard.api.notifications import NotificationApiController
from prayerboard.api.openapi import OPENAPI_CONFIG
from prayerboard.api.posts import PostApiController
from prayerboard.auth import OUTSIDE_THE_BOARD, authentication_middleware, outside_the_board
from prayerboard.services import accounts, email_address, mailings, notifications, outbox, retention
from prayerboard.services import site as site_service
from prayerboard.services.errors import ServiceError, SignInRequired, Throttled
from prayerboard.services.moderation import queue as moderation_queue
from prayerboard.services.moderation.limits import ModerationRules
from prayerboard.services.site import BoardDefaults, SiteSettingsCache
from prayerboard.sessions import RotatingSessionConfig
from prayerboard.settings import Settings
from prayerboard.stores import DatabaseCounters, DatabaseStore, Generation, build_shared_state
from prayerboard.templating import configure_environment
from prayerboard.web.accounts import AccountController
from prayerboard.web.cache import VisitorPageCache
from prayerboard.web.common import MOD_WAITING_KEY, SITE_SETTINGS_KEY, UNREAD_KEY, BoardRequest, login_redirect, render
from prayerboard.web.email_address import EmailAddressController
from prayerboard.web.feed import atom_feed
from prayerboard.web.health import healthz, readyz
from prayerboard.web.invitations import JoiningController
from prayerboard.web.mail import MailChoicesController, UnsubscribeController
from prayerboard.web.members import MemberController
from prayerboard.web.moderation import ModerationController, RolesController
from prayerboard.web.notifications import FollowController, NotificationController
from prayerboard.web.posts import BoardController, PostController, keep_the_words
from prayerboard.web.robots import robots_txt
from prayerboard.web.search import search_page
from prayerboard.web.settings import AdminController, SettingsController

log = logging.getLogger("prayerboard")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_REQUEST_BODY_BYTES = 256 * 1024  # a 5,000-character post, percent-encoded, is well under this
SESSION_COOKIE = "prayerboard_session"
CSRF_COOKIE = "prayerboard_csrf"

# No inline script or style anywhere, so the policy can forbid both.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = [
    ResponseHeader(name="Content-Security-Policy", value=CONTENT_SECURITY_POLICY),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    # Same-origin only: the address of a page about someone's grief is never sent to other sites.
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
    ResponseHeader(name="X-Frame-Options", value="DENY"),
    ResponseHeader(name="Permissions-Policy", value="camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]

# ---------------------------------------------------------------------------------------------
# Every answer a calm one (docs/security.md): what holds for every request, whatever route it
# reaches or fails to reach.


class Board(Litestar):
    """The app, with what must hold for every request before routing and for every answer.

    - ``HEAD`` is answered wherever ``GET`` is: the request is served as a ``GET`` and the body
      dropped, so the status and headers are the very same (uptime monitors send ``HEAD``).
    - A client address that is not an IP address (a forged ``X-Forwarded-For`` from a trusted
      proxy) is read as "unknown", so no throttle key or log line carries attacker text.
    - Every answer carries the security headers: pages, error pages, redirects, static files, and
      answers that middleware gives without reaching a handler (CSRF refusals, members-only).
    """

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        client = scope.get("client")
        if head or (client and not _is_ip_address(client[0])):
            scope = dict(scope)  # the server's own scope (its access log) keeps what was asked
            if head:
                scope["method"] = "GET"
            if client and not _is_ip_address(client[0]):
                scope["client"] = (UNKNOWN_CLIENT, client[1])

        async def send_calmly(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for name, value in SECURITY_HEADER_VALUES:
                    if name not in headers:
                        headers[name] = value
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await super().__call__(scope, receive, send_calmly)


UNKNOWN_CLIENT = "unknown"


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


SECURITY_HEADER_VALUES = tuple((header.name, header.value or "") for header in SECURITY_HEADERS)


class TokenCheck(CSRFMiddleware):
    """Litestar's CSRF check, refusing (403) a token that is not ASCII text instead of failing.

    ``hmac.compare_digest`` raises on non-ASCII text, and a file part named ``_csrf_token`` is
    not text at all: both are simply a token that does not match.

    A member's post, reply, update or report refused for an expired token comes back as its
    form with the words typed and a fresh token, acting on nothing (``keep_the_words``).
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except PermissionDeniedException as refusal:
            if refusal.detail != TOKEN_REFUSED:
                raise
            request: Request = scope["litestar_app"].request_class(scope=scope, receive=receive)
            page = await keep_the_words(request)
            if page is None:
                raise
            await page.to_asgi_response(app=None, request=request)(scope, receive, send)

    def _decode_csrf_token(self, token: Any) -> str | None:
        if not isinstance(token, str) or not token.isascii():
            return None
        return super()._decode_csrf_token(token)


TOKEN_REFUSED = "CSRF token verification failed"  # the detail of Litestar's refusal of a token


class StaticFolder(BaseLocalFileSystem):
    """The static folder: a name that cannot be a file there is not found (404), not a 500.

    ``site.css/..`` (not a directory), an embedded NUL or an over-long name make the operating
    system refuse the name itself; Litestar would answer those 500.
    """

    async def info(self, path: Any, **kwargs: Any) -> Any:
        try:
            return await super().info(path, **kwargs)
        except ValueError as exc:  # "embedded null byte"
            raise FileNotFoundError(str(path)) from exc
        except OSError as exc:
            if exc.errno in NOT_A_FILE_NAME:
                raise FileNotFoundError(str(path)) from exc
            raise


NOT_A_FILE_NAME = frozenset({errno.ENOTDIR, errno.ENAMETOOLONG, errno.ELOOP, errno.EINVAL})

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators: anything that could
# end a log line or disguise one.
_LOG_UNSAFE_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_for_log(text: str) -> str:
    """``text`` with every control character written as an escape (``\\n``, ``\\x00``)."""
    return _LOG_UNSAFE_RE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _escape_value(value: Any) -> Any:
    return escape_for_log(value) if isinstance(value, str) else value


def _escaped_traceback(exc_info: Any) -> str:
    """A traceback whose frames read as usual and whose exception messages are escaped."""
    chunks = []
    for chunk in traceback.TracebackException(*exc_info[:3]).format():
        if chunk.startswith(("  File ", "Traceback (", "\nThe above exception", "\nDuring handling")):
            chunks.append(chunk)  # written by Python from the source, not from the request
        else:
            chunks.append(escape_for_log(chunk.removesuffix("\n")) + "\n")
    return "".join(chunks).removesuffix("\n")


def escape_log_record(record: logging.LogRecord) -> bool:
    """Log filter: a request cannot forge a log line (request paths and text reach log messages).

    Escapes the message and its arguments (uvicorn's access log formats its own arguments) and
    the exception's message; lines of the traceback stay as Python wrote them.
    """
    if isinstance(record.msg, str):
        record.msg = escape_for_log(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_escape_value(value) for value in record.args)
    elif isinstance(record.args, dict):
        record.args = {key: _escape_value(value) for key, value in record.args.items()}
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = _escaped_traceback(record.exc_info)
    return True


# Loggers whose records may carry request text: ours, the web framework's, the server's.
REQUEST_LOGGERS = ("prayerboard", "litestar", "uvicorn", "uvicorn.error", "uvicorn.access")


def escape_every_log_line() -> None:
    """Put ``escape_log_record`` on the loggers that write request text, and on every handler.

    On the loggers themselves, because the web framework replaces the root handler with its
    own queue handler when the app is built; a logger's filter sees each record it creates,
    whichever handler writes it.
    """
    for name in ("", *REQUEST_LOGGERS):
        logger = logging.getLogger(name)
        targets = [*logger.handlers, logger] if name else logger.handlers
        for target in targets:
            if escape_log_record not in target.filters:
                target.addFilter(escape_log_record)


ERROR_TITLES = {
    400: "That request could not be understood",
    401: "Please sign in",
    403: "You can't do that here",
    404: "We couldn't find that page",
    405: "That action isn't available here",
    409: "That conflicts with something",
    413: "That was too much to send at once",
    422: "Please check what you entered",
    429: "Please slow down a little",
    500: "Something went wrong on our side",
    503: "The board is resting for a moment",
}


def package_dir(name: str) -> Path:
    """``templates`` or ``static``: inside the installed package, or at the top of a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / name, here.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"cannot find the {name}/ directory next to {here}")


class BoardGate(ASGIMiddleware):
    """What the board does around every request once it knows who is asking (``request.user``).

    - On a members-only board, a visitor or a member waiting for approval gets no further than
      signing in, joining, and (waiting) their settings: ``_members_only_answer``.
    - A moderator's pages show how many items wait for review.
    - Pages for a signed-in member are never cached or indexed.
    - Visitor pages stay honest (docs/privacy.md, "Visitor pages"): every unsafe request sets a
      new shared visitor generation after its change commits and before its response starts,
      unless its route says it only widens what visitors see (``opt={"widens_only": True}``).
      Deny by default: a new route that forgets to say so costs one write, never a stale page.

    Paths outside the board (static files, health checks) pass straight through.
    """

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        return outside_the_board(scope["path"])

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        state = scope["app"].state
        actor: policy.Actor | None = scope.get("user")
        generation: str | None = None
        if actor is None or not actor.is_member:
            # One read of the shared generation serves the members-only check and the cache.
            generation = await state.visitor_cache.generation.current()
            site_settings = await state.site_settings.get(generation, known=True)
            if not policy.can(actor, "enter_board", site_settings) and not scope["path"].startswith(
                PENDING_PATHS if actor is not None else VISITOR_PATHS_ON_MEMBERS_ONLY_BOARD
            ):
                await _members_only_answer(scope, receive, send, pending=actor is not None)
                return
        else:
            site_settings = await state.site_settings.get()
        # The board's name, categories and limits as of this request (web/common.py).
        scope[SITE_SETTINGS_KEY] = site_settings  # type: ignore[literal-required]
        if actor is not None and actor.is_moderator and scope.get("method") == "GET":
            scope[MOD_WAITING_KEY] = await moderation_queue.waiting_count(actor)  # type: ignore[literal-required]
        if actor is not None and actor.is_member and scope.get("method") == "GET":
            scope[UNREAD_KEY] = await notifications.unread_count(actor)  # type: ignore[literal-required]
        unsafe = scope.get("method") not in SAFE_METHODS
        route_handler = scope.get("route_handler")
        narrows = unsafe and not (route_handler is not None and route_handler.opt.get("widens_only"))

        settled = [False]

        async def after_the_change() -> None:
            # Whatever this request changed, visitors of this process see it from now on; and
            # if it may have narrowed what visitors see, those of every process too.
            if settled[0]:
                return
            settled[0] = True
            state.visitor_cache.clear()
            if narrows:
                await state.visitor_cache.generation.bump()

        async def send_checked(message: Any) -> None:
            if message["type"] == "http.response.start":
                if unsafe and 400 <= message.get("status", 500) < 500:
                    # Refused (a form error, a stale token, a limit): nothing changed, so no write
                    # and no emptied cache; a stranger's refused posts cost the board nothing.
                    settled[0] = True
                elif unsafe:
                    await after_the_change()
                if actor is not None:
                    # Pages for a signed-in member may hold what others must not see: never
                    # cache them, never index them.
                    headers = MutableScopeHeaders.from_message(message)
                    headers["Cache-Control"] = "private, no-store"
                    headers["X-Robots-Tag"] = "noindex, nofollow"
                elif site_settings.hide_from_search_engines:
                    # The board setting, on by default: the feed and the API too, not only pages
                    # (docs/privacy.md, "Search engines").
                    MutableScopeHeaders.from_message(message)["X-Robots-Tag"] = "noindex, nofollow"
            await send(message)

        if actor is None and not unsafe:
            async with state.visitor_cache.visit(generation):
                await next_app(scope, receive, send_checked)
            return
        try:
            await next_app(scope, receive, send_checked)
        except (HTTPException, ServiceError) as refusal:
            # Answered further out; a refusal (4xx) changed nothing, as above.
            if 400 <= refusal.status_code < 500:
                settled[0] = True
            raise
        finally:
            if unsafe:  # no response was started (the client left): the change still counts
                await after_the_change()


# What a visitor may still reach on a members-only board: signing in, joining, a new password,
# a mailed unsubscribe link (it shows nothing of the board).
VISITOR_PATHS_ON_MEMBERS_ONLY_BOARD = ("/login", "/register", "/password/", "/mail/unsubscribe/", "/robots.txt")
# What a member waiting for approval may reach there: the notice, their settings (export and
# deletion included), signing out, a mailed unsubscribe link.
PENDING_PATHS = ("/join/waiting", "/settings", "/logout", "/login", "/register", "/mail/unsubscribe/")


async def _members_only_answer(scope: Scope, receive: Receive, send: Send, pending: bool = False) -> None:
    """Someone the members-only board does not admit: a JSON refusal for machines, a page for people.

    A visitor is sent to sign in; a member waiting for approval to the notice that says so.
    """
    path = scope["path"]
    if path.startswith(("/api/", "/schema", "/feed")):
        response: Response = Response(
            {"status_code": 403 if pending else 401, "detail": WAITING_MESSAGE if pending else MEMBERS_ONLY_MESSAGE},
            status_code=403 if pending else 401,
        )
    elif pending:
        response = Redirect("/join/waiting", status_code=303)
    else:
        query = scope.get("query_string", b"").decode("latin-1")
        target = path + ("?" + query if query and Request(scope, receive).method == "GET" else "")
        response = Redirect(f"/login?next={quote(target, safe='/')}", status_code=303)
    request: Request = Request(scope, receive)
    await response.to_asgi_response(app=None, request=request)(scope, receive, send)


MEMBERS_ONLY_MESSAGE = "This board is for signed-in members only."
WAITING_MESSAGE = "Your membership is waiting for a moderator's approval."


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/schema"))


def _error_response(
    request: Request, status_code: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    if _is_api(request) or "application/json" in request.headers.get("accept", "") and request.method != "GET":
        return Response({"status_code": status_code, "detail": message}, status_code=status_code, headers=headers)
    title = ERROR_TITLES.get(status_code, "Something went wrong")
    template: Template = render(
        request, "errors/error.html", status_code, title=title, message=message, code=status_code
    )
    if headers:
        template.headers.update(headers)
    return template


def handle_service_error(request: Request, exc: ServiceError) -> Response | Redirect:
    if isinstance(exc, SignInRequired) and not _is_api(request):
        return login_redirect(request)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Throttled) else None
    return _error_response(request, exc.status_code, exc.message, headers)


_HTTP_MESSAGES = {
    400: "Part of what was sent could not be read. Please go back and try again.",
    403: "This form has expired or came from somewhere else. Please reload the page and try again.",
    404: "It may have been removed, or it may not be shared with you.",
    405: "That address doesn't accept this kind of request.",
    413: "What you sent is larger than the board accepts. Please shorten it and try again.",
    429: "Too many requests. Please wait a little and try again.",
}


# What the web framework raises when a client goes away in the middle of sending a form.
CLIENT_LEFT_DETAIL = "client disconnected prematurely"


def handle_http_exception(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if exc.detail == CLIENT_LEFT_DETAIL:
        # Not our fault, and nobody is left to answer: one calm line, no traceback.
        log.info("client left while sending %s %s", request.method, request.url.path)
        return _error_response(request, 400, _HTTP_MESSAGES[400])
    if status >= 500:
        log.error("HTTP %s on %s %s: %s", status, request.method, request.url.path, exc.detail, exc_info=exc)
    message = _HTTP_MESSAGES.get(status, exc.detail if status < 500 else "Please try again in a moment.")
    return _error_response(request, status, message, dict(exc.headers) if exc.headers else None)


def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    try:
        return _error_response(request, 500, "We have been told about it. Please try again in a moment.")
    except Exception:  # the error page itself failed; answer plainly rather than not at all
        log.exception("error page failed to render")
        return Response("Something went wrong on our side.", status_code=500, media_type="text/plain")


STORAGE_UNAVAILABLE_MESSAGE = "The board cannot reach its storage just now. Please try again in a minute."
STORAGE_RETRY_AFTER_SECONDS = 30


def handle_storage_unavailable(request: Request, exc: Exception) -> Response:
    """The database or Redis is unreachable or cannot write: a calm 503, not a 500 (docs/security.md, "Faults")."""
    if not db.is_storage_unavailable(exc):
        return handle_unexpected(request, exc)
    log.error("storage unavailable on %s %s: %s", request.method, request.url.path, db.describe_storage_error(exc))
    return _error_response(request, 503, STORAGE_UNAVAILABLE_MESSAGE, {"Retry-After": str(STORAGE_RETRY_AFTER_SECONDS)})


HOUSEKEEPING_INTERVAL_SECONDS = 3600  # quiet requests are archived within an hour of their time


async def _housekeep(after_days: int, store: Any, generation: Generation) -> None:
    """Archive quiet requests, delete accounts never confirmed, drop expired sessions and counters.

    Several processes doing it at once is harmless: each step is one idempotent statement.
    """
    try:
        count = await retention.archive_inactive(after_days)
        if count:
            # Archived requests leave the board: no process may keep showing them to visitors.
            await generation.bump()
            log.info("archived %d request(s) with no activity for %d days", count, after_days)
        forgotten = await email_address.forget_unconfirmed()
        if forgotten:
            await generation.bump()  # their profiles are gone
            log.info(
                "deleted %d account(s) whose address was not confirmed within %d days",
                forgotten,
                email_address.UNCONFIRMED_KEPT_DAYS,
            )
        if isinstance(store, DatabaseStore):
            await store.delete_expired()
            await DatabaseCounters().delete_expired()
    except Exception:  # try again next time; the reason goes to the log
        log.exception("housekeeping failed")


async def _housekeep_hourly(after_days: int, store: Any, generation: Generation) -> None:
    while True:
        await asyncio.sleep(HOUSEKEEPING_INTERVAL_SECONDS)
        await _housekeep(after_days, store, generation)


# A load balancer or monitor probing these names the machine, not the board: they show nothing
# and build no links, so they answer whatever ``Host`` the probe sends.
HOST_CHECK_EXEMPT_PATHS = ["^/healthz$", "^/readyz$"]


def _allowed_hosts(settings: Settings) -> AllowedHostsConfig | None:
    """With a public address set, a request naming any other host is refused (400)."""
    hosts = settings.allowed_hosts()
    if hosts is None:
        return None
    return AllowedHostsConfig(allowed_hosts=hosts, exclude=HOST_CHECK_EXEMPT_PATHS, www_redirect=False)


async def _after_response(request: Request) -> None:
    outbox.after_commit()


STOP_WAIT_S = 5.0  # how long stopping waits for the background tasks to end


async def _announce_setup_code() -> None:
    """On a fresh board, tell whoever runs the server how to become its admin (the code is read
    from the database: docs/security.md, "The first member")."""
    code = await site_service.setup_code()
    if code:
        log.warning(
            "Nobody runs this board yet. To become its admin, join at /register and type the setup "
            "code %s (or run: prayerboard create-admin YOUR-USERNAME).",
            code,
        )


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the board for ``settings`` (read from the environment when not given)."""
    settings = settings or Settings.from_env()
    engine = db.configure(
        db.build_engine(settings.database_url, settings.sqlite_pool_size, settings.postgres_pool_size)
    )
    shared_state = build_shared_state(settings.redis_url)
    store, counters, generation = shared_state

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await db.start_pool(engine, settings.postgres_pool_size)
        # A process may start after the board changed under an older copy of itself: no page
        # kept anywhere from before this start may be served (and the generation exists).
        await generation.bump()
        await _housekeep(settings.archive_after_days, store, generation)  # once at start, then hourly
        await _announce_setup_code()
        housekeeper = asyncio.create_task(_housekeep_hourly(settings.archive_after_days, store, generation))
        # The outbox's sender, unless this site runs ``prayerboard worker`` instead (README, "Mail").
        sender = asyncio.create_task(outbox.run_sender(settings, mailings.HOOKS)) if settings.mail_sender else None
        try:
            yield
        finally:
            housekeeper.cancel()
            if sender is not None:
                sender.cancel()
            # Not for ever: a task stuck in a query on a database that went silent may not end
            # at once when cancelled, and the process must stop all the same.
            await asyncio.wait([task for task in (housekeeper, sender) if task is not None], timeout=STOP_WAIT_S)
            await db.close_pool(engine)

    template_config = TemplateConfig(
        directory=package_dir("templates"),
        engine=JinjaTemplateEngine,
        engine_callback=lambda engine_: configure_environment(engine_.engine, settings),
    )
    # One CSRF configuration: the check reads it, and sign-in and sign-out renew the token by it.
    csrf_config = CSRFConfig(
        secret=settings.secret_key,
        cookie_name=CSRF_COOKIE,
        cookie_secure=settings.secure_cookies,
        cookie_samesite="lax",
        header_name="x-csrftoken",
        exclude=["/healthz", "/readyz"],
    )
    session_config = RotatingSessionConfig(
        key=SESSION_COOKIE,
        store="sessions",
        max_age=settings.session_max_age_seconds,
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
        renew_on_access=True,
        # Static files and health checks read no session: a cookie costs no store read there.
        exclude=list(OUTSIDE_THE_BOARD),
    )
    app = Board(
        route_handlers=[
            BoardController,
            AccountController,
            PostController,
            PostApiController,
            NotificationApiController,
            search_page,
            MemberController,
            atom_feed,
            SettingsController,
            EmailAddressController,
            UnsubscribeController,
            MailChoicesController,
            AdminController,
            ModerationController,
            RolesController,
            NotificationController,
            FollowController,
            JoiningController,
            healthz,
            robots_txt,
            readyz,
            create_static_files_router(
                path="/static", directories=[package_dir("static")], name="static", file_system=StaticFolder()
            ),
        ],
        lifespan=[lifespan],
        # A message enqueued by a request is committed once its answer is sent: wake the sender.
        after_response=_after_response,
        middleware=[
            session_config.middleware,
            authentication_middleware(),
            BoardGate(),
            # Where Litestar's own CSRF check would sit (innermost), as ``TokenCheck``.
            DefineMiddleware(TokenCheck, config=csrf_config),
        ],
        stores={"sessions": store.with_namespace("sessions")},
        request_class=BoardRequest,
        template_config=template_config,
        plugins=[FlashPlugin(config=FlashConfig(template_config=template_config))],
        openapi_config=OPENAPI_CONFIG,
        # Out of the OpenAPI document unless a controller opts in: only the JSON API does, so
        # pages, forms, /mod and /admin are never described as JSON operations.
        include_in_schema=False,
        allowed_hosts=_allowed_hosts(settings),
        exception_handlers={
            ServiceError: handle_service_error,
            HTTPException: handle_http_exception,
            Exception: handle_unexpected,
            **{error_type: handle_storage_unavailable for error_type in db.storage_error_types()},
        },
        response_headers=SECURITY_HEADERS,
        request_max_body_size=MAX_REQUEST_BODY_BYTES,
        debug=False,
    )
    app.state.settings = settings
    app.state.csrf_config = csrf_config
    app.state.login_throttle = accounts.LoginThrottle(
        counters,
        per_account=settings.login_failures_per_account,
        per_address=settings.login_failures_per_address,
        window_seconds=settings.login_failure_window_seconds,
    )
    app.state.counters = counters
    app.state.shared_state = shared_state
    app.state.visitor_cache = VisitorPageCache(settings.visitor_cache_seconds, generation)
    # The environment's board name, categories and limits hold until an admin saves others.
    app.state.site_settings = SiteSettingsCache(generation, BoardDefaults.from_settings(settings))
    app.state.rules = ModerationRules(
        counters=counters,
        flag_threshold=settings.flag_threshold,
        approve_first_posts=settings.approve_first_posts,
        posts_per_hour=settings.posts_per_hour,
        replies_per_hour=settings.replies_per_hour,
        reports_per_hour=settings.reports_per_hour,
    )
    return app


def create_app_from_env() -> Litestar:
    """Factory for ``uvicorn --factory`` and for several worker processes."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    escape_every_log_line()
    app = create_app()
    escape_every_log_line()  # again: building the app may have replaced handlers
    return app


__all__ = ["create_app", "create_app_from_env", "policy"]
