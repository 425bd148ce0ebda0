"""Search's pure parts: what a typed query becomes, and the snippet shown under a result."""

from __future__ import annotations

import pytest

from prayerboard.forms import FormErrors
from prayerboard.services import search
from prayerboard.services.search import SearchQuery, parse_query, snippet


@pytest.mark.parametrize(
    ("raw", "text", "words"),
    [
        ("", "", ()),
        (None, "", ()),
        ("  healing  ", "healing", ("healing",)),
        ("Mother surgery", "Mother surgery", ("Mother", "surgery")),
        # Search syntax of either engine is only ever words.
        ('"exact" AND (x* OR y)', '"exact" AND (x* OR y)', ("exact", "AND", "x", "OR", "y")),
        ("NEAR(a b) col:val", "NEAR(a b) col:val", ("NEAR", "a", "b", "col", "val")),
        ("***", "***", ()),
        ("emoji 🙏 only", "emoji 🙏 only", ("emoji", "only")),
        ("nul\x00byte", "nulbyte", ("nulbyte",)),
        # A word repeated in any case is searched once, as first typed.
        ("Pray pray PRAY for", "Pray pray PRAY for", ("Pray", "for")),
        ("żółć Ζωή", "żółć Ζωή", ("żółć", "Ζωή")),
        ("under_score", "under_score", ("under_score",)),
    ],
)
def test_parse_query(raw, text, words):
    assert parse_query(raw) == SearchQuery(text=text, words=words, ignored=0)


def test_words_past_the_limit_are_counted_not_searched():
    typed = " ".join(f"w{i}" for i in range(search.WORDS_MAX + 3))
    query = parse_query(typed + " w0 w1")  # repeats do not count twice
    assert query.words == tuple(f"w{i}" for i in range(search.WORDS_MAX))
    assert query.ignored == 3


def test_a_query_over_the_limit_is_refused_with_its_length():
    with pytest.raises(FormErrors) as caught:
        parse_query("x" * (search.QUERY_MAX + 1))
    assert caught.value.errors == {"q": "Please search for at most 200 characters (yours has 201)."}
    assert parse_query("x" * search.QUERY_MAX).words == ("x" * search.QUERY_MAX,)


def test_a_snippet_starts_at_the_text_when_the_word_is_near_the_start():
    body = "Please pray for my mother, who has surgery on Friday."
    assert snippet(body, ("surgery",)) == body
    assert snippet(body, ("absent",)) == body
    assert snippet(body, ()) == body


def test_a_snippet_starts_a_little_before_a_later_word():
    lead = "filler " * 30  # 210 characters before the match
    body = lead + "the word Healing is here, and more text follows."
    shown = snippet(body, ("healing",))
    assert shown.startswith("…")
    assert "Healing is here" in shown
    # It starts at a word boundary, within the lead's reach before the match.
    assert shown[1:].startswith("filler ")
    assert len(shown[1:].split("the word")[0]) <= search.SNIPPET_LEAD


def test_a_snippet_finds_words_whatever_their_accents_and_case():
    body = "x " * 80 + "We met at the CAFÉ on Sunday."
    assert "CAFÉ on Sunday" in snippet(body, ("cafe",))
    assert snippet(body, ("cafe",)).startswith("…")


def test_the_first_of_several_words_decides_where_the_snippet_starts():
    body = "a " * 50 + "alpha " + "b " * 50 + "omega"
    assert snippet(body, ("omega", "alpha")).startswith("…")
    assert "alpha" in snippet(body, ("omega", "alpha"))


def test_a_long_snippet_is_cut_with_an_ellipsis():
    body = "word " * 200
    shown = snippet(body, ("word",))
    assert shown.endswith("…")
    assert len(shown) <= search.SNIPPET_LENGTH + 1


@pytest.mark.parametrize(
    ("limit", "more", "next_limit"),
    [(20, True, 40), (20, False, None), (90, True, 100), (100, True, None)],
)
def test_more_results_grow_the_page_up_to_its_limit(limit, more, next_limit):
    results = search.SearchResults(query=SearchQuery(), results=[], limit=limit, more=more)
    assert results.next_limit == next_limit
