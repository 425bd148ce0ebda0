"""Who may join, for moderators: invitation links and applicants waiting for approval (under /mod)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from prayerboard.forms import FormErrors, clean_text, parse_id
from prayerboard.services import membership
from prayerboard.services.errors import NotFound
from prayerboard.services.moderation.log import clean_reason
from prayerboard.web.common import path_id, read_form, render, require_member, see_other
from prayerboard.web.moderation import FLASH, FORM_ERROR_STATUS, moderators_only


async def _invitations_page(request: Request, status_code: int = 200, **extra: object) -> Template:
    items = await membership.invitations(require_member(request))
    extra.setdefault("errors", {})
    extra.setdefault("values", {})
    extra.setdefault("new_link", None)
    return render(
        request,
        "mod/invitations.html",
        status_code,
        invitations=items,
        days=request.app.state.settings.invitation_days,
        **extra,
    )


class JoiningController(Controller):
    path = "/mod"
    guards = [moderators_only]

    @get("/invitations", name="mod_invitations")
    async def list_invitations(self, request: Request) -> Template:
        return await _invitations_page(request)

    @post("/invitations")
    async def create_invitation(self, request: Request) -> Template:
        actor = require_member(request)
        raw = await read_form(request)
        try:
            made = await membership.create_invitation(
                actor, clean_text(raw.get("note"), multiline=False), request.app.state.settings.invitation_days
            )
        except FormErrors as exc:
            return await _invitations_page(request, FORM_ERROR_STATUS, errors=exc.errors, values=exc.values)
        # The link is shown this once: only its hash is kept.
        link = f"{request.app.state.settings.base_url(str(request.base_url))}/register?invite={made.token}"
        return await _invitations_page(request, new_link=link, new_expires_at=made.expires_at)

    @post("/invitations/revoke")
    async def revoke_invitation(self, request: Request) -> Redirect:
        actor = require_member(request)
        raw = await read_form(request)
        number = parse_id(raw.get("invitation"))
        if number is None:
            raise NotFound()
        await membership.revoke_invitation(actor, number)
        flash(request, "The invitation is revoked.", FLASH)
        return see_other("/mod/invitations")

    @get("/applicants", name="mod_applicants")
    async def list_applicants(self, request: Request) -> Template:
        items = await membership.applicants(require_member(request))
        return render(request, "mod/applicants.html", applicants=items)

    @post("/applicants/{member_id:str}/approve")
    async def approve(self, request: Request, member_id: FromPath[str]) -> Redirect:
        raw = await read_form(request)
        await membership.approve_applicant(
            require_member(request), path_id(member_id), clean_reason(raw.get("reason"), required=False)
        )
        flash(request, "The applicant is approved.", FLASH)
        return see_other("/mod/applicants")

    @post("/applicants/{member_id:str}/decline")
    async def decline(self, request: Request, member_id: FromPath[str]) -> Redirect:
        raw = await read_form(request)
        await membership.decline_applicant(
            require_member(request), path_id(member_id), clean_reason(raw.get("reason"), required=False)
        )
        flash(request, "The applicant is declined.", FLASH)
        return see_other("/mod/applicants")
