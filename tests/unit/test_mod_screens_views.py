"""The moderator screens' data (issue 11), as plain data: which member actions fit which state,
which actions ask first, and how the queue groups reports and filters items. No server, no
database; the pages themselves are tested in tests/test_mod_screens.py.
"""

from __future__ import annotations

import datetime as dt

import pytest

from prayerboard.services.moderation.actions import ACTIONS, TABLE
from prayerboard.services.moderation.queue import FILTERS, QueueItem, parse_filter
from prayerboard.vocab import MemberState, ModerationState, TargetKind

A, S, U, P, D = (
    MemberState.ACTIVE,
    MemberState.SILENCED,
    MemberState.SUSPENDED,
    MemberState.PENDING,
    MemberState.DELETED,
)
FITS = {
    "silence": {A},
    "suspend": {A, S},
    "restore": {S, U},
    "note": {A, S, U, P, D},
}


@pytest.mark.parametrize("name", sorted(FITS))
def test_member_actions_are_offered_in_the_states_they_fit(name):
    for state in MemberState:
        assert ACTIONS[name].fits_member(state) == (state in FITS[name]), (name, state)


def test_remove_and_suspend_ask_first_and_nothing_else_does():
    assert {a.name for a in TABLE if a.confirm} == {"remove", "suspend_author", "suspend"}
    assert ACTIONS["remove"].confirm_for(TargetKind.REPLY).startswith("Remove this reply?")
    assert ACTIONS["suspend"].confirm_for("member").startswith("Suspend this member?")


def item(reasons: tuple[str, ...] = (), moderation=ModerationState.VISIBLE, urgent=False) -> QueueItem:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return QueueItem(
        kind=TargetKind.POST,
        address="abc",
        post_address="abc",
        title="t",
        body="b",
        moderation=moderation,
        state_label=moderation.label,
        reasons=reasons,
        notes=(),
        urgent=urgent,
        coarse=False,
        since=now,
        waited=dt.timedelta(0),
        waited_hours=0,
    )


def test_a_queue_item_counts_each_reason_once_in_the_order_first_given():
    grouped = item(("Unkind or harmful", "Spam", "Unkind or harmful", "Unkind or harmful")).reason_counts
    assert grouped == (("Unkind or harmful", 3), ("Spam", 1))


def test_queue_filters_take_the_items_they_name():
    reported = item(("Spam",))
    urgent = item(("Someone may be in danger",), urgent=True)
    pending = item(moderation=ModerationState.PENDING)
    hidden = item(("Spam",), moderation=ModerationState.HIDDEN)
    expected = {
        "urgent": [urgent],
        "reports": [reported, urgent, hidden],
        "pending": [pending],
        "hidden": [hidden],
        None: [reported, urgent, pending, hidden],
    }
    for show, items in expected.items():
        assert [i for i in (reported, urgent, pending, hidden) if i.matches(show)] == items, show


def test_only_known_filters_are_read():
    assert [parse_filter(name) for name in FILTERS] == list(FILTERS)
    for raw in ("", "URGENT", "removed", None, 3, ["urgent"]):
        assert parse_filter(raw) is None
