"""The moderators' area under /mod (one guarded controller), roles and watched words, notifications."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Controller, Request, get, post
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath
from litestar.response import Redirect, Template

from prayerboard.forms import FormErrors, clean_text, parse_body, parse_id
from prayerboard.policy import Actor, can
from prayerboard.services import moderation, posts, restrictions
from prayerboard.services.errors import Forbidden, NotFound, SignInRequired
from prayerboard.web.common import current_actor, path_id, read_form, render, require_member, see_other

FORM_ERROR_STATUS = 422


def _guard(action: str, refusal: str) -> Callable[[ASGIConnection, BaseRouteHandler], None]:
    """A guard: visitors are sent to sign in, members without ``action`` are refused."""

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        actor = current_actor(connection)
        if actor is None:
            raise SignInRequired()
        if not can(actor, action):
            raise Forbidden(refusal)

    return guard


moderators_only = _guard("moderate", "This area is for moderators.")
admins_only = _guard("manage_roles", "This page is for admins.")


async def _reason(request: Request, required: bool = True) -> tuple[dict[str, Any], str]:
    raw = await read_form(request)
    return raw, moderation.clean_reason(raw.get("reason"), required=required)


async def _number(kind: str, target_id: str) -> int:
    """The row id behind a moderation address: posts and replies by public id, members by id."""
    if kind == "post":
        return await posts.post_number(target_id)
    if kind == "reply":
        return await posts.reply_number(None, target_id)
    return path_id(target_id)


async def _item_page(
    request: Request, actor: Actor, kind: str, number: int, status_code: int = 200, **context: Any
) -> Template:
    """A post's or reply's moderation page; a post's lists the restrictions on its author."""
    detail = await moderation.item_detail(actor, kind, number)
    placed = await restrictions.on_post(actor, number) if kind == "post" else []
    context = {"errors": {}, "values": {}, **context}
    return render(request, "mod/item.html", status_code, item=detail, restrictions=placed, **context)


class ModerationController(Controller):
    path = "/mod"
    guards = [moderators_only]

    @get("", name="mod_queue")
    async def review_queue(self, request: Request) -> Template:
        items = await moderation.queue(require_member(request))
        return render(request, "mod/queue.html", items=items, done=request.query_params.get("done"))

    @get("/log", name="mod_log")
    async def log(self, request: Request) -> Template:
        params = request.query_params
        filters = {
            k: clean_text(params.get(k), multiline=False)[:64] or None for k in ("action", "moderator", "member")
        }
        entries = await moderation.log_entries(require_member(request), **filters)
        return render(request, "mod/log.html", entries=entries, filters=filters)

    @get("/{target_kind:str}/{target_id:str}", name="mod_item")
    async def item(self, request: Request, target_kind: FromPath[str], target_id: FromPath[str]) -> Template:
        actor = require_member(request)
        if target_kind == "members":
            member = await moderation.member_detail(actor, path_id(target_id))
            return render(
                request, "mod/member.html", member=member, done=request.query_params.get("done"), errors={}, values={}
            )
        kind = {"posts": "post", "replies": "reply"}.get(target_kind)
        if kind is None:
            raise NotFound()
        return await _item_page(request, actor, kind, await _number(kind, target_id))

    @post("/{target_kind:str}/{target_id:str}/{action:str}")
    async def act(
        self, request: Request, target_kind: FromPath[str], target_id: FromPath[str], action: FromPath[str]
    ) -> Template | Redirect:
        actor = require_member(request)
        kind = {"posts": "post", "replies": "reply", "members": "member"}.get(target_kind)
        if kind is None:
            raise NotFound()
        number = await _number(kind, target_id)
        raw: dict[str, Any] = {}
        try:
            raw, reason = await _reason(
                request, required=action not in ("approve", "unhide", "dismiss", "unlock", "note")
            )
            if kind == "member":
                if action == "note":
                    await moderation.add_member_note(actor, number, parse_body(raw, label="Note"))
                else:
                    await moderation.act_on_member(actor, number, action, reason)
                return see_other(f"/mod/members/{number}?done={action}")
            if kind == "post" and action in restrictions.AUTHOR_ACTIONS:
                # One answer for every author (docs/privacy.md, "Acting on an anonymous author").
                await restrictions.restrict_author(actor, number, restrictions.AUTHOR_ACTIONS[action], reason)
                return see_other(f"/mod/posts/{target_id}")
            if kind == "post" and action == "lift":
                await restrictions.lift(actor, number, parse_id(raw.get("restriction")), reason)
                return see_other(f"/mod/posts/{target_id}")
            if kind == "post" and action == "reveal":
                revealed = await moderation.reveal_author(actor, number, reason)
                return await _item_page(request, actor, kind, number, revealed=revealed)
            new_body = clean_text(raw.get("body"), multiline=True) if action == "redact" else None
            new_title = clean_text(raw.get("title"), multiline=False) if action == "redact" else None
            await moderation.act_on_content(actor, kind, number, action, reason, new_body, new_title)
        except FormErrors as exc:
            if kind == "member":
                member = await moderation.member_detail(actor, number)
                return render(
                    request,
                    "mod/member.html",
                    FORM_ERROR_STATUS,
                    member=member,
                    done=None,
                    errors=exc.errors,
                    values={**raw, **exc.values},
                )
            return await _item_page(
                request, actor, kind, number, FORM_ERROR_STATUS, errors=exc.errors, values=exc.values
            )
        return see_other(f"/mod?done={action}")

    # Admins: restrictions a moderator placed on a moderator's or an admin's post wait here.

    @get("/restrictions", name="mod_restrictions", guards=[admins_only])
    async def waiting_restrictions(self, request: Request) -> Template:
        items = await restrictions.awaiting(require_member(request))
        return render(request, "mod/restrictions.html", items=items, errors={}, values={})

    @post("/restrictions/{target_id:str}/{action:str}", guards=[admins_only])
    async def decide_restriction(
        self, request: Request, target_id: FromPath[str], action: FromPath[str]
    ) -> Template | Redirect:
        actor = require_member(request)
        decision = {"confirm": restrictions.confirm, "decline": restrictions.decline}.get(action)
        if decision is None:
            raise NotFound()
        raw: dict[str, Any] = {}
        try:
            raw, reason = await _reason(request, required=action == "decline")
            await decision(actor, path_id(target_id), reason)
        except FormErrors as exc:
            items = await restrictions.awaiting(actor)
            return render(
                request,
                "mod/restrictions.html",
                FORM_ERROR_STATUS,
                items=items,
                errors=exc.errors,
                values={**raw, **exc.values, "restriction": target_id},
            )
        return see_other("/mod/restrictions")


