"""Board-wide settings that an admin changes while the board runs: the board's name, members-only,
who may join, whether new members confirm their email address, search engines, categories, and
the thresholds and limits of moderation.

The environment variables (``settings.py``) are the first defaults: a setting an admin never
saved keeps its variable's value (README, "Configuration").
"""

from __future__ import annotations

import dataclasses
import hmac
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from prayerboard.db import transaction
from prayerboard.forms import FormErrors
from prayerboard.policy import Actor, require
from prayerboard.services.errors import ServiceError
from prayerboard.services.moderation.limits import ModerationRules
from prayerboard.settings import DEFAULT_CATEGORIES, Settings
from prayerboard.stores import Generation
from prayerboard.tables import Member, Post, SiteSetting
from prayerboard.vocab import Role

# Who may join (docs/privacy.md, "Who may join"): anyone; anyone, but a moderator approves each
# new member before they see more than a visitor; or only someone holding an invitation link.
JOIN_POLICIES = {
    "open": "Anyone may join",
    "approval": "Anyone may apply; a moderator approves each new member",
    "invitation": "Only with an invitation link from an admin or moderator",
}

BOARD_NAME_MAX = 60
CATEGORY_NAME_MAX = 60
CATEGORIES_MAX = 40  # a select longer than this helps nobody choose
LIMIT_MAX = 100_000


@dataclass(frozen=True)
class Category:
    """One category of posts; a retired one is not offered for new posts but still names old ones."""

    name: str
    retired: bool = False


@dataclass(frozen=True)
class Limits:
    """Moderation's thresholds and hourly limits (``services/moderation/limits.py`` applies them)."""

    flag_threshold: int = 3
    approve_first_posts: int = 1
    posts_per_hour: int = 10
    replies_per_hour: int = 30
    reports_per_hour: int = 20


# Each limit: its label on the admin page, the least value it takes, and a hint.
LIMIT_FIELDS: dict[str, tuple[str, int, str]] = {
    "flag_threshold": (
        "Reports that hide a post until a moderator looks",
        1,
        "Reports from different members, each a day old with a post of their own.",
    ),
    "approve_first_posts": (
        "First posts a moderator approves",
        0,
        "0 lets every new member's posts through at once. While the board has no moderator or admin, nothing is held.",
    ),
    "posts_per_hour": ("Posts a member may share in an hour", 1, "A member's first day allows a third of it."),
    "replies_per_hour": ("Replies a member may write in an hour", 1, "A member's first day allows a third of it."),
    "reports_per_hour": ("Reports a member may make in an hour", 1, "A member's first day allows a third of it."),
}


@dataclass(frozen=True)
class BoardDefaults:
    """The environment's values, which hold until an admin saves others."""

    board_name: str = "Prayer Board"
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def from_settings(cls, settings: Settings) -> BoardDefaults:
        return cls(
            board_name=settings.board_name,
            categories=settings.categories,
            limits=Limits(
                flag_threshold=settings.flag_threshold,
                approve_first_posts=settings.approve_first_posts,
                posts_per_hour=settings.posts_per_hour,
                replies_per_hour=settings.replies_per_hour,
                reports_per_hour=settings.reports_per_hour,
            ),
        )


@dataclass(frozen=True)
class SiteSettings:
    members_only: bool = False
    join_policy: str = "open"
    # New members confirm their address (a link mailed to it) before they can sign in
    # (docs/security.md, "Confirming addresses").
    confirm_email: bool = False
    board_name: str = "Prayer Board"
    categories: tuple[Category, ...] = tuple(Category(name) for name in DEFAULT_CATEGORIES)
    # Ask search engines to leave the board alone (robots.txt and a noindex tag); on by default
    # (docs/privacy.md, "Search engines").
    hide_from_search_engines: bool = True
    limits: Limits = field(default_factory=Limits)

    @property
    def offered_categories(self) -> tuple[str, ...]:
        """The categories a new post may take, in the admin's order."""
        return tuple(c.name for c in self.categories if not c.retired)

    @property
    def known_categories(self) -> tuple[str, ...]:
        """Every category, retired ones too: the board filters by them and old posts keep them."""
        return tuple(c.name for c in self.categories)

    def rules(self, base: ModerationRules) -> ModerationRules:
        """``base`` (which holds the shared counters) with this board's thresholds and limits."""
        return dataclasses.replace(base, **dataclasses.asdict(self.limits))


