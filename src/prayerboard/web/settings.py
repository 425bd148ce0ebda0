"""A member's settings: privacy defaults, "hide my name", their data, deleting the account."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response, Template

from prayerboard.auth import guard, signed_in
from prayerboard.forms import FormErrors, checkbox, clean_text
from prayerboard.policy import Actor
from prayerboard.services import privacy, site
from prayerboard.web.common import read_form, render, see_other

FORM_ERROR_STATUS = 422
# Behind ``signed_in`` or an admin guard, ``request.user`` is the member (never None).
MemberRequest = Request[Actor, None, Any]

DEFAULTS_SAVED = "Your privacy defaults are saved."
TAKING_PART_SAVED = "Saved: how you take part."
NAME_HIDDEN = (
    "Your name is now hidden on everything you have written, and on everything you write until you show it again."
)
NAME_SHOWN = (
    "Your name is shown again where it was before. What you wrote or changed while it was hidden stays anonymous."
)
SITE_SETTINGS_SAVED = "Saved."
ADMINS_ONLY = "Only an admin can change the board's settings."


def _saved(request: MemberRequest, message: str, path: str) -> Redirect:
    """Say ``message`` once, on the page the member is sent back to."""
    flash(request, message, category="info")
    return see_other(path)


async def _settings_page(request: MemberRequest, status_code: int = 200, **extra: Any) -> Template:
    current = await privacy.privacy_settings(request.user)
    extra.setdefault("errors", {})
    extra.setdefault("values", {})
    return render(request, "settings/index.html", status_code, settings=current, **extra)


class SettingsController(Controller):
    path = "/settings"
    guards = [signed_in]

    @get("", name="settings")
    async def show(self, request: MemberRequest) -> Template:
        return await _settings_page(request)

    @post("")
    async def save_defaults(self, request: MemberRequest) -> Template | Redirect:
        raw = await read_form(request)
        try:
            await privacy.update_defaults(
                request.user,
                clean_text(raw.get("default_visibility"), multiline=False),
                checkbox(raw.get("default_anonymous")),
            )
        except FormErrors as exc:
            return await _settings_page(request, FORM_ERROR_STATUS, errors=exc.errors)
        return _saved(request, DEFAULTS_SAVED, "/settings")

    @post("/taking-part")
    async def save_taking_part(self, request: MemberRequest) -> Redirect:
        raw = await read_form(request)
        await privacy.update_taking_part(
            request.user, checkbox(raw.get("follow_when_taking_part")), checkbox(raw.get("show_name_when_praying"))
        )
        return _saved(request, TAKING_PART_SAVED, "/settings")

    @post("/hide-name")
    async def hide_name(self, request: MemberRequest) -> Redirect:
        await privacy.hide_my_name(request.user)
        return _saved(request, NAME_HIDDEN, "/settings")

    @post("/show-name")
    async def show_name(self, request: MemberRequest) -> Redirect:
        await privacy.show_my_name(request.user)
        return _saved(request, NAME_SHOWN, "/settings")

    @get("/export")
    async def export(self, request: MemberRequest) -> Response[dict[str, Any]]:
        actor = request.user
        data = await privacy.export_data(actor)
        filename = f"prayerboard-{actor.username}-{dt.date.today().isoformat()}.json"
        return Response(
            data,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @post("/delete")
    async def delete(self, request: MemberRequest) -> Template | Redirect:
        raw = await read_form(request)
        try:
            await privacy.delete_account(
                request.user, str(raw.get("password") or ""), clean_text(raw.get("content"), multiline=False)
            )
        except FormErrors as exc:
            return await _settings_page(request, FORM_ERROR_STATUS, errors=exc.errors, values=exc.values)
        request.clear_session()
        return see_other("/?account=deleted")


class AdminController(Controller):
    """Site settings, for admins."""

    path = "/admin"
    guards = [guard("manage_site", ADMINS_ONLY)]

    @get("/settings", name="admin_settings")
    async def show(self, request: MemberRequest) -> Template:
        return _admin_page(request, await site.settings_for_admin(request.user))

    @post("/settings")
    async def save(self, request: MemberRequest) -> Template | Redirect:
        raw = await read_form(request)
        members_only = checkbox(raw.get("members_only"))
        # The form always sends a choice; a post without one keeps the default, "open".
        join_policy = clean_text(raw.get("join_policy"), multiline=False) or "open"
        confirm_email = checkbox(raw.get("confirm_email"))
        try:
            await site.save_settings(request.user, members_only, join_policy, confirm_email)
        except FormErrors as exc:
            current = site.SiteSettings(members_only=members_only, join_policy=join_policy, confirm_email=confirm_email)
            return _admin_page(request, current, FORM_ERROR_STATUS, errors=exc.errors)
        return _saved(request, SITE_SETTINGS_SAVED, "/admin/settings")


def _admin_page(request: MemberRequest, current: site.SiteSettings, status_code: int = 200, **extra: Any) -> Template:
    extra.setdefault("errors", {})
    return render(
        request, "admin/settings.html", status_code, site_settings=current, join_policies=site.JOIN_POLICIES, **extra
    )
