"""How a grouped notification is worded (services/notifications.py ``wording``): pure rules."""

from __future__ import annotations

import pytest

from prayerboard.services.notifications import NO_LONGER_AVAILABLE, wording
from prayerboard.vocab import NotificationKind as Kind

T = "Surgery on Tuesday"


@pytest.mark.parametrize(
    ("count", "name", "expected"),
    [
        (1, None, "Someone is praying for \u201cSurgery on Tuesday\u201d"),
        (4, None, "4 people are praying for \u201cSurgery on Tuesday\u201d"),
        (1, "Naomi", "Naomi is praying for \u201cSurgery on Tuesday\u201d"),
        (2, "Naomi", "Naomi and 1 other are praying for \u201cSurgery on Tuesday\u201d"),
        (4, "Naomi", "Naomi and 3 others are praying for \u201cSurgery on Tuesday\u201d"),
    ],
)
def test_praying_names_only_the_one_who_chose_it(count, name, expected):
    assert wording(Kind.PRAYING, count, T, name) == expected


@pytest.mark.parametrize(
    ("kind", "count", "expected"),
    [
        (Kind.REPLY, 1, "A new reply on \u201cSurgery on Tuesday\u201d"),
        (Kind.REPLY, 3, "3 new replies on \u201cSurgery on Tuesday\u201d"),
        (Kind.UPDATE, 1, "A new update on \u201cSurgery on Tuesday\u201d"),
        (Kind.UPDATE, 2, "2 new updates on \u201cSurgery on Tuesday\u201d"),
        (Kind.ANSWERED, 1, "\u201cSurgery on Tuesday\u201d has been marked answered"),
        (Kind.URGENT_REPORT, 1, "An urgent report: someone may be in danger (\u201cSurgery on Tuesday\u201d)"),
        (Kind.URGENT_REPORT, 2, "2 urgent reports: someone may be in danger (\u201cSurgery on Tuesday\u201d)"),
        (Kind.WAITING_POST, 1, "\u201cSurgery on Tuesday\u201d is waiting for approval"),
    ],
)
def test_each_kind_counts_its_events(kind, count, expected):
    assert wording(kind, count, T) == expected


@pytest.mark.parametrize("kind", [k for k in Kind if k != Kind.NOTICE])
def test_a_post_the_reader_may_no_longer_see_is_never_named(kind):
    assert wording(kind, 5, None, "Naomi") == NO_LONGER_AVAILABLE
