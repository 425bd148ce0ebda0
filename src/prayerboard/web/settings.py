"""A member's settings: privacy defaults, "hide my name", their data, deleting the account."""

from __future__ import annotations

import dataclasses
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
CATEGORIES_SAVED = "Saved. Posts in a renamed category moved with it; a retired one keeps its posts."
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
    """Site settings, for admins: each section of the page is a form of its own."""

    path = "/admin"
    guards = [guard("manage_site", ADMINS_ONLY)]

    @get("/settings", name="admin_settings")
    async def show(self, request: MemberRequest) -> Template:
        return await _admin_page(request)

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
            typed = {"members_only": members_only, "join_policy": join_policy, "confirm_email": confirm_email}
            return await _admin_page(request, FORM_ERROR_STATUS, errors=exc.errors, typed=typed)
        return _saved(request, SITE_SETTINGS_SAVED, "/admin/settings")

    @post("/settings/board")
    async def save_board(self, request: MemberRequest) -> Template | Redirect:
        raw = await read_form(request)
        name = clean_text(raw.get("board_name"), multiline=False)
        hide = checkbox(raw.get("hide_from_search_engines"))
        try:
            await site.save_board(request.user, name, hide)
        except FormErrors as exc:
            typed = {"board_name": name, "hide_from_search_engines": hide}
            return await _admin_page(request, FORM_ERROR_STATUS, errors=exc.errors, typed=typed)
        return _saved(request, SITE_SETTINGS_SAVED, "/admin/settings#board")

    @post("/settings/categories")
    async def save_categories(self, request: MemberRequest) -> Template | Redirect:
        raw = await read_form(request)
        changes = _category_changes(raw)
        new_name = clean_text(raw.get("new_category"), multiline=False)
        try:
            await site.save_categories(request.user, changes, new_name, request.app.state.site_settings.defaults)
        except FormErrors as exc:
            return await _admin_page(
                request, FORM_ERROR_STATUS, errors=exc.errors, category_rows=changes, new_category=new_name
            )
        return _saved(request, CATEGORIES_SAVED, "/admin/settings#categories")

    @post("/settings/limits")
    async def save_limits(self, request: MemberRequest) -> Template | Redirect:
        raw = await read_form(request)
        typed = {name: clean_text(raw.get(name), multiline=False) for name in site.LIMIT_FIELDS}
        try:
            await site.save_limits(request.user, typed)
        except FormErrors as exc:
            return await _admin_page(request, FORM_ERROR_STATUS, errors=exc.errors, limit_values=typed)
        return _saved(request, SITE_SETTINGS_SAVED, "/admin/settings#limits")


def _category_changes(raw: dict[str, str]) -> list[site.CategoryChange]:
    """The rows of the categories form, in the order the form listed them."""
    changes = []
    for index in range(site.CATEGORIES_MAX + 1):
        was = raw.get(f"category_was_{index}")
        if was is None:
            break
        position = clean_text(raw.get(f"category_position_{index}"), multiline=False)
        changes.append(
            site.CategoryChange(
                was=clean_text(was, multiline=False),
                name=clean_text(raw.get(f"category_name_{index}"), multiline=False),
                position=int(position) if position.isdigit() and len(position) < 6 else index + 1,
                retired=checkbox(raw.get(f"category_retired_{index}")),
            )
        )
    return changes


async def _admin_page(
    request: MemberRequest,
    status_code: int = 200,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    category_rows: list[site.CategoryChange] | None = None,
    new_category: str = "",
    limit_values: dict[str, str] | None = None,
) -> Template:
    """The settings page; a refused form shows what was typed in its own section, with the message."""
    current = await site.settings_for_admin(request.user, request.app.state.site_settings.defaults)
    if typed:
        current = dataclasses.replace(current, **typed)
    rows = category_rows or [
        site.CategoryChange(was=c.name, name=c.name, position=i + 1, retired=c.retired)
        for i, c in enumerate(current.categories)
    ]
    limits = limit_values or {name: str(getattr(current.limits, name)) for name in site.LIMIT_FIELDS}
    return render(
        request,
        "admin/settings.html",
        status_code,
        site_settings=current,
        join_policies=site.JOIN_POLICIES,
        errors=errors or {},
        category_rows=rows,
        new_category=new_category,
        limit_fields=site.LIMIT_FIELDS,
        limit_values=limits,
        board_name_max=site.BOARD_NAME_MAX,
        category_name_max=site.CATEGORY_NAME_MAX,
    )
