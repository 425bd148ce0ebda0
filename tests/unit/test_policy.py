"""The policy as plain data: every actor, every kind of row, every action. No server, no database.

The expected answers below are written out by hand from the rules in docs/privacy.md ("The
policy"), not computed by calling the policy, so a changed rule has to change this table too.
A rule asked about anything but the row type it reads refuses loudly instead of answering.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from dataclasses import dataclass

import pytest

from prayerboard.policy import RULES, Actor, MissingFact, WrongRow, can, require
from prayerboard.rows import MissingColumn, PostRow, ReplyRow
from prayerboard.services.errors import Forbidden, SignInRequired

AUTHOR_ID = 1
ACTORS = {
    "visitor": None,
    "pending": Actor(id=10, username="new", state="pending"),
    "member": Actor(id=2, username="naomi"),
    "silenced": Actor(id=3, username="quiet", state="silenced"),
    "suspended": Actor(id=4, username="away", state="suspended"),
    "author": Actor(id=AUTHOR_ID, username="ruth"),
    "team": Actor(id=5, username="boaz", role="team"),
    "moderator": Actor(id=6, username="eli", role="moderator"),
    "admin": Actor(id=7, username="deborah", role="admin"),
}
VISIBILITIES = ("public", "members", "team")
STATES = ("visible", "pending", "hidden", "removed")
NOW = dt.datetime(2026, 3, 3, 9, 41, 7, tzinfo=dt.UTC)


def post_row(**values: object) -> dict[str, object]:
    """A select's row for an open, visible, public, named request by the author."""
    row: dict[str, object] = {
        "id": 100,
        "public_id": "k3xq9vd2ma",
        "author": AUTHOR_ID,
        "kind": "request",
        "title": "Surgery on Friday",
        "body": "Please pray for a calm heart.",
        "category": "Health",
        "visibility": "public",
        "anonymous": False,
        "status": "open",
        "moderation": "visible",
        "replies_locked": False,
        "praying_count": 3,
        "reply_count": 1,
        "created_at": NOW,
        "answered_at": None,
        "edited_at": None,
        "changed_at": None,
        "moderation_reason": "",
        "edited_by_moderator": False,
        "anonymised_by_moderator": False,
        "author_display_name": "Ruth",
        "author_username": "ruth",
    }
    row.update(values)
    return row


def reply_row(**values: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": 200,
        "public_id": "p7wz2kq4rt",
        "post": 100,
        "post_public_id": "k3xq9vd2ma",
        "post_title": "Surgery on Friday",
        "author": AUTHOR_ID,
        "body": "With you.",
        "anonymous": False,
        "moderation": "visible",
        "moderation_reason": "",
        "edited_by_moderator": False,
        "created_at": NOW,
        "edited_at": None,
        "author_display_name": "Ruth",
        "author_username": "ruth",
    }
    row.update(values)
    return row


# ---------------------------------------------------------------------------------------------
# The expected answers. A post grid has one mark per (visibility, moderation state):
#                public    members   team
#                v p h r   v p h r   v p h r      (visible, pending, hidden, removed)
# "Y" allowed, "." refused; the same whether the post is anonymous or not.

NOBODY = ".... .... ...."
POST_GRIDS: dict[str, dict[str, str]] = {
    "view_post": {
        "visitor": "Y... .... ....",
        "pending": "Y... .... ....",
        "member": "Y... Y... ....",
        "silenced": "Y... Y... ....",
        "suspended": "Y... .... ....",
        "author": "YYYY YYYY YYYY",
        "team": "Y... Y... Y...",
        "moderator": "YYYY YYYY YYYY",
        "admin": "YYYY YYYY YYYY",
    },
    "edit_post": {"author": "YYY. YYY. YYY."},
    "delete_post": {"author": "YYY. YYY. YYY."},
    "add_update": {"author": "YYY. YYY. YYY."},
    "mark_answered": {"author": "YYY. YYY. YYY."},  # an open request
    "renew_post": {},  # an open request: nothing to renew
    "reply": {
        "member": "Y... Y... ....",
        "author": "Y... Y... Y...",
        "team": "Y... Y... Y...",
        "moderator": "Y... Y... Y...",
        "admin": "Y... Y... Y...",
    },
    "pray": {
        "member": "Y... Y... ....",
        "silenced": "Y... Y... ....",
        "author": "Y... Y... Y...",
        "team": "Y... Y... Y...",
        "moderator": "Y... Y... Y...",
        "admin": "Y... Y... Y...",
    },
    "flag": {name: "YYYY YYYY YYYY" for name in ("member", "silenced", "team", "moderator", "admin")},
}
# Who sees the author's name: (named, anonymous).
SEE_AUTHOR = {name: "Y." for name in ACTORS} | {"author": "YY"}

