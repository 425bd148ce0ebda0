"""Register (under the board's join policy), confirm the address, sign in, sign out, and the
applicant's waiting page."""

from __future__ import annotations

import time

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.middleware.csrf import generate_csrf_token
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from prayerboard.auth import current_actor, require_member
from prayerboard.forms import FormErrors, clean_text, parse_login
from prayerboard.policy import Actor
from prayerboard.services import accounts, email_address, membership, recovery, site
from prayerboard.services.errors import Throttled
from prayerboard.sessions import rotate_session
from prayerboard.vocab import Role
from prayerboard.web.common import board_name, client_address, read_form, render, safe_next, see_other
from prayerboard.web.email_address import link_throttle, links

FORM_ERROR_STATUS = 422
RESET_DONE = "Your new password is set, and you are signed in. Any other place you were signed in has been signed out."
WAITING_PAGE = "/join/waiting"
ADDRESS_CONFIRMED = "Thank you: your email address is confirmed, and you are signed in."
NEW_ADDRESS_CONFIRMED = "Your new email address is confirmed: mail goes there from now on."
FIRST_MEMBER_IS_ADMIN = "Welcome: you are this board's admin. Start with its settings."


def _renew_csrf_token(request: Request, response: Redirect) -> Redirect:
    """Send a new CSRF token: one read or planted before sign-in or sign-out is refused after it."""
    config = request.app.state.csrf_config
    response.set_cookie(
        Cookie(
            key=config.cookie_name,
            value=generate_csrf_token(secret=config.secret),
            path=config.cookie_path,
            secure=config.cookie_secure,
            samesite=config.cookie_samesite,
            httponly=config.cookie_httponly,
            domain=config.cookie_domain,
        )
    )
    return response


def _signed_in(request: Request, actor: Actor, response: Redirect) -> Redirect:
    """Start a fresh session for ``actor`` and answer with ``response``.

    The session id is rotated so a planted cookie is useless, the CSRF token is renewed, and
    the browser gets (or keeps) its device cookie for the account, so its sign-ins are counted
    apart from strangers' guesses.
    """
    assert actor.id is not None  # only a member signs in
    # When it was signed in: a suspension placed after that ends this session for good.
    request.set_session({"member_id": actor.id, "epoch": actor.session_epoch, "since": time.time()})
    rotate_session(request)
    settings = request.app.state.settings
    response.set_cookie(
        Cookie(
            key=accounts.DEVICE_COOKIE,
            value=accounts.device_cookie_after_sign_in(
                settings.secret_key, request.cookies.get(accounts.DEVICE_COOKIE), actor.id
            ),
            max_age=accounts.DEVICE_COOKIE_DAYS * 24 * 3600,
            path="/",  # /login reads it; /register too, to keep the tokens of other accounts
            secure=settings.secure_cookies,
            httponly=True,
            samesite="lax",
        )
    )
    return _renew_csrf_token(request, response)


def _join_limits(request: Request) -> membership.JoinLimits:
    settings = request.app.state.settings
    return membership.JoinLimits(
        request.app.state.counters,
        taken_per_address=settings.login_failures_per_address,
        taken_window_seconds=settings.login_failure_window_seconds,
        registrations_per_hour=settings.registrations_per_hour,
    )


def _after_sign_in(actor: Actor, next_path: str = "/") -> Redirect:
    """Where a member goes once signed in: an applicant to the page that says they are waiting."""
    return see_other(WAITING_PAGE if actor.is_pending else next_path)


def _reset_throttle(request: Request) -> recovery.ResetThrottle:
    return recovery.ResetThrottle.with_sign_in_limits(request.app.state.counters, request.app.state.settings)


def _no_store(page: Template) -> Template:
    # The link's token is in the address: no cache along the way keeps the page.
    page.headers["Cache-Control"] = "no-store"
    return page


def _reset_page(request: Request, token: str, status_code: int = 200, errors: dict[str, str] | None = None) -> Template:
    return _no_store(
        render(request, "accounts/reset.html", status_code, token=token, values={}, errors=errors or {}, problem=None)
    )


def _unusable_link(request: Request, exc: recovery.ResetLinkInvalid | recovery.ResetLinkExpired) -> Template:
    """A calm page saying why the link does not work and how to ask again."""
    return _no_store(
        render(request, "accounts/reset.html", exc.status_code, token="", values={}, errors={}, problem=exc.message)
    )


def _confirm_page(request: Request, token: str, target: email_address.ConfirmTarget) -> Template:
    return _no_store(render(request, "accounts/confirm_email.html", token=token, address=target.address, problem=None))


def _unusable_confirm_link(
    request: Request, exc: email_address.ConfirmLinkInvalid | email_address.ConfirmLinkExpired
) -> Template:
    return _no_store(
        render(request, "accounts/confirm_email.html", exc.status_code, token="", address="", problem=exc.message)
    )


