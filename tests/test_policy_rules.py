"""The policy's rules as plain data: no server, no database, milliseconds.

Every rule refuses to answer about a row that lacks a column it needs (docs/privacy.md,
"The policy"), whoever asks; an action the policy does not know is refused.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from prayerboard.policy import RULES, Actor, MissingFact, can

AUTHOR = Actor(id=1, username="ruth", role="member")
OTHER = Actor(id=2, username="naomi", role="member")
TEAM = Actor(id=3, username="boaz", role="team")
MODERATOR = Actor(id=4, username="eli", role="moderator")
ADMIN = Actor(id=5, username="deborah", role="admin")
SILENCED = Actor(id=1, username="ruth", role="member", state="silenced")
ACTORS = (None, AUTHOR, OTHER, TEAM, MODERATOR, ADMIN, SILENCED)

# One value for every column any rule reads: an open, visible, public, named request by AUTHOR.
COMPLETE = {
    "author": AUTHOR.id,
    "moderation": "visible",
    "visibility": "public",
    "replies_locked": False,
    "kind": "request",
    "status": "open",
    "anonymous": False,
    "members_only": False,
}
# Other values each column may take, to reach every branch of every rule.
VALUES = {
    "author": (AUTHOR.id, OTHER.id),
    "moderation": ("visible", "pending", "hidden", "removed"),
    "visibility": ("public", "members", "team"),
    "replies_locked": (False, True),
    "kind": ("request", "testimony"),
    "status": ("open", "answered", "archived"),
    "anonymous": (False, True),
    "members_only": (False, True),
}


def row_for(action: str, **values: object) -> dict[str, object]:
    """Exactly the columns ``action``'s rule says it needs, from COMPLETE unless given."""
    return {column: values.get(column, COMPLETE[column]) for column in RULES[action].needs}


@pytest.mark.parametrize("action", sorted(RULES))
def test_rule_answers_for_a_complete_row(action):
    for actor in ACTORS:
        assert can(actor, action, dict(COMPLETE)) in (True, False)


@pytest.mark.parametrize(
    ("action", "column"), [(action, column) for action in sorted(RULES) for column in RULES[action].needs]
)
def test_rule_raises_when_a_needed_column_is_missing(action, column):
    row = dict(COMPLETE)
    del row[column]
    for actor in ACTORS:
        with pytest.raises(MissingFact) as raised:
            can(actor, action, row)
        assert raised.value.action == action and raised.value.column == column
        assert action in str(raised.value) and column in str(raised.value)


@pytest.mark.parametrize("action", sorted(action for action, rule in RULES.items() if rule.needs))
def test_rule_raises_when_given_no_row_at_all(action):
    with pytest.raises(MissingFact):
        can(AUTHOR, action, None)


@pytest.mark.parametrize("action", sorted(RULES))
def test_rule_reads_no_column_it_does_not_declare(action):
    """Every branch, for every actor, reads only the declared columns (else MissingFact)."""
    needs = RULES[action].needs
    for actor in ACTORS:
        for combination in itertools.product(*(VALUES[column] for column in needs)):
            can(actor, action, dict(zip(needs, combination, strict=True)))


def test_see_author_without_the_anonymous_flag_raises():
    with pytest.raises(MissingFact):
        can(None, "see_author", {"author": 7})


def test_missing_fact_is_a_lookup_error():
    assert issubclass(MissingFact, LookupError)


@pytest.mark.parametrize("action", ["", "view", "publish_post", "see_everything", "VIEW_POST"])
def test_unknown_action_is_refused(action):
    for actor in ACTORS:
        assert can(actor, action, dict(COMPLETE)) is False


def test_anonymous_post_names_its_author_to_the_author_alone():
    post = row_for("see_author", anonymous=True)
    assert [can(actor, "see_author", post) for actor in ACTORS] == [False, True, False, False, False, False, True]


def test_team_post_is_seen_by_author_team_and_moderators_only():
    post = row_for("view_post", visibility="team")
    assert [can(actor, "view_post", post) for actor in ACTORS] == [False, True, False, True, True, True, True]


def test_hidden_post_is_seen_by_its_author_and_moderators_only():
    post = row_for("view_post", moderation="hidden")
    assert [can(actor, "view_post", post) for actor in ACTORS] == [False, True, False, False, True, True, True]


def test_silenced_author_cannot_edit_or_reply_but_may_manage_their_account():
    assert not can(SILENCED, "edit_post", row_for("edit_post"))
    assert not can(SILENCED, "reply", row_for("reply"))
    assert can(SILENCED, "manage_own_account")


def test_locked_post_takes_replies_from_moderators_only():
    post = row_for("reply", replies_locked=True)
    assert not can(OTHER, "reply", post) and can(MODERATOR, "reply", post)


def test_members_only_board_reads_the_setting_by_attribute():
    @dataclass(frozen=True)
    class Site:
        members_only: bool

    assert can(None, "enter_board", Site(members_only=False))
    assert not can(None, "enter_board", Site(members_only=True))
    assert can(OTHER, "enter_board", Site(members_only=True))
    with pytest.raises(MissingFact):
        can(None, "enter_board", object())


def test_only_an_admin_confirms_a_restriction_on_a_privileged_author():
    assert [can(actor, "confirm_author_restriction") for actor in (None, AUTHOR, TEAM, MODERATOR, ADMIN)] == [
        False,
        False,
        False,
        False,
        True,
    ]
