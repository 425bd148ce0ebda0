"""The board, posts, updates, replies and "I'm praying"."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response, Template

from prayerboard.forms import FormErrors, checkbox, clean_text, parse_body, parse_post
from prayerboard.policy import Actor
from prayerboard.services import notifications, posts, retention
from prayerboard.services.moderation import reports
from prayerboard.vocab import PostKind
from prayerboard.web.common import (
    current_actor,
    read_form,
    render,
    render_page,
    require_member,
    see_other,
)

FORM_ERROR_STATUS = 422


def board_query_from_request(request: Request) -> posts.BoardQuery:
    """Filters from the query string; unknown values are ignored rather than refused."""
    params = request.query_params
    categories = request.app.state.settings.categories
    kind = params.get("kind")
    category = params.get("category")
    return posts.BoardQuery(
        kind=kind if kind in PostKind.values() else None,
        category=category if category in categories else None,
        answered=checkbox(params.get("answered")),
        before=params.get("before") or None,
        after=params.get("after") or None,
    )


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def _post_page_refusing(request: Request, actor: Actor, post_number: int, **form: Any) -> Template:
    """The post page again, with one of its forms (reply, update, report) showing what went wrong."""
    detail = await posts.post_detail(actor, post_number)
    following = await notifications.is_following(actor, post_number)
    context: dict[str, Any] = {"reply_values": {}, "reply_errors": {}, "following": following, **form}
    return render(request, "posts/show.html", FORM_ERROR_STATUS, post=detail, **context)


async def _flag(
    request: Request, target_kind: str, target_id: int, target_address: str, post_number: int, post_id: str
) -> Template | Redirect:
    """Report a post or a reply; ``*_id`` are row ids for the service, addresses for the page."""
    actor = require_member(request)
    raw = await read_form(request)
    try:
        await reports.flag(
            actor,
            target_kind,
            target_id,
            clean_text(raw.get("reason"), multiline=False),
            clean_text(raw.get("note"), multiline=True),
            request.app.state.rules,
        )
    except FormErrors as exc:
        return await _post_page_refusing(
            request, actor, post_number, flag_errors=exc.errors, flag_target=f"{target_kind}-{target_address}"
        )
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

    @post("", opt={"widens_only": True})
    async def create_post(self, request: Request) -> Template | Redirect:
        actor = require_member(request)
        raw = await read_form(request)
        try:
            post_id = await posts.create_post(
                actor, parse_post(raw, request.app.state.settings.categories), request.app.state.rules
            )
        except FormErrors as exc:
            return render(
                request,
                "posts/form.html",
                FORM_ERROR_STATUS,
                values=exc.values,
                errors=exc.errors,
                editing=None,
                names_hidden=await posts.names_hidden(actor),
            )
        return see_other(f"/posts/{post_id}")

    @get("/{post_id:str}", name="post")
    async def show_post(self, request: Request, post_id: FromPath[str]) -> Template | Response[str]:
        number = await posts.post_number(post_id)

        async def load() -> dict[str, Any]:
            actor = current_actor(request)
            detail = await posts.post_detail(actor, number)
            following = await notifications.is_following(actor, number)
            return {"post": detail, "reply_values": {}, "reply_errors": {}, "following": following}

        return await render_page(request, "posts/show.html", load)

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
            names_hidden=await posts.names_hidden(actor),
        )

    @post("/{post_id:str}/edit")
    async def edit_post(self, request: Request, post_id: FromPath[str]) -> Template | Redirect:
        actor = require_member(request)
        number = await posts.post_number(post_id)
        row = await posts.post_for_edit(actor, number)
        raw = await read_form(request)
        try:
            await posts.edit_post(actor, number, parse_post(raw, request.app.state.settings.categories))
        except FormErrors as exc:
            return render(
                request,
                "posts/form.html",
                FORM_ERROR_STATUS,
                values=exc.values,
                errors=exc.errors,
                editing=row,
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

    @post("/{post_id:str}/replies", opt={"widens_only": True})
    async def add_reply(self, request: Request, post_id: FromPath[str]) -> Template | Redirect:
        actor = require_member(request)
        number = await posts.post_number(post_id)
        raw = await read_form(request)
        try:
            reply_id = await posts.add_reply(actor, number, parse_body(raw), request.app.state.rules)
        except FormErrors as exc:
            return await _post_page_refusing(request, actor, number, reply_values=exc.values, reply_errors=exc.errors)
        return see_other(f"/posts/{post_id}#reply-{reply_id}")

    @get("/{post_id:str}/replies/{reply_id:str}/edit")
    async def edit_reply_form(self, request: Request, post_id: FromPath[str], reply_id: FromPath[str]) -> Template:
        actor = require_member(request)
        number = await posts.post_number(post_id)
        reply = await posts.reply_for_edit(actor, number, await posts.reply_number(number, reply_id))
        return render(
            request,
            "posts/reply_form.html",
            post_id=post_id,
            reply=reply,
            values={"body": reply.body},
            errors={},
            names_hidden=await posts.names_hidden(actor),
        )

    @post("/{post_id:str}/replies/{reply_id:str}/edit")
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
            return render(
                request,
                "posts/reply_form.html",
                FORM_ERROR_STATUS,
                post_id=post_id,
                reply=reply,
                values=exc.values,
                errors=exc.errors,
                names_hidden=await posts.names_hidden(actor),
            )
        return see_other(f"/posts/{post_id}#reply-{reply_id}")

    @post("/{post_id:str}/replies/{reply_id:str}/delete")
    async def delete_reply(self, request: Request, post_id: FromPath[str], reply_id: FromPath[str]) -> Redirect:
        actor = require_member(request)
        number = await posts.post_number(post_id)
        await posts.delete_reply(actor, number, await posts.reply_number(number, reply_id))
        return see_other(f"/posts/{post_id}#replies")

    @post("/{post_id:str}/updates")  # may narrow: an update on a redacted post sends it to review
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

    @post("/{post_id:str}/flag")
    async def flag_post(self, request: Request, post_id: FromPath[str]) -> Template | Redirect:
        number = await posts.post_number(post_id)
        return await _flag(request, "post", number, post_id, number, post_id)

    @post("/{post_id:str}/replies/{reply_id:str}/flag")
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
