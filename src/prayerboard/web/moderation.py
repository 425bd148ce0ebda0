"""The moderators' area under /mod (one guarded controller), roles and watched words, notifications.

Actions are looked up in the declared table (services/moderation/actions.py, docs/moderation.md):
an action the table does not know for this kind of item is a 404; one that does not apply to
the item as it is now is refused calmly on the item's page, with nothing changed.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import ClientException
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from prayerboard import mail
from prayerboard.auth import guard
from prayerboard.forms import FormErrors, clean_text, parse_body, parse_id
from prayerboard.policy import Actor
from prayerboard.services import posts, restrictions
from prayerboard.services.errors import NotFound
from prayerboard.services.moderation import actions, admin, log, perform, queue, safeguarding
from prayerboard.services.moderation.actions import Effect
from prayerboard.services.moderation.log import clean_reason
from prayerboard.services.moderation.perform import Content, NotApplicable
from prayerboard.vocab import Role, TargetKind
from prayerboard.web.common import board_name, path_id, read_form, render, require_member, see_other

FORM_ERROR_STATUS = 422
FLASH = "info"  # the category of every "done" message here: the plain note, as before
KINDS = {"posts": TargetKind.POST, "replies": TargetKind.REPLY, "members": TargetKind.MEMBER}


moderators_only = guard("moderate", "This area is for moderators.")
admins_only = guard("manage_roles", "This page is for admins.")


async def _number(kind: TargetKind, target_id: str) -> int:
    """The row id behind a moderation address: posts and replies by public id, members by id."""
    if kind == TargetKind.POST:
        return await posts.post_number(target_id)
    if kind == TargetKind.REPLY:
        return await posts.reply_number(None, target_id)
    return path_id(target_id)


async def _content(target_kind: str, target_id: str) -> tuple[TargetKind, int]:
    """A post or reply named in a moderation address; anything else (a member, an unknown kind) is a 404."""
    kind = KINDS.get(target_kind)
    if kind not in (TargetKind.POST, TargetKind.REPLY):
        raise NotFound()
    assert kind is not None
    return kind, await _number(kind, target_id)


def _item_address(kind: TargetKind, target_id: str) -> str:
    return f"/mod/{'posts' if kind == TargetKind.POST else 'replies'}/{target_id}"


async def _item_page(
    request: Request, actor: Actor, kind: TargetKind, number: int, status_code: int = 200, **context: Any
) -> Template:
    """A post's or reply's moderation page; a post's lists the restrictions on its author."""
    detail = await queue.item_detail(actor, kind, number)
    placed = await restrictions.on_post(actor, number) if kind == TargetKind.POST else []
    context = {"errors": {}, "values": {}, **context}
    return render(request, "mod/item.html", status_code, item=detail, restrictions=placed, **context)


async def _member_page(request: Request, actor: Actor, number: int, status_code: int = 200, **context: Any) -> Template:
    member = await queue.member_detail(actor, number)
    context = {"errors": {}, "values": {}, **context}
    return render(request, "mod/member.html", status_code, member=member, **context)