class SiteSettingsCache:
    """This process's copy of the site settings, re-read whenever the visitor generation changes.

    Every admin change to the settings is an unsafe request that sets a new generation before it
    answers, so every process reads the new settings on its next request.
    """

    def __init__(self, generation: Generation, defaults: BoardDefaults | None = None) -> None:
        self.generation = generation
        self.defaults = defaults or BoardDefaults()
        self._current = SiteSettings()
        self._read_under: str | None = None

    async def get(self, generation: str | None = None, *, known: bool = False) -> SiteSettings:
        """The settings as of ``generation``, which is read from the shared source unless ``known``.

        While the generation is unknown (None) the settings are read every time.
        """
        seen = generation if known else await self.generation.current()
        if seen is None or seen != self._read_under:
            self._current = await read_settings(self.defaults)
            self._read_under = seen
        return self._current


def _int_or(value: str | None, default: int, minimum: int) -> int:
    try:
        number = int(value or "")
    except ValueError:
        return default
    return number if minimum <= number <= LIMIT_MAX else default


def _categories_from(value: str | None, default: Sequence[str]) -> tuple[Category, ...]:
    """The stored list (JSON: ``[{"name": ..., "retired": ...}]``), or the defaults if none is usable."""
    try:
        items = json.loads(value) if value else None
        found = tuple(Category(str(i["name"]), bool(i.get("retired", False))) for i in items or ())
    except (ValueError, TypeError, KeyError, AttributeError):
        found = ()
    return found or tuple(Category(name) for name in default)


async def read_settings(defaults: BoardDefaults | None = None) -> SiteSettings:
    """The settings as the database holds them now, over ``defaults`` (the environment's)."""
    defaults = defaults or BoardDefaults()
    rows = await SiteSetting.select(SiteSetting.key, SiteSetting.value)
    values: Mapping[str, str] = {row["key"]: row["value"] for row in rows}
    join_policy = values.get("join_policy", "open")
    limits = Limits(
        **{
            name: _int_or(values.get(name), getattr(defaults.limits, name), minimum)
            for name, (_, minimum, _) in LIMIT_FIELDS.items()
        }
    )
    return SiteSettings(
        members_only=values.get("members_only") == "1",
        # A value this version does not know admits nobody rather than everybody.
        join_policy=join_policy if join_policy in JOIN_POLICIES else "invitation",
        confirm_email=values.get("confirm_email") == "1",
        board_name=values.get("board_name") or defaults.board_name,
        categories=_categories_from(values.get("categories"), defaults.categories),
        hide_from_search_engines=values.get("hide_from_search_engines", "1") != "0",
        limits=limits,
    )


async def board_name(default: str) -> str:
    """The board's name as an admin set it, else ``default``: for mail, which has no request."""
    row = await SiteSetting.select(SiteSetting.value).where(SiteSetting.key == "board_name").first()
    return (row["value"] if row else "") or default


def _require_admin(actor: Actor) -> None:
    require(actor, "manage_site", refusal="Only an admin can change the board's settings.")


async def settings_for_admin(actor: Actor, defaults: BoardDefaults | None = None) -> SiteSettings:
    """The current settings, for the admin page."""
    _require_admin(actor)
    return await read_settings(defaults)


async def _store(values: Mapping[str, str]) -> None:
    for key, value in values.items():
        await SiteSetting.insert(SiteSetting(key=key, value=value)).on_conflict(
            target=SiteSetting.key, action="DO UPDATE", values=[SiteSetting.value]
        )


