"""What a member gets by email: their choices, and the one-click unsubscribe link in every message."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from prayerboard.auth import signed_in
from prayerboard.forms import FormErrors, checkbox
from prayerboard.services import mail_choices, unsubscribe
from prayerboard.web.common import read_form, render
from prayerboard.web.settings import FORM_ERROR_STATUS, MemberRequest, _saved, _settings_page

CHOICES_SAVED = "Saved: your email choices."


def _no_store(page: Template) -> Template:
    # The link's token is in the address: no cache along the way keeps the page.
    page.headers["Cache-Control"] = "no-store"
    return page


def _not_valid(request: Request, exc: unsubscribe.UnsubscribeLinkInvalid) -> Template:
    return _no_store(render(request, "mail/unsubscribe.html", exc.status_code, problem=exc.message))


class UnsubscribeController(Controller):
    """``/mail/unsubscribe/<token>``: no sign-in needed, and the signed token is the only proof.

    Opening the link only asks (mail scanners open links); a POST stops the emails: the page's
    own button, or a mail program's one-click ``List-Unsubscribe=One-Click`` (RFC 8058), which
    carries no cookie and no form token. docs/privacy.md, "Email".
    """

    path = "/mail"

    @get("/unsubscribe/{token:str}", name="unsubscribe")
    async def ask(self, request: Request, token: FromPath[str]) -> Template:
        try:
            stopping = await unsubscribe.describe(request.app.state.settings, token)
        except unsubscribe.UnsubscribeLinkInvalid as exc:
            return _not_valid(request, exc)
        return _no_store(render(request, "mail/unsubscribe.html", stopping=stopping, token=token))

    # Out of the CSRF check (``CSRFConfig.exclude_from_csrf_key``): a mail program posts here with
    # no cookie and no token. It changes nothing a visitor sees ("widens only").
    @post("/unsubscribe/{token:str}", status_code=200, opt={"exclude_from_csrf": True, "widens_only": True})
    async def stop(self, request: Request, token: FromPath[str]) -> Template:
        try:
            stopping = await unsubscribe.unsubscribe(request.app.state.settings, token)
        except unsubscribe.UnsubscribeLinkInvalid as exc:
            return _not_valid(request, exc)
        return _no_store(render(request, "mail/unsubscribed.html", stopping=stopping))


class MailChoicesController(Controller):
    """The member's email choices, from the settings page's "Email" section."""

    path = "/settings/mail"
    guards = [signed_in]

    @post("")
    async def save(self, request: MemberRequest) -> Template | Redirect:
        raw = await read_form(request)
        try:
            await mail_choices.save_choices(
                request.user,
                str(raw.get("mail_news") or ""),
                str(raw.get("mail_review") or ""),
                checkbox(raw.get("mail_urgent")),
                checkbox(raw.get("mail_prayer_list")),
            )
        except FormErrors as exc:
            return await _settings_page(request, FORM_ERROR_STATUS, errors=exc.errors, values=exc.values)
        return _saved(request, CHOICES_SAVED, "/settings#email")