class ModerationController(Controller):
    path = "/mod"
    guards = [moderators_only]

    @get("", name="mod_queue")
    async def review_queue(self, request: Request) -> Template:
        show = queue.parse_filter(request.query_params.get("show"))
        page = await queue.queue_page(require_member(request), show)
        return render(request, "mod/queue.html", page=page, filters=queue.FILTERS)

    @post("/bulk", name="mod_bulk")
    async def bulk(self, request: Request) -> Redirect:
        """Approve, or dismiss the reports on, the queue items ticked; back to the queue."""
        actor = require_member(request)
        form = await request.form()
        if any(isinstance(value, UploadFile) for _, value in form.multi_items()):
            raise ClientException("The board does not accept files.")
        action = str(form.get("action") or "")
        show = queue.parse_filter(form.get("show"))
        back = f"/mod?show={show}" if show else "/mod"
        try:
            outcome = await queue.bulk(actor, action, [str(value) for value in form.getall("item", [])])
        except FormErrors as exc:
            flash(request, " ".join(exc.errors.values()), FLASH)
            return see_other(back)
        what = "approved" if action == "approve" else "with their reports dismissed"
        if outcome.done:
            flash(request, f"{outcome.done} item{'s' if outcome.done != 1 else ''} {what}. Each was logged.", FLASH)
        if outcome.refused:
            flash(request, "Left as they were: " + "; ".join(outcome.refused) + ".", FLASH)
        return see_other(back)

    @get("/log", name="mod_log")
    async def log(self, request: Request) -> Template:
        actor = require_member(request)
        params = request.query_params
        filters = {
            k: clean_text(params.get(k), multiline=False)[:64] or None for k in ("action", "moderator", "member")
        }
        # The filter offers the actions the log records; an address naming another finds nothing.
        choices = queue.log_actions(actor)
        entries = await log.log_entries(
            actor, action=filters["action"], moderator=filters["moderator"], member=filters["member"]
        )
        return render(request, "mod/log.html", entries=entries, filters=filters, action_choices=choices)

    @get("/{target_kind:str}/{target_id:str}", name="mod_item")
    async def item(self, request: Request, target_kind: FromPath[str], target_id: FromPath[str]) -> Template:
        actor = require_member(request)
        kind = KINDS.get(target_kind)
        if kind is None:
            raise NotFound()
        if kind == TargetKind.MEMBER:
            return await _member_page(request, actor, path_id(target_id))
        return await _item_page(request, actor, kind, await _number(kind, target_id))

    @post("/{target_kind:str}/{target_id:str}/confirm")
    async def confirm(self, request: Request, target_kind: FromPath[str], target_id: FromPath[str]) -> Template:
        """The page that asks before an action that is hard to undo (remove, suspend), for a
        browser without JavaScript; nothing is changed here. With JavaScript the item page asks
        in a dialog and posts the action itself."""
        actor = require_member(request)
        kind = KINDS.get(target_kind)
        raw = await read_form(request)
        declared = actions.lookup(str(raw.get("confirm_action") or ""), kind) if kind is not None else None
        if kind is None or declared is None or not declared.confirm:
            raise NotFound()
        number = await _number(kind, target_id)
        reason = clean_text(raw.get("reason"), multiline=True)[: log.REASON_MAX]
        if kind == TargetKind.MEMBER:
            await perform.check_member(actor, declared, number)
            member = await queue.member_detail(actor, number)
            return render(
                request,
                "mod/confirm.html",
                action=declared,
                question=declared.confirm_for(kind),
                what=f"{member.display_name} ({member.username})",
                base=f"/mod/members/{number}",
                values={"reason": reason},
                errors={},
            )
        try:
            await perform.check_content(actor, declared, kind, number)
        except NotApplicable as exc:
            return await _item_page(request, actor, kind, number, exc.status_code, errors={"action": exc.message})
        detail = await queue.item_detail(actor, kind, number)
        return render(
            request,
            "mod/confirm.html",
            action=declared,
            question=declared.confirm_for(kind),
            what=detail.title or detail.body,
            base=_item_address(kind, target_id),
            values={"reason": reason},
            errors={},
        )

    @post("/{target_kind:str}/{target_id:str}/{action:str}")
    async def act(
        self, request: Request, target_kind: FromPath[str], target_id: FromPath[str], action: FromPath[str]
    ) -> Template | Redirect:
        actor = require_member(request)
        kind = KINDS.get(target_kind)
        declared = actions.lookup(action, kind) if kind is not None else None
        if kind is None or declared is None:
            raise NotFound()
        number = await _number(kind, target_id)
        if kind == TargetKind.MEMBER:
            return await _act_on_member(request, actor, declared, number)
        raw: dict[str, Any] = {}
        try:
            # Forbidden, gone or not applicable: answered before the form is read for a reason.
            await perform.check_content(actor, declared, kind, number)
            raw = await read_form(request)
            redacting = declared.effect == Effect.REDACT
            sent = Content(
                reason=clean_reason(raw.get("reason"), required=declared.needs_reason),
                body=clean_text(raw.get("body"), multiline=True) if redacting else None,
                title=clean_text(raw.get("title"), multiline=False) if redacting else None,
                restriction=parse_id(raw.get("restriction")),
            )
            revealed = await perform.on_content(actor, declared, kind, number, sent)
        except FormErrors as exc:
            return await _item_page(
                request, actor, kind, number, FORM_ERROR_STATUS, errors=exc.errors, values=exc.values
            )
        except NotApplicable as exc:
            return await _item_page(request, actor, kind, number, exc.status_code, errors={"action": exc.message})
        if declared.effect == Effect.REVEAL:
            return await _item_page(request, actor, kind, number, revealed=revealed)
        if declared.effect in (Effect.RESTRICT_AUTHOR, Effect.LIFT_RESTRICTION):
            # The same answer for every author (docs/privacy.md, "Acting on an anonymous author").
            return see_other(f"/mod/posts/{target_id}")
        if declared.done:
            flash(request, declared.done_for(kind), FLASH)
        return see_other("/mod")

    # Safeguarding on an urgent report (docs/moderation.md, "Safeguarding"): each step is a POST
    # that the service checks with the policy and logs.

    @post("/{target_kind:str}/{target_id:str}/safeguarding/email")
    async def show_email(self, request: Request, target_kind: FromPath[str], target_id: FromPath[str]) -> Template:
        """A named author's address, on this answer only; refused for an anonymous author."""
        actor = require_member(request)
        kind, number = await _content(target_kind, target_id)
        try:
            shown = await safeguarding.show_email(actor, kind, number)
        except (safeguarding.NoUrgentReport, safeguarding.AuthorIsAnonymous) as exc:
            return await _item_page(request, actor, kind, number, exc.status_code, errors={"safeguarding": exc.message})
        return await _item_page(request, actor, kind, number, shown_email=shown)

    @post("/{target_kind:str}/{target_id:str}/safeguarding/write")
    async def write_to_author(
        self, request: Request, target_kind: FromPath[str], target_id: FromPath[str]
    ) -> Template | Redirect:
        """A message to the author, mailed by the board and signed by "the moderators"."""
        actor = require_member(request)
        kind, number = await _content(target_kind, target_id)
        settings = request.app.state.settings
        raw: dict[str, Any] = {}
        try:
            await safeguarding.check(actor, kind, number)
            raw = await read_form(request)
            message = safeguarding.clean_message(raw.get("message"))
            await safeguarding.write_to_author(
                actor, kind, number, message, board_name(request), mail.link_base(settings)
            )
        except FormErrors as exc:
            return await _item_page(
                request, actor, kind, number, FORM_ERROR_STATUS, errors=exc.errors, values={**raw, **exc.values}
            )
        except (safeguarding.NoUrgentReport, safeguarding.NoAddress) as exc:
            return await _item_page(
                request, actor, kind, number, exc.status_code, errors={"safeguarding": exc.message}, values=raw
            )
        flash(request, "Your message is on its way to the author, from “the moderators”. This was logged.", FLASH)
        return see_other(_item_address(kind, target_id))

    @post("/{target_kind:str}/{target_id:str}/safeguarding/reached-out")
    async def reached_out(
        self, request: Request, target_kind: FromPath[str], target_id: FromPath[str]
    ) -> Template | Redirect:
        """Record that this moderator reached out, with an optional note."""
        actor = require_member(request)
        kind, number = await _content(target_kind, target_id)
        raw: dict[str, Any] = {}
        try:
            await safeguarding.check(actor, kind, number)
            raw = await read_form(request)
            await safeguarding.mark_reached_out(actor, kind, number, safeguarding.clean_note(raw.get("note")))
        except FormErrors as exc:
            return await _item_page(
                request, actor, kind, number, FORM_ERROR_STATUS, errors=exc.errors, values={**raw, **exc.values}
            )
        except safeguarding.NoUrgentReport as exc:
            return await _item_page(request, actor, kind, number, exc.status_code, errors={"safeguarding": exc.message})
        flash(request, "Recorded: you reached out. This was logged.", FLASH)
        return see_other(_item_address(kind, target_id))

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
            raw = await read_form(request)
            await decision(actor, path_id(target_id), clean_reason(raw.get("reason"), required=action == "decline"))
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


