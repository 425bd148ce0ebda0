"""The moderation action table as plain data, and the views moderators are handed: no server,
no database (docs/moderation.md; docs/privacy.md, "Acting on an anonymous author").

The expectations are written out here, not computed from the table, so a change to the table
that changes what moderators can do shows up as a failing line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest

from prayerboard.policy import RULES
from prayerboard.services.moderation.actions import ACTIONS, TABLE, Effect, ItemState, Place, lookup, offered
from prayerboard.services.moderation.items import ItemRow
from prayerboard.services.moderation.log import LogEntry
from prayerboard.services.moderation.queue import ItemAuthor, ItemDetail, QueueItem
from prayerboard.services.restrictions import PlacedRestriction, WaitingRestriction
from prayerboard.vocab import ModerationState, TargetKind

P, V, H, R = ModerationState.PENDING, ModerationState.VISIBLE, ModerationState.HIDDEN, ModerationState.REMOVED
POST, REPLY, MEMBER = TargetKind.POST, TargetKind.REPLY, TargetKind.MEMBER

# Which moderation states each content action applies in (other conditions at their easiest).
STATES = {
    "approve": {P},
    "reject": {P},
    "hide": {V},
    "unhide": {H, R},
    "remove": {P, V, H},
    "dismiss": {P, V, H, R},
    "anonymise": {P, V, H, R},
    "lock": {P, V, H, R},
    "unlock": {P, V, H, R},
    "silence_author": {P, V, H, R},
    "suspend_author": {P, V, H, R},
    "reveal": {P, V, H, R},
    "redact": {P, V, H, R},
    "lift": {P, V, H, R},
}
KINDS = {
    **dict.fromkeys(("approve", "reject", "hide", "unhide", "remove", "dismiss", "redact"), {POST, REPLY}),
    **dict.fromkeys(("anonymise", "lock", "unlock", "silence_author", "suspend_author", "reveal", "lift"), {POST}),
    **dict.fromkeys(("silence", "suspend", "restore", "note"), {MEMBER}),
}
NO_REASON_NEEDED = {"approve", "unhide", "dismiss", "unlock", "note"}
LOG_ACTIONS = {
    "approve": "approve",
    "reject": "reject",
    "hide": "hide",
    "unhide": "unhide",
    "remove": "remove",
    "dismiss": "dismiss",
    "anonymise": "anonymise",
    "lock": "lock",
    "unlock": "unlock",
    "redact": "redact",
    "silence_author": "silence_author",
    "suspend_author": "suspend_author",
    "lift": "lift_author_restriction",
    "reveal": "reveal_author",
    "silence": "silence",
    "suspend": "suspend",
    "restore": "restore",
    "note": "note",
}


def easiest(kind: TargetKind, state: ModerationState, action: str) -> ItemState:
    """The item in ``state`` with whatever else ``action`` needs (reports, a lock, anonymity)."""
    return ItemState(kind, state, replies_locked=action == "unlock", open_reports=True, anonymous=True)


def test_the_table_names_every_action_once_and_the_lookup_knows_them_all():
    assert [a.name for a in TABLE] == list(ACTIONS)
    assert set(ACTIONS) == set(KINDS)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_each_action_is_for_the_kinds_it_names(name):
    for kind in TargetKind:
        assert (lookup(name, kind) is not None) == (kind in KINDS[name]), (name, kind)


def test_unknown_actions_are_not_found():
    for name in ("explode", "", "APPROVE", "approve ", "lift_author_restriction", "reveal_author"):
        for kind in TargetKind:
            assert lookup(name, kind) is None


@pytest.mark.parametrize("name", sorted(STATES))
def test_content_actions_apply_in_their_states_only(name):
    action = ACTIONS[name]
    for kind, state in itertools.product(sorted(KINDS[name]), ModerationState):
        assert action.applies_to(easiest(kind, state, name)) == (state in STATES[name]), (name, kind, state)


def test_lock_only_while_unlocked_and_unlock_only_while_locked():
    for locked in (False, True):
        item = ItemState(POST, V, replies_locked=locked)
        assert ACTIONS["lock"].applies_to(item) is not locked
        assert ACTIONS["unlock"].applies_to(item) is locked


def test_dismiss_only_with_open_reports():
    for state in ModerationState:
        assert not ACTIONS["dismiss"].applies_to(ItemState(POST, state, open_reports=False))
        assert ACTIONS["dismiss"].applies_to(ItemState(REPLY, state, open_reports=True))


def test_anonymise_until_a_moderator_has_and_not_again():
    # A post anonymous by its author's choice (or "hide my name") can still be made so for good.
    assert ACTIONS["anonymise"].applies_to(ItemState(POST, V, anonymous=False))
    assert ACTIONS["anonymise"].applies_to(ItemState(POST, V, anonymous=True))
    assert not ACTIONS["anonymise"].applies_to(ItemState(POST, V, anonymous=True, anonymised_for_good=True))


def test_reveal_only_on_an_anonymous_post_and_only_for_admins():
    assert not ACTIONS["reveal"].applies_to(ItemState(POST, V, anonymous=False))
    assert ACTIONS["reveal"].applies_to(ItemState(POST, V, anonymous=True))
    assert ACTIONS["reveal"].permission == "reveal_author"
    assert {a.permission for a in TABLE if a.name != "reveal"} == {"moderate"}


def test_every_permission_is_a_policy_rule():
    for action in TABLE:
        assert action.permission in RULES, action.name


def test_member_actions_apply_to_members_whatever_their_state():
    for name in ("silence", "suspend", "restore", "note"):
        assert ACTIONS[name].applies_to(ItemState(MEMBER))
        assert not ACTIONS[name].applies_to(ItemState(POST))


def test_which_actions_need_a_reason():
    assert {a.name for a in TABLE if not a.needs_reason} == NO_REASON_NEEDED


def test_every_action_has_its_log_label():
    assert {a.name: a.log_action for a in TABLE} == LOG_ACTIONS
    # The log page turns "_" into spaces; a label must read as words.
    for action in TABLE:
        assert action.log_action and action.log_action == action.log_action.strip().lower(), action.name


def test_what_each_action_changes():
    moderation = {a.name: a.sets_moderation for a in TABLE if a.effect == Effect.MODERATE}
    assert moderation == {"approve": V, "reject": R, "hide": H, "unhide": V, "remove": R}
    assert {a.name for a in TABLE if a.author_reads_reason} == {"reject", "hide", "remove"}
    assert {a.name: a.sets_locked for a in TABLE if a.effect == Effect.LOCK} == {"lock": True, "unlock": False}
    members = {a.name: a.sets_member_state for a in TABLE if a.effect == Effect.MEMBER_STATE}
    assert members == {"silence": "silenced", "suspend": "suspended", "restore": "active"}


def test_notices_the_author_gets():
    said = {a.name: a.notice_for(REPLY if REPLY in a.kinds else POST, "R") for a in TABLE if a.notice}
    assert said == {
        "approve": "A moderator approved your reply.",
        "reject": "A moderator declined your reply: R",
        "hide": "A moderator hid your reply: R",
        "unhide": "A moderator restored your reply.",
        "remove": "A moderator removed your reply: R",
        "anonymise": "A moderator made your post anonymous: R",
        "lock": "A moderator closed replies on your post.",
        "unlock": "A moderator reopened replies on your post.",
        "redact": "A moderator edited your reply: R",
        "silence": "A moderator has paused your posting and replies: R",
        "restore": "A moderator has restored your account.",
    }
    # Suspended members cannot read a notice; restrictions word theirs in services/restrictions.py;
    # a reveal and a note tell no one; a dismissal is no news to the author.
    assert {a.name for a in TABLE if not a.notice} == {
        "dismiss",
        "silence_author",
        "suspend_author",
        "reveal",
        "lift",
        "suspend",
        "note",
    }


def test_what_the_moderator_reads_after_acting():
    assert ACTIONS["hide"].done_for(POST) == "The post is hidden."
    assert ACTIONS["unhide"].done_for(REPLY) == "The reply is visible again."
    assert ACTIONS["silence"].done_for(MEMBER) == "The member is silenced."
    # Restricting "the author of post #N" says nothing that could differ by author.
    assert {a.name for a in TABLE if not a.done} == {"silence_author", "suspend_author", "reveal", "lift"}


def test_the_item_page_offers_only_what_applies():
    def names(item: ItemState, place: Place = Place.BUTTONS) -> list[str]:
        return [a.name for a in offered(item, place)]

    fresh = ItemState(POST, V)
    assert names(fresh) == ["hide", "remove", "anonymise", "lock", "silence_author", "suspend_author"]
    held = ItemState(POST, P, anonymous=True)
    assert names(held) == [
        "approve",
        "reject",
        "remove",
        "anonymise",
        "lock",
        "silence_author",
        "suspend_author",
        "reveal",
    ]
    reported_hidden_locked = ItemState(POST, H, replies_locked=True, open_reports=True)
    assert names(reported_hidden_locked) == [
        "unhide",
        "remove",
        "dismiss",
        "anonymise",
        "unlock",
        "silence_author",
        "suspend_author",
    ]
    assert names(ItemState(REPLY, R)) == ["unhide"]
    assert names(ItemState(REPLY, V), Place.REDACT) == ["redact"]
    assert names(ItemState(POST, V), Place.LIFT) == ["lift"]
    assert names(ItemState(MEMBER)) == ["silence", "suspend", "restore"]
    assert names(ItemState(MEMBER), Place.NOTE) == ["note"]


# ---------------------------------------------------------------------------------------------
# The views moderators are handed


AUTHOR_ID = 7
WHY = "Held for review: a watched word"


def item_row(
    kind: TargetKind = POST, anonymous: bool = False, moderation: ModerationState = V, reason: str = WHY
) -> ItemRow:
    return ItemRow(
        kind=kind,
        id=3,
        public_id="k3xq9vd2ma",
        post=3,
        post_public_id="k3xq9vd2ma",
        author=AUTHOR_ID,
        title="A title" if kind == POST else "",
        body="A body",
        moderation=moderation,
        moderation_reason=reason,
        anonymous=anonymous,
        anonymised_for_good=False,
        replies_locked=False,
    )


def detail(row: ItemRow, username: str | None = "ruth") -> ItemDetail:
    return ItemDetail.of(row, username, reports=(), revisions=(), allowed={})


def test_a_named_item_names_its_author_and_keeps_its_reason():
    shown = detail(item_row(moderation=P))
    assert shown.author == ItemAuthor(member_id=AUTHOR_ID, username="ruth")
    assert shown.reason == WHY
    assert shown.state_label == "Waiting for approval"


@pytest.mark.parametrize("kind", [POST, REPLY])
@pytest.mark.parametrize("state", [P, V, H, R])
def test_an_anonymous_item_carries_no_author_even_when_a_name_is_passed(kind, state):
    shown = detail(item_row(kind, anonymous=True, moderation=state), username="ruth")
    assert shown.author is None
    assert AUTHOR_ID not in [getattr(shown, f.name) for f in dataclasses.fields(shown)]
    assert "ruth" not in repr(shown)


def test_a_held_anonymous_post_carries_no_reason_but_a_hidden_one_does():
    assert detail(item_row(anonymous=True, moderation=P)).reason == ""
    # A moderator's own reason for hiding is about the text, and is kept.
    assert detail(item_row(anonymous=True, moderation=H, reason="Spam")).reason == "Spam"


def test_no_view_moderators_read_has_a_field_for_an_author_or_a_status():
    names = {f.name for view in (QueueItem, PlacedRestriction, WaitingRestriction) for f in dataclasses.fields(view)}
    assert not names & {"author", "author_username", "member", "member_id", "status"}
    assert {f.name for f in dataclasses.fields(ItemAuthor)} == {"member_id", "username"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        detail(item_row()).author = None  # type: ignore[misc]


def log_row(target_kind: str, target_id: int = 3) -> dict[str, object]:
    return {
        "action": "hide",
        "target_kind": target_kind,
        "target_id": target_id,
        "reason": "r",
        "created_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        "moderator_username": "mira",
        "member_username": "ruth",
    }


def test_a_log_entry_about_content_names_the_item_never_its_author():
    entry = LogEntry.from_row(log_row("post"), {POST: {3: "k3xq9vd2ma"}})
    assert (entry.target_address, entry.member_username) == ("k3xq9vd2ma", None)
    gone = LogEntry.from_row(log_row("reply"), {REPLY: {}})
    assert (gone.target_address, gone.member_username) == (None, None)
    about_member = LogEntry.from_row(log_row("member", AUTHOR_ID), {POST: {AUTHOR_ID: "k3xq9vd2ma"}})
    assert (about_member.target_address, about_member.member_username) == (None, "ruth")