class RolesController(Controller):
    """Admins: roles and watched words."""

    path = "/admin"
    guards = [admins_only]

    @get("/roles", name="admin_roles")
    async def roles(self, request: Request) -> Template:
        members = await moderation.members_for_roles(require_member(request))
        return render(request, "admin/roles.html", members=members, done=request.query_params.get("done"), errors={})

    @post("/roles/{member_id:str}")
    async def set_role(self, request: Request, member_id: FromPath[str]) -> Template | Redirect:
        actor = require_member(request)
        raw = await read_form(request)
        try:
            await moderation.set_role(
                actor,
                path_id(member_id),
                clean_text(raw.get("role"), multiline=False),
                moderation.clean_reason(raw.get("reason"), required=False) or "role changed",
            )
        except FormErrors as exc:
            members = await moderation.members_for_roles(actor)
            return render(request, "admin/roles.html", FORM_ERROR_STATUS, members=members, done=None, errors=exc.errors)
        return see_other("/admin/roles?done=1")

    @get("/words", name="admin_words")
    async def words(self, request: Request) -> Template:
        words = await moderation.watched_words(require_member(request))
        return render(request, "admin/words.html", words=words, errors={}, values={})

    @post("/words")
    async def add_word(self, request: Request) -> Template | Redirect:
        actor = require_member(request)
        raw = await read_form(request)
        try:
            await moderation.add_watched_word(
                actor, clean_text(raw.get("word"), multiline=False), clean_text(raw.get("action"), multiline=False)
            )
        except FormErrors as exc:
            words = await moderation.watched_words(actor)
            return render(
                request, "admin/words.html", FORM_ERROR_STATUS, words=words, errors=exc.errors, values=exc.values
            )
        return see_other("/admin/words")

    @post("/words/{word_id:str}/delete")
    async def delete_word(self, request: Request, word_id: FromPath[str]) -> Redirect:
        await moderation.remove_watched_word(require_member(request), path_id(word_id))
        return see_other("/admin/words")


class NotificationController(Controller):
    path = "/notifications"

    @get("", name="notifications")
    async def list(self, request: Request) -> Template:
        items = await moderation.notifications(require_member(request))
        return render(request, "notifications.html", notifications=items)