# A reply's marks, one per moderation state (visible, pending, hidden, removed).
REPLY_GRIDS: dict[str, dict[str, str]] = {
    "view_reply": {name: "Y..." for name in ACTORS} | {"author": "YYYY", "moderator": "YYYY", "admin": "YYYY"},
    "edit_reply": {"author": "YYY."},
    "delete_reply": {"author": "YYY."},
    "flag": {name: "YYYY" for name in ("member", "silenced", "team", "moderator", "admin")},
}

# Actions about no row: who may.
NO_ROW = {
    "create_post": {"member", "author", "team", "moderator", "admin"},
    "manage_own_account": {"pending", "member", "silenced", "author", "team", "moderator", "admin"},
    "moderate": {"moderator", "admin"},
    "reach_out": {"moderator", "admin"},
    "manage_site": {"admin"},
    "reveal_author": {"admin"},
    "confirm_author_restriction": {"admin"},
    "manage_roles": {"admin"},
}
# The board's settings: who it admits when open, and when members only.
ENTER_BOARD = {"open": set(ACTORS), "members_only": {"member", "silenced", "author", "team", "moderator", "admin"}}


def test_the_tables_cover_every_action_the_policy_knows():
    covered = set(POST_GRIDS) | set(REPLY_GRIDS) | set(NO_ROW) | {"see_author", "see_reply_author", "enter_board"}
    covered |= {"name_in_mail"}
    assert covered == set(RULES)


def _marks(grid: str) -> list[bool]:
    return [mark == "Y" for mark in grid.replace(" ", "")]


@pytest.mark.parametrize("action", sorted(POST_GRIDS))
def test_post_rules_for_every_actor_audience_state_and_anonymity(action):
    for name, actor in ACTORS.items():
        expected = _marks(POST_GRIDS[action].get(name, NOBODY))
        cells = list(itertools.product(VISIBILITIES, STATES))
        for anonymous in (False, True):
            got = [
                can(actor, action, PostRow.from_row(post_row(visibility=v, moderation=m, anonymous=anonymous)))
                for v, m in cells
            ]
            assert got == expected, (action, name, anonymous)


def test_mail_names_only_a_public_visible_named_post_to_anyone_even_its_author():
    for name, actor in ACTORS.items():
        for anonymous in (False, True):
            got = [
                can(actor, "name_in_mail", PostRow.from_row(post_row(visibility=v, moderation=m, anonymous=anonymous)))
                for v, m in itertools.product(VISIBILITIES, STATES)
            ]
            expected = NOBODY if anonymous else "Y... .... ...."
            assert got == _marks(expected), (name, anonymous)


def test_only_the_author_sees_their_name_on_an_anonymous_post_whoever_else_asks():
    for name, actor in ACTORS.items():
        for v, m in itertools.product(VISIBILITIES, STATES):
            got = [
                can(actor, "see_author", PostRow.from_row(post_row(visibility=v, moderation=m, anonymous=a)))
                for a in (False, True)
            ]
            assert got == _marks(SEE_AUTHOR[name]), (name, v, m)


@pytest.mark.parametrize("action", sorted(REPLY_GRIDS))
def test_reply_rules_for_every_actor_state_and_anonymity(action):
    for name, actor in ACTORS.items():
        expected = _marks(REPLY_GRIDS[action].get(name, "...."))
        for anonymous in (False, True):
            got = [can(actor, action, ReplyRow.from_row(reply_row(moderation=m, anonymous=anonymous))) for m in STATES]
            assert got == expected, (action, name, anonymous)


def test_only_the_author_sees_their_name_on_an_anonymous_reply():
    for name, actor in ACTORS.items():
        for m in STATES:
            got = [
                can(actor, "see_reply_author", ReplyRow.from_row(reply_row(moderation=m, anonymous=a)))
                for a in (False, True)
            ]
            assert got == _marks(SEE_AUTHOR[name]), (name, m)


@pytest.mark.parametrize("action", sorted(NO_ROW))
def test_actions_about_no_row(action):
    assert {name for name, actor in ACTORS.items() if can(actor, action)} == NO_ROW[action]


def test_members_only_board_admits_members_in_good_standing_only():
    @dataclass(frozen=True)
    class Site:
        members_only: bool

    for setting, members_only in (("open", False), ("members_only", True)):
        admitted = {name for name, actor in ACTORS.items() if can(actor, "enter_board", Site(members_only))}
        assert admitted == ENTER_BOARD[setting]


