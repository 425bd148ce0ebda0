"""Board settings as data: the order the categories form asks for, and stored values read back
safely (services/site.py)."""

from __future__ import annotations

import pytest

from prayerboard.services.site import (
    Category,
    CategoryChange,
    Limits,
    SiteSettings,
    _categories_from,
    _in_chosen_places,
    _int_or,
)

NAMES = ("A", "B", "C", "D")


def _order(*places: int) -> list[str]:
    changes = [CategoryChange(was=n, name=n, position=p, retired=False) for n, p in zip(NAMES, places, strict=True)]
    return [change.name for _, change in _in_chosen_places(changes)]


@pytest.mark.parametrize(
    ("places", "expected"),
    [
        ((1, 2, 3, 4), ["A", "B", "C", "D"]),  # nothing moved
        ((1, 2, 3, 1), ["D", "A", "B", "C"]),  # "1" moves a category to the top
        ((4, 2, 3, 4), ["B", "C", "D", "A"]),  # to the bottom
        ((1, 2, 4, 3), ["A", "B", "D", "C"]),  # two swapped
        ((1, 2, 3, 99), ["A", "B", "C", "D"]),  # past the end: the end
        ((0, 2, 3, 4), ["A", "B", "C", "D"]),  # before the start: the start
        ((2, 1, 3, 4), ["B", "A", "C", "D"]),
    ],
)
def test_each_category_given_a_new_place_goes_there_and_the_rest_keep_their_order(places, expected):
    assert _order(*places) == expected


@pytest.mark.parametrize(
    "stored",
    [None, "", "not json", "{}", "[1, 2]", '[{"nope": 1}]', "[]", "null"],
)
def test_a_stored_list_that_cannot_be_read_gives_the_defaults(stored):
    assert _categories_from(stored, ("X", "Y")) == (Category("X"), Category("Y"))


def test_a_stored_list_keeps_names_order_and_retirement():
    stored = '[{"name": "Grief", "retired": true}, {"name": "Café ✝"}]'
    assert _categories_from(stored, ("X",)) == (Category("Grief", True), Category("Café ✝", False))


@pytest.mark.parametrize(("value", "expected"), [("7", 7), ("0", 5), ("-3", 5), ("x", 5), (None, 5), ("10000000", 5)])
def test_a_stored_limit_out_of_range_gives_the_default(value, expected):
    assert _int_or(value, 5, minimum=1) == expected


def test_retired_categories_are_known_but_not_offered():
    site = SiteSettings(categories=(Category("A"), Category("B", retired=True), Category("C")))
    assert site.offered_categories == ("A", "C")
    assert site.known_categories == ("A", "B", "C")


def test_the_limits_replace_the_environments_and_keep_the_counters():
    class Base:
        pass

    from prayerboard.services.moderation.limits import ModerationRules

    counters = Base()
    rules = SiteSettings(limits=Limits(posts_per_hour=2, approve_first_posts=0)).rules(
        ModerationRules(counters=counters, posts_per_hour=10)  # type: ignore[arg-type]
    )
    assert rules.counters is counters
    assert (rules.posts_per_hour, rules.approve_first_posts, rules.flag_threshold) == (2, 0, 3)
