"""The board, posts, updates, replies and "I'm praying".

Never lose a word (docs/architecture.md, "Drafts and refusals"): every refusal of the post,
reply, update and report forms (a form error, a watched word, an hourly limit, an expired form)
shows the form again with what was typed.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import ClientException
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response, Template

from prayerboard.forms import FormErrors, checkbox, clean_text, parse_body, parse_post
from prayerboard.policy import Actor
from prayerboard.rows import PostDetail, ReplyView
from prayerboard.services import notifications, posts, retention
from prayerboard.services.errors import Forbidden, NotFound, ServiceError, Throttled
from prayerboard.services.moderation import reports
from prayerboard.services.site import SiteSettings
from prayerboard.vocab import ModerationState, PostKind
from prayerboard.web.common import (
    SITE_SETTINGS_KEY,
    current_actor,
    give_form_token,
    login_redirect,
    moderation_rules,
    read_form,
    render,
    render_page,
    require_member,
    same_origin,
    see_other,
    site_settings,
)

FORM_ERROR_STATUS = 422
FORM_EXPIRED_STATUS = 403
FORM_EXPIRED = "This form had expired, so nothing was sent. Your words are still here: send again."
# A form-wide problem (a limit, an expired form) sits under this key; the page links it to the text.
WHOLE_FORM = "form"
# Routes whose form comes back with its words when its token has expired: ``keep_the_words``.
KEEPS_WORDS = "keeps_words"


def _slow_down(exc: Throttled) -> dict[str, str]:
    """An hourly limit, said over the form that was refused."""
    return {WHOLE_FORM: f"Please slow down a little. {exc.message} Your words are kept below."}


def _throttled(page: Template, exc: Throttled) -> Template:
    page.headers["Retry-After"] = str(exc.retry_after)
    return page


def _typed(raw: dict[str, str]) -> dict[str, str]:
    """What was typed into a refused form, cleaned as the form would clean it, to show again."""
    return {key: clean_text(value, multiline=True) for key, value in raw.items() if key != "password"}


def board_query_from_request(request: Request) -> posts.BoardQuery:
    """Filters from the query string; unknown values are ignored rather than refused."""
    params = request.query_params
    # Retired categories too: their old posts can still be found (services/site.py).
    site = request.scope.get(SITE_SETTINGS_KEY)
    categories = site.known_categories if isinstance(site, SiteSettings) else request.app.state.settings.categories
    kind = params.get("kind")
    category = params.get("category")
    return posts.BoardQuery(
        kind=kind if kind in PostKind.values() else None,
        category=category if category in categories else None,
        answered=checkbox(params.get("answered")),
        before=params.get("before") or None,
        after=params.get("after") or None,
    )


async def _categories_for_edit(request: Request, current: str) -> tuple[str, ...]:
    """The categories a post may be edited into: those offered, and the one it has (retired or not)."""
    offered = (await site_settings(request)).offered_categories
    return offered if current in offered else (*offered, current)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def _post_page_refusing(
    request: Request,
    actor: Actor,
    post_number: int,
    status_code: int = FORM_ERROR_STATUS,
    detail: PostDetail | None = None,
    **form: Any,
) -> Template:
    """The post page again, with one of its forms (reply, update, report) showing what went wrong."""
    detail = detail or await posts.post_detail(actor, post_number)
    following = await notifications.is_following(actor, post_number)
    context: dict[str, Any] = {"reply_values": {}, "reply_errors": {}, "following": following, **form}
    return render(request, "posts/show.html", status_code, post=detail, **context)


async def _post_form(
    request: Request,
    actor: Actor,
    status_code: int,
    values: dict[str, Any],
    errors: dict[str, str],
    editing: Any,
    **context: Any,
) -> Template:
    """The post form (new or edit), showing what was typed and what went wrong."""
    return render(
        request,
        "posts/form.html",
        status_code,
        values=values,
        errors=errors,
        editing=editing,
        names_hidden=await posts.names_hidden(actor),
        **context,
    )


async def _reply_form(
    request: Request,
    actor: Actor,
    status_code: int,
    post_id: str,
    reply: Any,
    values: dict[str, Any],
    errors: dict[str, str],
) -> Template:
    """The page that edits a reply, showing what was typed and what went wrong."""
    return render(
        request,
        "posts/reply_form.html",
        status_code,
        post_id=post_id,
        reply=reply,
        values=values,
        errors=errors,
        names_hidden=await posts.names_hidden(actor),
    )


def _flag_target(request: Request) -> str:
    params = request.path_params
    return f"reply-{params['reply_id']}" if "reply_id" in params else f"post-{params['post_id']}"


async def _form_again(request: Request, actor: Actor, form: str, raw: dict[str, str]) -> Template:
    """The form ``form`` (a route's ``keeps_words``) again with ``raw`` and an expired form's message.

    Reads only what is needed to draw the page, with the same checks as drawing it afresh (the
    post must be one the member may see, the post or reply one they may edit); acts on nothing.
    """
    typed = _typed(raw)
    errors = {WHOLE_FORM: FORM_EXPIRED}
    status = FORM_EXPIRED_STATUS
    if form == "new_post":
        return await _post_form(request, actor, status, typed, errors, None)
    number = await posts.post_number(str(request.path_params["post_id"]))
    if form == "edit_post":
        row = await posts.post_for_edit(actor, number)
        categories = await _categories_for_edit(request, row.category)
        return await _post_form(request, actor, status, typed, errors, row, categories=categories)
    if form == "edit_reply":
        reply_id = str(request.path_params["reply_id"])
        reply = await posts.reply_for_edit(actor, number, await posts.reply_number(number, reply_id))
        return await _reply_form(request, actor, status, request.path_params["post_id"], reply, typed, errors)
    detail = await posts.post_detail(actor, number)
    if not _page_shows_form(detail, form, request.path_params.get("reply_id")):
        raise Forbidden()  # the page would not show the form, nor the words: the plain refusal
    if form == "reply":
        return await _post_page_refusing(
            request, actor, number, status, detail, reply_values=typed, reply_errors=errors
        )
    if form == "update":
        return await _post_page_refusing(
            request, actor, number, status, detail, update_values=typed, update_errors=errors
        )
    return await _post_page_refusing(
        request, actor, number, status, detail, flag_errors=errors, flag_values=typed, flag_target=_flag_target(request)
    )


def _page_shows_form(detail: PostDetail, form: str, reply_id: str | None) -> bool:
    """Whether the post page offers this member ``form`` (as templates/posts/show.html decides)."""
    if form == "reply":
        return detail.may("reply")
    if form == "update":
        return detail.may("add_update")
    if form != "flag":
        return False
    item: PostDetail | ReplyView | None = detail
    if reply_id is not None:
        item = next((reply for reply in detail.replies if reply.public_id == reply_id), None)
    return item is not None and item.may("flag") and item.moderation == ModerationState.VISIBLE


async def keep_the_words(request: Request) -> Template | None:
    """A post, reply, update or report refused for its expired form token: the form again, with
    what was typed and a fresh token, so nothing typed is lost; None for any other refusal.

    Nothing in the refused request is acted on. Only a signed-in member's request from the
    board's own pages gets its form back: a request from another site (it carries no session
    cookie, which is SameSite=Lax, and says where it came from) gets the plain refusal, so no
    other site can put words into a member's form.
    """
    route = request.scope.get("route_handler")
    form = route.opt.get(KEEPS_WORDS) if route is not None else None
    actor = current_actor(request)
    if request.method != "POST" or not form or actor is None or not actor.is_member or not same_origin(request):
        return None
    try:
        raw = await read_form(request)
        cookie = give_form_token(request)
        page = await _form_again(request, actor, str(form), raw)
    except (ServiceError, ClientException):  # the post is gone, or the form unreadable: the plain refusal
        return None
    if cookie is not None:
        page.set_cookie(cookie)
    return page


async def _flag(
    request: Request, target_kind: str, target_id: int, target_address: str, post_number: int, post_id: str
) -> Template | Redirect:
    """Report a post or a reply; ``*_id`` are row ids for the service, addresses for the page."""
    actor = require_member(request)
    raw = await read_form(request)
    refused: dict[str, Any] = {"flag_values": _typed(raw), "flag_target": f"{target_kind}-{target_address}"}
    try:
        await reports.flag(
            actor,
            target_kind,
            target_id,
            clean_text(raw.get("reason"), multiline=False),
            clean_text(raw.get("note"), multiline=True),
            await moderation_rules(request),
        )
    except FormErrors as exc:
        return await _post_page_refusing(request, actor, post_number, flag_errors=exc.errors, **refused)
    except Throttled as exc:
        page = await _post_page_refusing(
            request, actor, post_number, exc.status_code, flag_errors=_slow_down(exc), **refused
        )
        return _throttled(page, exc)
    flash(request, "Thank you. A moderator will look at your report.", category="info")
    return see_other(f"/posts/{post_id}")


class BoardController(Controller):
    @get("/", name="board")
    async def board(self, request: Request) -> Template | Response[str]:
        async def load() -> dict[str, Any]:
            query = board_query_from_request(request)
            page = await posts.board(current_actor(request), query, request.app.state.settings.page_size)
            return {"page": page, "query": page.query}

        return await render_page(request, "board/index.html", load)


class PostController(Controller):
    path = "/posts"

    @get("/new", name="new_post")
    async def new_post_form(self, request: Request) -> Template:
        actor = require_member(request)
        defaults = await posts.post_defaults(actor)
        return render(
            request,
            "posts/form.html",
            values=defaults,
            errors={},
            editing=None,
            names_hidden=await posts.names_hidden(actor),
        )

    @post("", opt={"widens_only": True, KEEPS_WORDS: "new_post"})
    async def create_post(self, request: Request) -> Template | Redirect:
        actor = require_member(request)
        raw = await read_form(request)
        try:
            site = await site_settings(request)
            post_id = await posts.create_post(
                actor, parse_post(raw, site.offered_categories), site.rules(request.app.state.rules)
            )
        except FormErrors as exc:
            return await _post_form(request, actor, FORM_ERROR_STATUS, exc.values, exc.errors, None)
        except Throttled as exc:
            page = await _post_form(request, actor, exc.status_code, _typed(raw), _slow_down(exc), None)
            return _throttled(page, exc)
        return see_other(f"/posts/{post_id}")

    @get("/{post_id:str}", name="post")
    async def show_post(self, request: Request, post_id: FromPath[str]) -> Template | Response[str] | Redirect:
        async def load() -> dict[str, Any]:
            actor = current_actor(request)
            detail = await posts.post_detail(actor, number)
            following = await notifications.is_following(actor, number)
            return {"post": detail, "reply_values": {}, "reply_errors": {}, "following": following}

        try:
            number = await posts.post_number(post_id)
            return await render_page(request, "posts/show.html", load)
        except NotFound:
            if current_actor(request) is not None:
                raise
            # A visitor is asked to sign in, then lands on the post if they may read it; the
            # same answer for an address no post has (docs/privacy.md, "Ids").
            return login_redirect(request)

    @get("/{post_id:str}/edit")
    async def edit_post_form(self, request: Request, post_id: FromPath[str]) -> Template:
        actor = require_member(request)
        row = await posts.post_for_edit(actor, await posts.post_number(post_id))
        return render(
            request,
            "posts/form.html",
            values=posts.post_values(row),
            errors={},
            editing=row,
            categories=await _categories_for_edit(request, row.category),
            names_hidden=await posts.names_hidden(actor),
        )

    @post("/{post_id:str}/edit", opt={KEEPS_WORDS: "edit_post"})
    async def edit_post(self, request: Request, post_id: FromPath[str]) -> Template | Redirect:
        actor = require_member(request)
        number = await posts.post_number(post_id)
        row = await posts.post_for_edit(actor, number)
        raw = await read_form(request)
        try:
            categories = await _categories_for_edit(request, row.category)
            await posts.edit_post(actor, number, parse_post(raw, categories))
        except FormErrors as exc:
            return render(
                request,
                "posts/form.html",
                FORM_ERROR_STATUS,
                values=exc.values,
                errors=exc.errors,
                editing=row,
                categories=categories,
                names_hidden=await posts.names_hidden(actor),
            )
        return see_other(f"/posts/{post_id}")

    @post("/{post_id:str}/delete")
    async def delete_post(self, request: Request, post_id: FromPath[str]) -> Redirect:
        actor = require_member(request)
        await posts.delete_post(actor, await posts.post_number(post_id))
        return see_other("/")

    @post("/{post_id:str}/pray", status_code=200, opt={"widens_only": True})
    async def pray(self, request: Request, post_id: FromPath[str]) -> Response[dict[str, Any]] | Redirect:
        actor = require_member(request)
        number = await posts.post_number(post_id)
        state = await posts.toggle_prayer(actor, number)
        if _wants_json(request):
            return Response({"praying": state.praying, "praying_count": state.count})
        raw = await read_form(request)
        back = raw.get("back")
        return see_other(f"/#post-{post_id}" if back == "board" else f"/posts/{post_id}#pray")

    @post("/{post_id:str}/replies", opt={"widens_only": True, KEEPS_WORDS: "reply"})
    async def add_reply(self, request: Request, post_id: FromPath[str]) -> Template | Redirect:
        actor = require_member(request)
        number = await posts.post_number(post_id)
        raw = await read_form(request)
        try:
            reply_id = await posts.add_reply(actor, number, parse_body(raw), await moderation_rules(request))
        except FormErrors as exc:
            return await _post_page_refusing(request, actor, number, reply_values=exc.values, reply_errors=exc.errors)
        except Throttled as exc:
            page = await _post_page_refusing(
                request, actor, number, exc.status_code, reply_values=_typed(raw), reply_errors=_slow_down(exc)
            )
            return _throttled(page, exc)
        return see_other(f"/posts/{post_id}#reply-{reply_id}")

    @get("/{post_id:str}/replies/{reply_id:str}/edit")
    async def edit_reply_form(self, request: Request, post_id: FromPath[str], reply_id: FromPath[str]) -> Template:
        actor = require_member(request)
        number = await posts.post_number(post_id)
        reply = await posts.reply_for_edit(actor, number, await posts.reply_number(number, reply_id))
        return await _reply_form(request, actor, 200, post_id, reply, {"body": reply.body}, {})

    @post("/{post_id:str}/replies/{reply_id:str}/edit", opt={KEEPS_WORDS: "edit_reply"})
    async def edit_reply(
        self, request: Request, post_id: FromPath[str], reply_id: FromPath[str]
    ) -> Template | Redirect:
        actor = require_member(request)
        number = await posts.post_number(post_id)
        reply_number = await posts.reply_number(number, reply_id)
        reply = await posts.reply_for_edit(actor, number, reply_number)
        raw = await read_form(request)
        try:
            await posts.edit_reply(actor, number, reply_number, parse_body(raw))
        except FormErrors as exc:
            return await _reply_form(request, actor, FORM_ERROR_STATUS, post_id, reply, exc.values, exc.errors)
        return see_other(f"/posts/{post_id}#reply-{reply_id}")

    @post("/{post_id:str}/replies/{reply_id:str}/delete")
    async def delete_reply(self, request: Request, post_id: FromPath[str], reply_id: FromPath[str]) -> Redirect:
        actor = require_member(request)
        number = await posts.post_number(post_id)
        await posts.delete_reply(actor, number, await posts.reply_number(number, reply_id))
        return see_other(f"/posts/{post_id}#replies")

    # May narrow: an update on a redacted post sends it to review.
    @post("/{post_id:str}/updates", opt={KEEPS_WORDS: "update"})
    async def add_update(self, request: Request, post_id: FromPath[str]) -> Template | Redirect:
        actor = require_member(request)
        number = await posts.post_number(post_id)
        raw = await read_form(request)
        try:
            await posts.add_update(
                actor, number, parse_body(raw, label="Your update", missing="Please write your update first.")
            )
        except FormErrors as exc:
            return await _post_page_refusing(request, actor, number, update_values=exc.values, update_errors=exc.errors)
        return see_other(f"/posts/{post_id}#updates")

    @post("/{post_id:str}/renew")
    async def renew(self, request: Request, post_id: FromPath[str]) -> Redirect:
        actor = require_member(request)
        number = await posts.post_number(post_id)
        await retention.renew_post(actor, number)
        return see_other(f"/posts/{post_id}")

    @post("/{post_id:str}/flag", opt={KEEPS_WORDS: "flag"})
    async def flag_post(self, request: Request, post_id: FromPath[str]) -> Template | Redirect:
        number = await posts.post_number(post_id)
        return await _flag(request, "post", number, post_id, number, post_id)

    @post("/{post_id:str}/replies/{reply_id:str}/flag", opt={KEEPS_WORDS: "flag"})
    async def flag_reply(
        self, request: Request, post_id: FromPath[str], reply_id: FromPath[str]
    ) -> Template | Redirect:
        number = await posts.post_number(post_id)
        return await _flag(request, "reply", await posts.reply_number(number, reply_id), reply_id, number, post_id)

    @post("/{post_id:str}/answered")
    async def mark_answered(self, request: Request, post_id: FromPath[str]) -> Redirect:
        actor = require_member(request)
        number = await posts.post_number(post_id)
        await posts.mark_answered(actor, number)
        return see_other(f"/posts/{post_id}")
