"""What every page handler shares: who is asking, reading forms, rendering, redirecting."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from hmac import compare_digest
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from litestar import Request
from litestar.datastructures import Cookie, FormMultiDict, UploadFile
from litestar.enums import MediaType, RequestEncodingType
from litestar.exceptions import ClientException
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash, generate_csrf_token
from litestar.response import Redirect, Response, Template
from litestar.types import Empty
from litestar.utils.scope.state import ScopeState

# Who is asking lives in prayerboard.auth (the API reads it too); the pages import it from here.
from prayerboard.auth import current_actor
from prayerboard.auth import require_member as require_member
from prayerboard.forms import parse_id
from prayerboard.services.errors import NotFound
from prayerboard.services.moderation.limits import ModerationRules
from prayerboard.services.site import SiteSettings

MOD_WAITING_KEY = "prayerboard.mod_waiting"
# The site settings as of this request (services/site.py), put in the scope by the board's gate.
SITE_SETTINGS_KEY = "prayerboard.site_settings"
UNREAD_KEY = "prayerboard.unread_notifications"


UNREADABLE_FORM = "The form could not be read as text."


class BoardRequest(Request):
    """The app's request: a form that is not valid UTF-8 text is refused, never guessed at.

    Litestar reads ``%FF`` in a url-encoded form as U+FFFD (stored as mojibake) and fails on
    invalid UTF-8 in a multipart form; both are answered 400 here, the one place every form is
    read (the CSRF check reads it first, handlers after). See docs/security.md, "Every answer a
    calm one".
    """

    async def form(self) -> FormMultiDict:
        content_type, _ = self.content_type
        try:
            if content_type == RequestEncodingType.URL_ENCODED and self._connection_state.form is Empty:
                # Browsers percent-encode every byte outside ASCII; a raw one is refused too.
                text = (await self.body()).decode("ascii")
                pairs = parse_qsl(text, separator="&", encoding="utf-8", errors="strict")
                fields: dict[str, list[str]] = {}
                for key, value in pairs:
                    fields.setdefault(key, []).append(value)
                self._connection_state.form = {k: v if len(v) > 1 else v[0] for k, v in fields.items()}
            return await super().form()
        except (UnicodeDecodeError, LookupError) as exc:  # LookupError: a multipart part names an unknown charset
            raise ClientException(UNREADABLE_FORM) from exc


async def read_form(request: Request) -> dict[str, str]:
    """The submitted form as a flat dict of text (the last value wins for a repeated field).

    The board takes no uploads: a part sent as a file is refused (400), not read as
    "name - type".
    """
    form = await request.form()
    if any(isinstance(value, UploadFile) for _, value in form.multi_items()):
        raise ClientException("The board does not accept files.")
    return {key: value for key, value in form.items() if key != "_csrf_token"}


def client_address(request: Request) -> str:
    """The address the request came from, as limits count it ("unknown" when the server has none)."""
    return request.client.host if request.client else "unknown"


def path_id(value: str) -> int:
    """A post or reply id from the path; anything else is a 404, never a 500."""
    number = parse_id(value)
    if number is None:
        raise NotFound()
    return number


def safe_next(value: Any, default: str = "/") -> str:
    """A local path to return to, refusing anything that could lead to another site."""
    text = str(value or "")
    if not text.startswith("/") or text.startswith("//") or "\\" in text or any(ord(c) < 32 for c in text):
        return default
    return text


def login_redirect(request: Request) -> Redirect:
    """Send a visitor to sign in, then back to the page they were on."""
    if request.method == "GET":
        target = request.url.path + ("?" + request.url.query if request.url.query else "")
    else:
        # After signing in, a form post cannot be replayed; return to the page that held the form.
        referer = urlsplit(request.headers.get("referer", ""))
        same_site = referer.netloc == request.headers.get("host", "")
        target = safe_next(referer.path + ("?" + referer.query if referer.query else ""), "/") if same_site else "/"
    return Redirect(f"/login?next={quote(target, safe='/')}", status_code=303)


def see_other(path: str) -> Redirect:
    """Redirect after a POST, so a reload does not send the form again."""
    return Redirect(path, status_code=303)


def board_name(request: Request) -> str:
    """The board's name as of this request: the admin's choice, else the environment's."""
    site = request.scope.get(SITE_SETTINGS_KEY)
    name: str = site.board_name if isinstance(site, SiteSettings) else request.app.state.settings.board_name
    return name