def _check_email(
    request: Request,
    status_code: int = 200,
    *,
    login: str,
    sent_to: str = "",
    unconfirmed: bool = False,
    resent: bool = False,
    corrected: bool = False,
    error: str = "",
) -> Template:
    """The page that says where the link went, with forms to have it sent again or to correct
    the address."""
    return render(
        request,
        "accounts/check_email.html",
        status_code,
        login=login,
        sent_to=sent_to,
        unconfirmed=unconfirmed,
        resent=resent,
        corrected=corrected,
        error=error,
        values={"username": login, "email": sent_to},
        errors={},
    )


class AccountController(Controller):
    @get("/register", name="register")
    async def register_form(self, request: Request, invite: FromQuery[str] = "") -> Template | Redirect:
        if current_actor(request):
            return see_other("/")
        site_settings = await request.app.state.site_settings.get()
        # On an invitation-only board the link is checked before the form is even shown.
        await membership.check_invitation(site_settings, invite)
        return render(
            request,
            "accounts/register.html",
            values={"invite": invite},
            errors={},
            join_policy=site_settings.join_policy,
            awaiting_admin=await site.setup_code() is not None,
        )

    @post("/register", opt={"widens_only": True})
    async def register(self, request: Request) -> Template | Redirect:
        raw = await read_form(request)
        invite = str(raw.get("invite") or "")
        site_settings = await request.app.state.site_settings.get()
        try:
            actor = await membership.join(
                raw, site_settings, invite, client_address(request), _join_limits(request), links(request)
            )
        except FormErrors as exc:
            return render(
                request,
                "accounts/register.html",
                FORM_ERROR_STATUS,
                values={**exc.values, "invite": invite},
                errors=exc.errors,
                join_policy=site_settings.join_policy,
                awaiting_admin=await site.setup_code() is not None,
            )
        # Whoever installed the board, with the setup code, runs it (docs/security.md, "The first member").
        first_member = actor.role == Role.ADMIN
        if site_settings.confirm_email:
            # Not signed in: the link mailed to the address signs the member in once opened.
            # The address as registration cleaned it (``forms.parse_registration``).
            sent_to = clean_text(raw.get("email"), multiline=False).lower()
            if first_member:
                flash(request, FIRST_MEMBER_IS_ADMIN, category="info")
            return _check_email(request, login=actor.username, sent_to=sent_to)
        response = _signed_in(request, actor, _after_sign_in(actor, "/admin/settings" if first_member else "/"))
        if first_member:
            flash(request, FIRST_MEMBER_IS_ADMIN, category="info")  # after the new session is set, so it is kept
        return response

    @post("/register/resend", opt={"widens_only": True})
    async def resend_link(self, request: Request) -> Template:
        """The same page and status whether or not anyone waits behind that name or address."""
        raw = await read_form(request)
        try:
            target = email_address.parse_target(raw)
            await email_address.send_link_again(target, client_address(request), link_throttle(request), links(request))
        except FormErrors as exc:
            return _check_email(
                request, FORM_ERROR_STATUS, login="", resent=True, error=next(iter(exc.errors.values()))
            )
        except Throttled as exc:
            page = _check_email(request, exc.status_code, login=target, resent=True, error=exc.message)
            page.headers["Retry-After"] = str(exc.retry_after)
            return page
        return _check_email(request, login=target, resent=True)

    @post("/register/correct-address", opt={"widens_only": True})
    async def correct_address(self, request: Request) -> Template:
        """A wrong address typed when joining, corrected with the password; every refusal of the
        name or password is a failed sign-in's answer."""
        raw = await read_form(request)
        try:
            correction = email_address.parse_correction(raw)
            sent_to = await email_address.correct_address(
                correction,
                client_address(request),
                request.cookies.get(accounts.DEVICE_COOKIE),
                request.app.state.login_throttle,
                links(request),
            )
        except FormErrors as exc:
            return render(
                request, "accounts/correct_address.html", FORM_ERROR_STATUS, values=exc.values, errors=exc.errors
            )
        return _check_email(request, login=correction.credentials.username, sent_to=sent_to, corrected=True)

    @get("/register/confirm/{token:str}", name="confirm_email")
    async def confirm_form(self, request: Request, token: FromPath[str]) -> Template:
        """Only a page with a button: mail scanners open links, and opening one changes nothing."""
        try:
            target = await email_address.check_token(request.app.state.settings.secret_key, token)
        except (email_address.ConfirmLinkInvalid, email_address.ConfirmLinkExpired) as exc:
            return _unusable_confirm_link(request, exc)
        return _confirm_page(request, token, target)

    @post("/register/confirm/{token:str}", opt={"widens_only": True})
    async def confirm(self, request: Request, token: FromPath[str]) -> Template | Redirect:
        try:
            target = await email_address.check_token(request.app.state.settings.secret_key, token)
            actor = await email_address.confirm(target)
        except (email_address.ConfirmLinkInvalid, email_address.ConfirmLinkExpired) as exc:
            return _unusable_confirm_link(request, exc)
        if target.purpose == "change":
            response = _signed_in(request, actor, see_other("/settings#email-address"))
            flash(request, NEW_ADDRESS_CONFIRMED, category="info")
        else:
            response = _signed_in(request, actor, _after_sign_in(actor))
            flash(request, ADDRESS_CONFIRMED, category="info")  # after the new session is set, so it is kept
        return response

    @get(WAITING_PAGE, name="join_waiting")
    async def waiting(self, request: Request) -> Template | Redirect:
        actor = require_member(request)
        if not actor.is_pending:
            return see_other("/")
        return render(request, "accounts/waiting.html")

    @get("/login", name="login")
    async def login_form(self, request: Request, next: FromQuery[str] = "/") -> Template | Redirect:
        if current_actor(request):
            return see_other(safe_next(next))
        return render(request, "accounts/login.html", values={"next": safe_next(next)}, errors={})

    @post("/login", opt={"widens_only": True})
    async def login(self, request: Request) -> Template | Redirect:
        raw = await read_form(request)
        next_path = safe_next(raw.get("next"))
        try:
            attempt = accounts.SignInAttempt(
                parse_login(raw), client_address(request), request.cookies.get(accounts.DEVICE_COOKIE)
            )
            site_settings = await request.app.state.site_settings.get()
            actor = await accounts.authenticate(
                attempt,
                request.app.state.login_throttle,
                request.app.state.settings.secret_key,
                confirmed_only=site_settings.confirm_email,
            )
        except accounts.AddressNotConfirmed as exc:
            return _check_email(request, exc.status_code, login=exc.values["username"], unconfirmed=True)
        except FormErrors as exc:
            return render(
                request,
                "accounts/login.html",
                FORM_ERROR_STATUS,
                values={**exc.values, "next": next_path},
                errors=exc.errors,
            )
        return _signed_in(request, actor, _after_sign_in(actor, next_path))

    @get("/password/forgot", name="password_forgot")
    async def forgot_form(self, request: Request) -> Template:
        return render(request, "accounts/forgot.html", values={}, errors={}, sent=False)

    @post("/password/forgot", opt={"widens_only": True})
    async def forgot(self, request: Request) -> Template:
        """The same page and status whether or not anyone has that address or name."""
        raw = await read_form(request)
        settings = request.app.state.settings
        try:
            target = recovery.parse_target(raw)
        except FormErrors as exc:
            return render(request, "accounts/forgot.html", FORM_ERROR_STATUS, values=exc.values, errors=exc.errors)
        try:
            await recovery.request_reset(
                recovery.ResetRequest(
                    target,
                    client_address(request),
                    recovery.reset_link_base(settings.public_url, str(request.base_url)),
                    board_name(request),
                ),
                _reset_throttle(request),
                settings.secret_key,
            )
        except Throttled as exc:
            page = render(
                request,
                "accounts/forgot.html",
                exc.status_code,
                values={"login": target},
                errors={"login": exc.message},
            )
            page.headers["Retry-After"] = str(exc.retry_after)
            return page
        return render(request, "accounts/forgot.html", values={}, errors={}, sent=True)

    @get("/password/reset/{token:str}", name="password_reset")
    async def reset_form(self, request: Request, token: FromPath[str]) -> Template:
        try:
            await recovery.check_token(request.app.state.settings.secret_key, token)
        except (recovery.ResetLinkInvalid, recovery.ResetLinkExpired) as exc:
            return _unusable_link(request, exc)
        return _reset_page(request, token)

    @post("/password/reset/{token:str}", opt={"widens_only": True})
    async def reset(self, request: Request, token: FromPath[str]) -> Template | Redirect:
        raw = await read_form(request)
        try:
            target = await recovery.check_token(request.app.state.settings.secret_key, token)
            actor = await recovery.reset_password(target, str(raw.get("password") or ""))
        except (recovery.ResetLinkInvalid, recovery.ResetLinkExpired) as exc:
            return _unusable_link(request, exc)
        except FormErrors as exc:
            return _reset_page(request, token, FORM_ERROR_STATUS, exc.errors)
        # A new password is as good as a right one: the account's failed sign-ins start again.
        await request.app.state.login_throttle.succeeded(target.username, None)
        response = _signed_in(request, actor, _after_sign_in(actor))
        flash(request, RESET_DONE, category="info")  # after the new session is set, so it is kept
        return response

    @post("/logout", opt={"widens_only": True})
    async def logout(self, request: Request) -> Redirect:
        # Clearing the session deletes it from the store, so a replayed cookie finds nothing.
        request.clear_session()
        return _renew_csrf_token(request, see_other("/"))
