"""Text handling: plain text to safe HTML, excerpts, bidi controls (text.py), and honest names (names.py)."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from prayerboard import names, text

# ---------------------------------------------------------------------------------------------
# text.py


def test_plain_text_is_escaped_never_read_as_html():
    html = text.render_plain_text('<script>alert("x")</script> & <b>bold</b>')
    assert isinstance(html, Markup)
    assert html == "<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;</p>"


def test_paragraphs_and_line_breaks():
    assert text.render_plain_text("one\ntwo\n\n  \n\nthree") == "<p>one<br>\ntwo</p>\n<p>three</p>"
    assert text.render_plain_text("") == ""
    assert text.render_plain_text("\n\n   \n") == ""


@pytest.mark.parametrize(
    ("raw", "html"),
    [
        (
            "see https://example.org/a?b=1&c=2.",
            '<p>see <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener noreferrer">'
            "https://example.org/a?b=1&amp;c=2</a>.</p>",
        ),
        (
            "(HTTP://EXAMPLE.ORG)",
            '<p>(<a href="HTTP://EXAMPLE.ORG" rel="nofollow ugc noopener noreferrer">HTTP://EXAMPLE.ORG</a>)</p>',
        ),
        # Only web addresses become links: no javascript:, no ftp:, no bare domains.
        ("javascript:alert(1) ftp://x.org example.org", "<p>javascript:alert(1) ftp://x.org example.org</p>"),
        # A quote ends the address, so nothing can break out of the href.
        (
            'https://x.org/"onmouseover="alert(1)',
            '<p><a href="https://x.org/" rel="nofollow ugc noopener noreferrer">https://x.org/</a>'
            "&#34;onmouseover=&#34;alert(1)</p>",
        ),
    ],
)
def test_web_addresses_become_links(raw, html):
    assert text.render_plain_text(raw) == html


def test_bidi_controls_are_dropped_where_text_is_read():
    """Text stored before the forms dropped them still cannot read backwards on a page."""
    assert text.render_plain_text("pay \u202eevil\u202c now") == "<p>pay evil now</p>"
    assert text.excerpt("a\u2066b\u2069c") == "abc"
    # The plain direction marks reorder nothing beyond themselves and are kept.
    assert text.neutralise_bidi("\u05e9\u200f!\u200e") == "\u05e9\u200f!\u200e"
    assert text.neutralise_bidi(None) == ""  # type: ignore[arg-type]


def test_excerpt_cuts_at_a_word_with_an_ellipsis():
    assert text.excerpt("short  text\non\tone line") == "short text on one line"
    words = "word " * 100
    cut = text.excerpt(words, 22)
    assert cut == "word word word word…"
    assert text.excerpt("Dear friends, please pray", 14) == "Dear friends…"  # the comma goes too
    exactly = "x" * text.EXCERPT_LENGTH
    assert text.excerpt(exactly) == exactly


# ---------------------------------------------------------------------------------------------
# names.py


@pytest.mark.parametrize(
    ("name", "hidden"),
    [
        ("Ruth Author", []),
        ("שלום", []),
        ("Zoë 🙏", []),
        ("tab\tand\nnewline", []),  # form whitespace becomes a plain space when cleaned
        ("a\u200bb\u200bc", ["U+200B"]),  # named once
        ("\u202eRuth", ["U+202E"]),
        ("Ru\u00adth", ["U+00AD"]),
        ("\u034f\u3164\u2800\u180b\ue000", ["U+034F", "U+3164", "U+2800", "U+180B", "U+E000"]),
        ("x\u2028y", ["U+2028"]),
    ],
)
def test_hidden_characters(name, hidden):
    assert names.hidden_characters(name) == hidden


@pytest.mark.parametrize(
    ("a", "b"),
    [("Ruth", "ruth"), ("  Ruth   Author ", "ruth author"), ("ＲＵＴＨ", "ruth"), ("Straße", "STRASSE")],
)
def test_copies_share_a_name_key(a, b):
    assert names.name_key(a) == names.name_key(b)


@pytest.mark.parametrize(
    "lookalike",
    [
        "ruth",
        "RUTH",
        "R u t h",
        "r.u_t-h",
        "Rúth",  # an accent
        "Ruṭh",  # a dot below
        "Ruth\u0301",  # a combining accent
        "Ruт\u04bb",  # Cyrillic т and һ
        "ʀᴜᴛʜ",  # small capitals
        "Ꭱuth",  # Cherokee
        "Ｒｕｔｈ",  # full width
    ],
)
def test_lookalikes_share_a_skeleton(lookalike):
    assert names.skeleton(lookalike) == names.skeleton("Ruth")


@pytest.mark.parametrize(
    ("a", "b"),
    [("admin", "adm1n"), ("Moderator", "M0derator"), ("william", "wiIIiam"), ("modern", "modem")],
)
def test_digit_sign_and_sequence_lookalikes(a, b):
    assert names.skeleton(a) == names.skeleton(b)


@pytest.mark.parametrize(("a", "b"), [("Ruth", "Ruby"), ("Anna", "Hannah"), ("Mark", "Marta"), ("שלום", "Ruth")])
def test_different_names_do_not_share_a_skeleton(a, b):
    assert names.skeleton(a) != names.skeleton(b)