async def save_settings(actor: Actor, members_only: bool, join_policy: str, confirm_email: bool = False) -> None:
    """Open the board to visitors or admit members only, choose who may join, and whether new
    members confirm their email address."""
    _require_admin(actor)
    if join_policy not in JOIN_POLICIES:
        raise FormErrors({"join_policy": "Choose who may join the board."}, {"join_policy": join_policy})
    async with transaction():
        await _store(
            {
                "members_only": "1" if members_only else "0",
                "join_policy": join_policy,
                "confirm_email": "1" if confirm_email else "0",
            }
        )


def _one_line(value: str) -> str:
    return " ".join(value.split())


async def save_board(actor: Actor, name: str, hide_from_search_engines: bool) -> None:
    """The board's name (pages, feed and mail) and whether search engines are asked to stay away."""
    _require_admin(actor)
    name = _one_line(name)
    if not name or len(name) > BOARD_NAME_MAX:
        raise FormErrors(
            {"board_name": f"Give the board a name of at most {BOARD_NAME_MAX} characters."}, {"board_name": name}
        )
    async with transaction():
        await _store({"board_name": name, "hide_from_search_engines": "1" if hide_from_search_engines else "0"})


@dataclass(frozen=True)
class CategoryChange:
    """One row of the categories form: the name it had, the name it gets, its place, retired or not."""

    was: str
    name: str
    position: int
    retired: bool


def _in_chosen_places(changes: Sequence[CategoryChange]) -> list[tuple[int, CategoryChange]]:
    """The rows (with their index in the form) in their new order: each row given a new place is
    put there, the others keep their order around them (so "1" moves a category to the top)."""
    moved = sorted(
        ((i, c) for i, c in enumerate(changes) if c.position != i + 1), key=lambda item: (item[1].position, item[0])
    )
    ordered = [(i, c) for i, c in enumerate(changes) if c.position == i + 1]
    for index, change in moved:
        ordered.insert(min(max(change.position, 1) - 1, len(ordered)), (index, change))
    return ordered


async def save_categories(
    actor: Actor, changes: Sequence[CategoryChange], new_name: str, defaults: BoardDefaults | None = None
) -> None:
    """Rename, reorder, retire or bring back the categories, and add one.

    A renamed category takes its posts with it (in the same transaction); a retired one keeps
    them and stays on the board's filter, but is not offered for new posts. At least one
    category stays offered.
    """
    _require_admin(actor)
    current = (await read_settings(defaults)).categories
    known = {c.name for c in current}
    errors: dict[str, str] = {}
    if {c.was for c in changes} != known or len(changes) != len(current):
        errors["categories"] = "The list of categories changed while you edited it. Please look again."
    ordered = _in_chosen_places(changes)
    result: list[Category] = []
    renames: dict[str, str] = {}
    for index, change in ordered:
        name = _one_line(change.name)
        if not name or len(name) > CATEGORY_NAME_MAX:
            errors[f"category_{index}"] = f"A category needs a name of at most {CATEGORY_NAME_MAX} characters."
            continue
        result.append(Category(name, change.retired))
        if name != change.was:
            renames[change.was] = name
    new_name = _one_line(new_name)
    if new_name:
        if len(new_name) > CATEGORY_NAME_MAX:
            errors["new_category"] = f"A category needs a name of at most {CATEGORY_NAME_MAX} characters."
        result.append(Category(new_name))
    names = [c.name.casefold() for c in result]
    if len(set(names)) != len(names):
        errors.setdefault("categories", "Two categories cannot have the same name.")
    if not any(not c.retired for c in result):
        errors.setdefault("categories", "Keep at least one category for new posts.")
    if len(result) > CATEGORIES_MAX:
        errors.setdefault("categories", f"A board has at most {CATEGORIES_MAX} categories.")
    if errors:
        raise FormErrors(errors, {"new_category": new_name})
    async with transaction():
        # Two steps through names no post has, so swapping two names never mixes their posts.
        passing = f"(renaming {secrets.token_hex(8)}"
        for number, old in enumerate(renames):
            await Post.update({Post.category: f"{passing} {number})"}).where(Post.category == old)
        for number, new in enumerate(renames.values()):
            await Post.update({Post.category: new}).where(Post.category == f"{passing} {number})")
        stored = json.dumps([{"name": c.name, "retired": c.retired} for c in result], ensure_ascii=False)
        await _store({"categories": stored})


