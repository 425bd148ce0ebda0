"""Admins: members' roles and the watched words, each change logged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prayerboard import policy
from prayerboard.db import is_unique_violation, transaction
from prayerboard.forms import FormErrors
from prayerboard.policy import Actor
from prayerboard.services import site
from prayerboard.services.errors import NotFound
from prayerboard.services.moderation.log import Target, record
from prayerboard.tables import Member, WatchedWord
from prayerboard.vocab import TEAM_ROLES, MemberState, Role, TargetKind, WatchedWordAction

ROLES_REFUSAL = "Only an admin can change roles."
ROLES_PAGE_MAX = 100  # members listed at once: a board of thousands is searched, not scrolled
SEARCH_MAX = 64
WORDS_REFUSAL = "Only an admin can edit watched words."


async def set_role(actor: Actor | None, member_id: int, role: str, reason: str) -> None:
    admin = policy.require(actor, "manage_roles", refusal=ROLES_REFUSAL)
    if Role.parse(role) is None:
        raise FormErrors({"role": "Choose a role from the list."}, {})
    async with transaction():
        if not await Member.exists().where(Member.id == member_id):
            raise NotFound()
        await Member.update({Member.role: role}).where(Member.id == member_id)
        if role == Role.ADMIN:
            await site.forget_setup_code()
        await record(admin, f"role_{role}", Target.member(member_id), member_id, reason)


@dataclass(frozen=True, slots=True)
class RoleRow:
    """A member as the roles page lists them."""

    id: int
    username: str
    display_name: str
    role: Role
    state: MemberState


@dataclass(frozen=True, slots=True)
class WatchedWordView:
    id: int
    word: str
    action: WatchedWordAction


@dataclass(frozen=True, slots=True)
class RoleList:
    """The roles page's list: the members found, and whether there were more than it shows."""

    members: list[RoleRow]
    more: bool


async def members_for_roles(actor: Actor | None, search: str = "") -> RoleList:
    """Members and their roles: the prayer team, moderators and admins by default; with
    ``search``, anyone whose username or display name contains it. At most ``ROLES_PAGE_MAX``."""
    policy.require(actor, "manage_roles", refusal=ROLES_REFUSAL)
    term = search.strip()[:SEARCH_MAX]
    query = Member.select(Member.id, Member.username, Member.display_name, Member.role, Member.state).where(
        Member.state != MemberState.DELETED
    )
    if term:
        # LIKE on SQLite ignores case (ASCII); PostgreSQL needs ILIKE. A "%" or "_" typed here
        # only widens an admin's own search.
        pattern = f"%{term}%"
        if Member._meta.db.engine_type == "sqlite":
            query = query.where(Member.username_key.like(f"%{term.casefold()}%") | Member.display_name.like(pattern))
        else:
            query = query.where(Member.username_key.like(f"%{term.casefold()}%") | Member.display_name.ilike(pattern))
    else:
        query = query.where(Member.role.is_in(sorted(TEAM_ROLES)))
    rows: list[dict[str, Any]] = await query.order_by(Member.username_key).limit(ROLES_PAGE_MAX + 1)
    return RoleList(members=_role_rows(rows[:ROLES_PAGE_MAX]), more=len(rows) > ROLES_PAGE_MAX)


def _role_rows(rows: list[dict[str, Any]]) -> list[RoleRow]:
    return [
        RoleRow(
            id=r["id"],
            username=r["username"],
            display_name=r["display_name"],
            role=Role(r["role"]),
            state=MemberState(r["state"]),
        )
        for r in rows
    ]


async def watched_words(actor: Actor | None) -> list[WatchedWordView]:
    policy.require(actor, "manage_roles", refusal=WORDS_REFUSAL)
    rows: list[dict[str, Any]] = await WatchedWord.select(
        WatchedWord.id, WatchedWord.word, WatchedWord.action
    ).order_by(WatchedWord.word)
    return [WatchedWordView(id=r["id"], word=r["word"], action=WatchedWordAction(r["action"])) for r in rows]


async def add_watched_word(actor: Actor | None, word: str, action: str) -> None:
    admin = policy.require(actor, "manage_roles", refusal=WORDS_REFUSAL)
    errors = {}
    if not word or len(word) > 100:
        errors["word"] = "Enter a word or phrase of at most 100 characters."
    if WatchedWordAction.parse(action) is None:
        errors["action"] = "Choose whether the word blocks a post or sends it to review."
    if errors:
        raise FormErrors(errors, {"word": word, "action": action})
    async with transaction():
        try:
            await WatchedWord.insert(WatchedWord(word=word.casefold(), action=action))
        except Exception as exc:
            if is_unique_violation(exc):
                raise FormErrors({"word": "That word is already watched."}, {"word": word}) from exc
            raise
        await record(admin, f"watch_{action}", Target(TargetKind.WORD, 0), None, word)


async def remove_watched_word(actor: Actor | None, word_id: int) -> None:
    admin = policy.require(actor, "manage_roles", refusal=WORDS_REFUSAL)
    async with transaction():
        row = await WatchedWord.select(WatchedWord.word).where(WatchedWord.id == word_id).first()
        if row is None:
            raise NotFound()
        await WatchedWord.delete().where(WatchedWord.id == word_id)
        await record(admin, "unwatch", Target(TargetKind.WORD, word_id), None, row["word"])