async def site_settings(request: Request) -> SiteSettings:
    """The board's settings as of this request: the board's gate read them already, or read them now."""
    known = request.scope.get(SITE_SETTINGS_KEY)
    if isinstance(known, SiteSettings):
        return known
    current: SiteSettings = await request.app.state.site_settings.get()
    return current


async def moderation_rules(request: Request) -> ModerationRules:
    """Moderation's thresholds and limits as the admin set them, with the shared counters."""
    return (await site_settings(request)).rules(request.app.state.rules)


def _shared_context(request: Request, context: dict[str, Any]) -> dict[str, Any]:
    settings = request.app.state.settings
    site = request.scope.get(SITE_SETTINGS_KEY)
    context.setdefault("actor", current_actor(request))
    if isinstance(site, SiteSettings):
        context.setdefault("board_name", site.board_name)
        context.setdefault("categories", site.offered_categories)
        context.setdefault("filter_categories", site.known_categories)
        context.setdefault("hide_from_search_engines", site.hide_from_search_engines)
    else:
        context.setdefault("board_name", settings.board_name)
        context.setdefault("categories", settings.categories)
        context.setdefault("filter_categories", settings.categories)
        context.setdefault("hide_from_search_engines", True)
    context.setdefault("mod_waiting", request.scope.get(MOD_WAITING_KEY, 0))
    context.setdefault("unread_notifications", request.scope.get(UNREAD_KEY, 0))
    context.setdefault("flag_errors", {})
    context.setdefault("flag_target", None)
    # The page's <title> starts "Error: " while any of its forms shows a problem.
    context.setdefault("page_has_errors", any(context.get(key) for key in FORM_ERROR_KEYS))
    return context


# Where the forms' handlers put their messages: a form page, a post page's reply, update and report.
FORM_ERROR_KEYS = ("errors", "reply_errors", "update_errors", "flag_errors")


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Template:
    """Render a page with the shared context (who is asking, the board's settings)."""
    return Template(template_name=template, context=_shared_context(request, context), status_code=status_code)


async def render_page(
    request: Request, template: str, load_context: Callable[[], Awaitable[dict[str, Any]]]
) -> Template | Response[str]:
    """Render a page that visitors may be served from the visitor cache.

    ``load_context`` runs only when the page must be rendered; a signed-in member always gets
    a fresh rendering of their own.
    """
    if current_actor(request) is not None:
        return render(request, template, **(await load_context()))
    cache = request.app.state.visitor_cache
    key = f"{request.url.path}?{request.url.query}"
    html = cache.get(key)
    if html is None:
        context = _shared_context(request, await load_context())
        # A visitor's page carries no form token: nothing on it lets a visitor change anything.
        engine = request.app.template_engine
        assert engine is not None  # the app is always built with its templates
        html = engine.get_template(template).render(**context, request=request, csrf_input="")
        cache.put(key, html)
    return Response(html, media_type=MediaType.HTML)


def same_origin(request: Request) -> bool:
    """Whether an unsafe request says it came from the board's own pages (or says nothing).

    Browsers send ``Sec-Fetch-Site`` and ``Origin`` with a form; either naming another site
    means the request is not the member's own.
    """
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site != "same-origin":
        return False
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host", "")


def give_form_token(request: Request) -> Cookie | None:
    """A form token for the page being drawn after a refused token (the refusal drew none).

    The token already in the board's cookie when it is a real one (other open pages keep
    working); else a new one, returned as the cookie to send with the page.
    """
    config = request.app.state.csrf_config
    state = ScopeState.from_scope(request.scope)
    current = request.cookies.get(config.cookie_name)
    if current and current.isascii() and len(current) > CSRF_SECRET_LENGTH:
        secret, digest = current[:CSRF_SECRET_LENGTH], current[CSRF_SECRET_LENGTH:]
        if compare_digest(digest, generate_csrf_hash(token=secret, secret=config.secret)):
            state.csrf_token = current
            return None
    state.csrf_token = generate_csrf_token(secret=config.secret)
    return Cookie(
        key=config.cookie_name,
        value=state.csrf_token,
        path=config.cookie_path,
        secure=config.cookie_secure,
        samesite=config.cookie_samesite,
        httponly=config.cookie_httponly,
        domain=config.cookie_domain,
    )