async def save_limits(actor: Actor, raw: Mapping[str, str]) -> Limits:
    """Set moderation's thresholds and hourly limits; each is a whole number in its range."""
    _require_admin(actor)
    errors: dict[str, str] = {}
    chosen: dict[str, int] = {}
    for name, (_, minimum, _) in LIMIT_FIELDS.items():
        text = (raw.get(name) or "").strip()
        try:
            chosen[name] = int(text)
        except ValueError:
            chosen[name] = -1
        if not minimum <= chosen[name] <= LIMIT_MAX:
            errors[name] = f"Give a whole number from {minimum} to {LIMIT_MAX:,}."
    if errors:
        raise FormErrors(errors, dict(raw))
    async with transaction():
        await _store({name: str(value) for name, value in chosen.items()})
    return Limits(**chosen)


# The site setting that says the board was installed fresh, with no member yet; its value is the
# setup code that makes the member who types it at registration the board's admin
# (docs/security.md, "The first member"). The code is in the server's log, so only whoever runs
# the board can read it: a stranger who reaches a fresh board first does not get to run it.
FIRST_MEMBER_SETTING = "first_member_becomes_admin"
SETUP_CODE_MAX = 64


def new_setup_code() -> str:
    """Ten letters and digits in two groups, easy to copy from a log: about 50 bits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    letters = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{letters[:5]}-{letters[5:]}"


async def setup_code() -> str | None:
    """The fresh board's setup code while nobody has used it and the board has no admin (one
    made by ``prayerboard create-admin`` ends it too), else None."""
    row = await SiteSetting.select(SiteSetting.value).where(SiteSetting.key == FIRST_MEMBER_SETTING).first()
    if row is None:
        return None
    if await Member.exists().where(Member.role == Role.ADMIN):
        # The board has had its admin: the code is gone for good, so a board that later loses
        # its last admin does not hand the role to whoever saw the first start's log.
        await forget_setup_code()
        return None
    return str(row["value"])


async def forget_setup_code() -> None:
    """Call in the transaction that makes an admin by any other way: the board has its admin, and
    the code must not make another should that one ever leave."""
    await SiteSetting.delete().where(SiteSetting.key == FIRST_MEMBER_SETTING)


class WrongSetupCode(ServiceError):
    """That setup code is not right. Copy it from the server's log, or leave the field empty."""

    status_code = 422


def setup_code_matches(expected: str, typed: str) -> bool:
    typed = "".join(typed.split()).lower()[:SETUP_CODE_MAX]
    return hmac.compare_digest(expected.encode(), typed.encode())


async def claim_first_member(typed_code: str) -> bool:
    """Whether the member just made in the caller's transaction with ``typed_code`` becomes
    the board's admin: only with the fresh board's setup code while the board has no admin
    (``WrongSetupCode`` for another code while one waits), taken away in one guarded delete so
    of two at once only one may use it.
    """
    expected = await setup_code()
    if not typed_code.strip() or expected is None:
        return False  # no code typed, or it was used already (a form opened before): a plain member
    if not setup_code_matches(expected, typed_code):
        raise WrongSetupCode()
    claimed = await (
        SiteSetting.delete()
        .where((SiteSetting.key == FIRST_MEMBER_SETTING) & (SiteSetting.value == expected))
        .returning(SiteSetting.key)
    )
    return bool(claimed)
