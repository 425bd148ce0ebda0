"""Register, sign in, sign out."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from prayerboard.forms import FormErrors, parse_login, parse_registration
from prayerboard.policy import Actor
from prayerboard.services import accounts
from prayerboard.sessions import rotate_session
from prayerboard.web.common import current_actor, read_form, render, safe_next, see_other

FORM_ERROR_STATUS = 422


def _sign_in(request: Request, actor: Actor) -> None:
    """Start a fresh session for ``actor``; the id is rotated so a planted cookie is useless."""
    request.set_session({"member_id": actor.id, "epoch": actor.session_epoch})
    rotate_session(request)


class AccountController(Controller):
    @get("/register", name="register")
    async def register_form(self, request: Request) -> Template | Redirect:
        if current_actor(request):
            return see_other("/")
        return render(request, "accounts/register.html", values={}, errors={})

    @post("/register")
    async def register(self, request: Request) -> Template | Redirect:
        raw = await read_form(request)
        try:
            actor = await accounts.register(parse_registration(raw))
        except FormErrors as exc:
            return render(
                request, "accounts/register.html", FORM_ERROR_STATUS, values=exc.values, errors=exc.errors
            )
        _sign_in(request, actor)
        return see_other("/")

    @get("/login", name="login")
    async def login_form(self, request: Request, next: FromQuery[str] = "/") -> Template | Redirect:
        if current_actor(request):
            return see_other(safe_next(next))
        return render(request, "accounts/login.html", values={"next": safe_next(next)}, errors={})

    @post("/login")
    async def login(self, request: Request) -> Template | Redirect:
        raw = await read_form(request)
        next_path = safe_next(raw.get("next"))
        try:
            actor = await accounts.authenticate(
                parse_login(raw), request.client.host if request.client else "unknown", request.app.state.login_throttle
            )
        except FormErrors as exc:
            return render(
                request,
                "accounts/login.html",
                FORM_ERROR_STATUS,
                values={**exc.values, "next": next_path},
                errors=exc.errors,
            )
        _sign_in(request, actor)
        return see_other(next_path)

    @post("/logout")
    async def logout(self, request: Request) -> Redirect:
        # Clearing the session deletes it from the store, so a replayed cookie finds nothing.
        request.clear_session()
        return see_other("/")
