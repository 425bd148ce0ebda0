"""The templates' filters: dates, relative times and query strings."""

from __future__ import annotations

import datetime as dt

import pytest

from prayerboard.templating import format_date, iso_datetime, time_ago, with_query

NOW = dt.datetime(2026, 3, 10, 12, 30, 15, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC), "3 March 2026"),
        (dt.datetime(2026, 12, 25), "25 December 2026"),  # a naive time is read as UTC
        ("2026-01-01T00:00:00+00:00", "1 January 2026"),  # SQLite hands back text
        (None, ""),
    ],
)
def test_format_date(value, shown):
    assert format_date(value) == shown


def test_iso_datetime():
    assert iso_datetime("2026-03-03T09:05:07.123456") == "2026-03-03T09:05:07+00:00"
    assert iso_datetime(None) == ""


@pytest.mark.parametrize(
    ("ago", "shown"),
    [
        (dt.timedelta(seconds=5), "just now"),
        (dt.timedelta(seconds=59), "just now"),
        (dt.timedelta(minutes=1), "1 minute ago"),
        (dt.timedelta(minutes=59, seconds=59), "59 minutes ago"),
        (dt.timedelta(hours=1), "1 hour ago"),
        (dt.timedelta(hours=23, minutes=59), "23 hours ago"),
        (dt.timedelta(days=1), "yesterday"),
        (dt.timedelta(days=6, hours=23), "6 days ago"),
        (dt.timedelta(days=7), "3 March 2026"),
    ],
)
def test_time_ago(ago, shown):
    assert time_ago(NOW - ago, now=NOW) == shown


def test_a_time_given_to_the_hour_says_no_more_within_the_hour():
    """An anonymous author's time is stored to the hour; "2 minutes ago" would say more than that."""
    on_the_hour = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
    assert time_ago(on_the_hour, now=NOW) == "within the hour"
    assert time_ago(on_the_hour, now=on_the_hour + dt.timedelta(hours=2)) == "2 hours ago"


def test_time_ago_of_nothing_is_nothing():
    assert time_ago(None, now=NOW) == ""


def test_with_query():
    assert with_query({"q": "healing", "limit": 20}, limit=40) == "?q=healing&limit=40"
    assert with_query({"kind": "request"}, kind=None) == "?"
    assert with_query({"category": "Health and healing", "mine": False}) == "?category=Health+and+healing"
    assert with_query({}, q="a&b=c") == "?q=a%26b%3Dc"