def test_locked_replies_are_for_moderators_alone():
    row = PostRow.from_row(post_row(replies_locked=True))
    assert {name for name, actor in ACTORS.items() if can(actor, "reply", row)} == {"moderator", "admin"}


def test_only_an_open_request_can_be_marked_answered_and_only_an_archived_one_renewed():
    author = ACTORS["author"]
    answered = {
        (kind, status)
        for kind, status in itertools.product(("request", "testimony"), ("open", "answered", "archived"))
        if can(author, "mark_answered", PostRow.from_row(post_row(kind=kind, status=status)))
    }
    assert answered == {("request", "open")}
    renewable = {
        m for m in STATES if can(author, "renew_post", PostRow.from_row(post_row(status="archived", moderation=m)))
    }
    assert renewable == {"visible", "pending", "hidden"}
    archived = PostRow.from_row(post_row(status="archived"))
    assert {name for name, actor in ACTORS.items() if can(actor, "renew_post", archived)} == {"author"}


def test_a_silenced_or_suspended_author_may_not_write_but_may_still_see_their_own():
    for state in ("silenced", "suspended"):
        author = Actor(id=AUTHOR_ID, username="ruth", state=state)
        post = PostRow.from_row(post_row(visibility="team", moderation="hidden"))
        reply = ReplyRow.from_row(reply_row())
        assert can(author, "view_post", post)
        assert not any(can(author, a, post) for a in ("edit_post", "delete_post", "add_update", "reply"))
        assert not can(author, "edit_reply", reply)
        assert can(author, "pray", PostRow.from_row(post_row())) is (state == "silenced")


def test_an_unknown_action_is_refused_for_everyone():
    row = PostRow.from_row(post_row())
    assert not any(can(actor, "publish_everything", row) for actor in ACTORS.values())


# ---------------------------------------------------------------------------------------------
# Refusing loudly

ROW_RULES = sorted(action for action, rule in RULES.items() if rule.takes)


def test_every_rule_about_posts_or_replies_names_its_row_type():
    assert set(ROW_RULES) == set(POST_GRIDS) | set(REPLY_GRIDS) | {"see_author", "see_reply_author", "name_in_mail"}


@pytest.mark.parametrize("action", ROW_RULES)
def test_a_dict_is_refused_loudly_never_answered(action):
    for row in (post_row(), reply_row(), {"author": 7}, {}):
        for actor in ACTORS.values():
            with pytest.raises(WrongRow):
                can(actor, action, row)


@pytest.mark.parametrize("action", ROW_RULES)
def test_no_row_or_the_wrong_kind_of_row_is_refused_loudly(action):
    post, reply = PostRow.from_row(post_row()), ReplyRow.from_row(reply_row())
    takes = RULES[action].takes or ()
    for obj in (None, object(), post, reply):
        if isinstance(obj, takes):
            continue
        for actor in ACTORS.values():
            with pytest.raises(WrongRow):
                can(actor, action, obj)


def test_the_old_hole_is_closed_an_author_id_alone_answers_nothing():
    with pytest.raises(WrongRow):
        can(None, "see_author", {"author": 7})
    assert issubclass(WrongRow, TypeError)


@pytest.mark.parametrize(("row_type", "full"), [(PostRow, post_row), (ReplyRow, reply_row)])
def test_a_row_missing_any_column_cannot_be_built(row_type, full):
    for column in (f.name for f in dataclasses.fields(row_type)):
        row = full()
        del row[column]
        with pytest.raises(MissingColumn) as raised:
            row_type.from_row(row)
        assert raised.value.columns == (column,)


def test_a_value_outside_the_vocabulary_cannot_be_read_into_a_row():
    with pytest.raises(ValueError):
        PostRow.from_row(post_row(visibility="friends"))
    with pytest.raises(ValueError):
        ReplyRow.from_row(reply_row(moderation="gone"))
    with pytest.raises(ValueError):
        Actor(id=1, role="owner")


def test_board_settings_without_the_setting_are_refused_loudly():
    for settings in (object(), {"members_only": True}, None):
        with pytest.raises(MissingFact):
            can(None, "enter_board", settings)


def test_require_answers_sign_in_for_visitors_and_forbidden_for_members():
    row = PostRow.from_row(post_row())
    assert require(ACTORS["author"], "edit_post", row) is ACTORS["author"]
    with pytest.raises(SignInRequired):
        require(None, "edit_post", row)
    with pytest.raises(Forbidden) as refused:
        require(ACTORS["member"], "edit_post", row, "Only the author can edit this post.")
    assert refused.value.message == "Only the author can edit this post."
    with pytest.raises(WrongRow):
        require(ACTORS["author"], "edit_post", post_row())
