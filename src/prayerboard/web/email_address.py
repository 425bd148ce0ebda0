"""A member's email address: confirming it, and changing it (confirmed before it is used).

The settings forms live here; the confirmation link itself (``/register/confirm/<token>``) is
opened signed out as often as not, so it is answered with sign-in and joining in
``web/accounts.py``.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from prayerboard import mail
from prayerboard.auth import signed_in
from prayerboard.forms import FormErrors
from prayerboard.policy import Actor
from prayerboard.services import email_address, privacy
from prayerboard.services.errors import Throttled
from prayerboard.web.common import board_name, client_address, read_form, render, see_other

FORM_ERROR_STATUS = 422
SECTION = "/settings#email-address"
# Behind ``signed_in``, ``request.user`` is the member (never None).
MemberRequest = Request[Actor, None, Any]


def links(request: Request) -> email_address.Links:
    """How confirmation links are signed and where they start: never at a ``Host`` a request named."""
    settings = request.app.state.settings
    return email_address.Links(settings.secret_key, mail.link_base(settings), board_name(request))


def link_throttle(request: Request) -> email_address.LinkThrottle:
    """Requests for a link and changes of address, counted with the sign-in limits."""
    return email_address.LinkThrottle.with_sign_in_limits(request.app.state.counters, request.app.state.settings)


async def _settings_page(request: MemberRequest, status_code: int, **extra: Any) -> Template:
    current = await privacy.privacy_settings(request.user)
    extra.setdefault("errors", {})
    extra.setdefault("values", {})
    return render(request, "settings/index.html", status_code, settings=current, **extra)


def _said(request: MemberRequest, message: str) -> Redirect:
    flash(request, message, category="info")
    return see_other(SECTION)


class EmailAddressController(Controller):
    path = "/settings/email"
    guards = [signed_in]

    @post("")
    async def change(self, request: MemberRequest) -> Template | Redirect:
        raw = await read_form(request)
        try:
            new_address = await email_address.request_change(
                request.user,
                raw.get(email_address.EMAIL_FIELD),
                str(raw.get(email_address.PASSWORD_FIELD) or ""),
                client_address(request),
                link_throttle(request),
                links(request),
            )
        except FormErrors as exc:
            return await _settings_page(request, FORM_ERROR_STATUS, errors=exc.errors, values=exc.values)
        except Throttled as exc:
            page = await _settings_page(
                request,
                exc.status_code,
                errors={email_address.EMAIL_FIELD: exc.message},
                values={email_address.EMAIL_FIELD: str(raw.get(email_address.EMAIL_FIELD) or "")},
            )
            page.headers["Retry-After"] = str(exc.retry_after)
            return page
        return _said(
            request,
            f"We sent a link to {new_address}. Your address changes once you open it; until then, "
            "mail keeps going to your old address.",
        )

    @post("/resend")
    async def resend(self, request: MemberRequest) -> Redirect:
        sent_to = await email_address.send_own_link_again(
            request.user, client_address(request), link_throttle(request), links(request)
        )
        if sent_to is None:
            return _said(request, "Your email address is confirmed already.")
        return _said(request, f"We sent a new link to {sent_to}. It works for 48 hours.")

    @post("/cancel")
    async def cancel(self, request: MemberRequest) -> Redirect:
        if await email_address.cancel_change(request.user):
            return _said(request, "The change is cancelled: your address stays as it was.")
        return _said(request, "No change of address was waiting.")