async def _act_on_member(request: Request, actor: Actor, declared: actions.Action, number: int) -> Template | Redirect:
    """Silence, suspend or restore a member, or add a private note; back to their page."""
    raw: dict[str, Any] = {}
    try:
        await perform.check_member(actor, declared, number)
        raw = await read_form(request)
        if declared.effect == Effect.NOTE:
            await perform.on_member(actor, declared, number, "", parse_body(raw, label="Note"))
        else:
            reason = clean_reason(raw.get("reason"), required=declared.needs_reason)
            await perform.on_member(actor, declared, number, reason)
    except FormErrors as exc:
        return await _member_page(
            request, actor, number, FORM_ERROR_STATUS, errors=exc.errors, values={**raw, **exc.values}
        )
    flash(request, declared.done_for(TargetKind.MEMBER), FLASH)
    return see_other(f"/mod/members/{number}")


class RolesController(Controller):
    """Admins: roles and watched words."""

    path = "/admin"
    guards = [admins_only]

    @get("/roles", name="admin_roles")
    async def roles(self, request: Request) -> Template:
        search = clean_text(request.query_params.get("q"), multiline=False)[: admin.SEARCH_MAX]
        found = await admin.members_for_roles(require_member(request), search)
        return render(request, "admin/roles.html", found=found, search=search, roles=list(Role), errors={})

    @post("/roles/{member_id:str}")
    async def set_role(self, request: Request, member_id: FromPath[str]) -> Template | Redirect:
        actor = require_member(request)
        raw = await read_form(request)
        try:
            await admin.set_role(
                actor,
                path_id(member_id),
                clean_text(raw.get("role"), multiline=False),
                clean_reason(raw.get("reason"), required=False) or "role changed",
            )
        except FormErrors as exc:
            found = await admin.members_for_roles(actor)
            return render(
                request,
                "admin/roles.html",
                FORM_ERROR_STATUS,
                found=found,
                search="",
                roles=list(Role),
                errors=exc.errors,
            )
        flash(request, "Role changed.", FLASH)
        return see_other("/admin/roles")

    @get("/words", name="admin_words")
    async def words(self, request: Request) -> Template:
        words = await admin.watched_words(require_member(request))
        return render(request, "admin/words.html", words=words, errors={}, values={})

    @post("/words")
    async def add_word(self, request: Request) -> Template | Redirect:
        actor = require_member(request)
        raw = await read_form(request)
        try:
            await admin.add_watched_word(
                actor, clean_text(raw.get("word"), multiline=False), clean_text(raw.get("action"), multiline=False)
            )
        except FormErrors as exc:
            words = await admin.watched_words(actor)
            return render(
                request, "admin/words.html", FORM_ERROR_STATUS, words=words, errors=exc.errors, values=exc.values
            )
        return see_other("/admin/words")

    @post("/words/{word_id:str}/delete")
    async def delete_word(self, request: Request, word_id: FromPath[str]) -> Redirect:
        await admin.remove_watched_word(require_member(request), path_id(word_id))
        return see_other("/admin/words")
