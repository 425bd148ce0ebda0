"""A member's settings: privacy defaults, "hide my name", their data, deleting the account."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Response, Template

from prayerboard.forms import FormErrors, checkbox, clean_text
from prayerboard.services import privacy, site
from prayerboard.web.common import read_form, render, require_member, see_other

FORM_ERROR_STATUS = 422


async def _settings_page(request: Request, status_code: int = 200, **extra: Any) -> Template:
    actor = require_member(request)
    current = await privacy.privacy_settings(actor)
    extra.setdefault("errors", {})
    extra.setdefault("values", {})
    return render(request, "settings/index.html", status_code, settings=current, **extra)


class SettingsController(Controller):
    path = "/settings"

    @get("", name="settings")
    async def show(self, request: Request) -> Template:
        return await _settings_page(request, saved=request.query_params.get("saved"))

    @post("")
    async def save_defaults(self, request: Request) -> Template | Redirect:
        actor = require_member(request)
        raw = await read_form(request)
        try:
            await privacy.update_defaults(
                actor,
                clean_text(raw.get("default_visibility"), multiline=False),
                checkbox(raw.get("default_anonymous")),
            )
        except FormErrors as exc:
            return await _settings_page(request, FORM_ERROR_STATUS, errors=exc.errors)
        return see_other("/settings?saved=defaults")

    @post("/hide-name")
    async def hide_name(self, request: Request) -> Redirect:
        await privacy.hide_my_name(require_member(request))
        return see_other("/settings?saved=hidden")

    @post("/show-name")
    async def show_name(self, request: Request) -> Redirect:
        await privacy.show_my_name(require_member(request))
        return see_other("/settings?saved=shown")

    @get("/export")
    async def export(self, request: Request) -> Response[dict[str, Any]]:
        actor = require_member(request)
        data = await privacy.export_data(actor)
        filename = f"prayerboard-{actor.username}-{dt.date.today().isoformat()}.json"
        return Response(
            data,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @post("/delete")
    async def delete(self, request: Request) -> Template | Redirect:
        actor = require_member(request)
        raw = await read_form(request)
        try:
            await privacy.delete_account(
                actor, str(raw.get("password") or ""), clean_text(raw.get("content"), multiline=False)
            )
        except FormErrors as exc:
            return await _settings_page(request, FORM_ERROR_STATUS, errors=exc.errors, values=exc.values)
        request.clear_session()
        return see_other("/?account=deleted")


class AdminController(Controller):
    """Site settings, for admins."""

    path = "/admin"

    @get("/settings", name="admin_settings")
    async def show(self, request: Request) -> Template:
        current = await site.settings_for_admin(require_member(request))
        return _admin_page(request, current, saved=request.query_params.get("saved"))

    @post("/settings")
    async def save(self, request: Request) -> Template | Redirect:
        actor = require_member(request)
        raw = await read_form(request)
        members_only = checkbox(raw.get("members_only"))
        # The form always sends a choice; a post without one keeps the default, "open".
        join_policy = clean_text(raw.get("join_policy"), multiline=False) or "open"
        try:
            await site.save_settings(actor, members_only, join_policy)
        except FormErrors as exc:
            current = site.SiteSettings(members_only=members_only, join_policy=join_policy)
            return _admin_page(request, current, FORM_ERROR_STATUS, errors=exc.errors)
        return see_other("/admin/settings?saved=1")


def _admin_page(request: Request, current: site.SiteSettings, status_code: int = 200, **extra: Any) -> Template:
    extra.setdefault("errors", {})
    return render(
        request, "admin/settings.html", status_code, site_settings=current, join_policies=site.JOIN_POLICIES, **extra
    )
