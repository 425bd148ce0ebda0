"""Every rule of ``forms.py``: what each parser keeps, what it refuses and the words it refuses with."""

from __future__ import annotations

import pytest

from prayerboard import forms, tables
from prayerboard.forms import FormErrors
from prayerboard.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH

CATEGORIES = ("Health and healing", "Family", "Other")
GENERIC_LOGIN_ERROR = "That username and password do not match."
GOOD_REGISTRATION = {
    "username": "ruth",
    "display_name": "Ruth Author",
    "email": "Ruth@Example.org",
    "password": "a gentle password 42",
}
GOOD_POST = {
    "kind": "request",
    "title": "Please pray for my mother",
    "body": "She has surgery on Friday.",
    "category": "Health and healing",
    "visibility": "public",
}


def refused(parse, raw, *args) -> dict[str, str]:
    """The messages a parser refuses ``raw`` with (it must refuse)."""
    with pytest.raises(FormErrors) as caught:
        parse(raw, *args)
    return caught.value.errors


# ---------------------------------------------------------------------------------------------
# clean_text


@pytest.mark.parametrize(
    ("raw", "multiline", "expected"),
    [
        (None, False, ""),
        ("", True, ""),
        ("   \t \n ", False, ""),
        ("  hello  ", False, "hello"),
        (42, False, "42"),
        # NFC: "e" + combining acute becomes the one character é.
        ("Caf\u0065\u0301", False, "Caf\u00e9"),
        # Control characters go, NUL among them (PostgreSQL refuses it in text).
        ("a\x00b\x07c\x1bd\x7fe", False, "abcde"),
        ("a\x00b", True, "ab"),
        # One-line fields: line breaks and tabs become single spaces.
        ("one\ntwo\tthree\r\nfour", False, "one two three four"),
        ("many     spaces", False, "many spaces"),
        # Many-line fields: Windows and old Mac line endings unified, tabs kept, at most one blank line.
        ("one\r\ntwo\rthree", True, "one\ntwo\nthree"),
        ("a\tb", True, "a\tb"),
        ("first\n\n\n\n\nsecond", True, "first\n\nsecond"),
        # Bidirectional embeddings, overrides and isolates go everywhere (text that reads
        # differently than it is written).
        ("abc\u202edcba", False, "abcdcba"),
        ("abc\u202edcba\u202c", True, "abcdcba"),
        ("\u2066x\u2067y\u2068z\u2069", True, "xyz"),
        # Zero-width characters and the plain direction marks go from one-line fields only: a
        # name must not hide characters, while a right-to-left paragraph may need its marks.
        ("Ru\u200bth\ufeff", False, "Ruth"),
        ("Ru\u200bth", True, "Ru\u200bth"),
        ("\u05e9\u05dc\u05d5\u05dd\u200f!", False, "\u05e9\u05dc\u05d5\u05dd!"),
        ("\u05e9\u05dc\u05d5\u05dd\u200f!", True, "\u05e9\u05dc\u05d5\u05dd\u200f!"),
        # Letters of any script and emoji are kept as typed.
        ("Ζωή 🙏 żółć", False, "Ζωή 🙏 żółć"),
    ],
)
def test_clean_text(raw, multiline, expected):
    assert forms.clean_text(raw, multiline=multiline) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("on", True),
        ("true", True),
        ("1", True),
        ("yes", True),
        (" ON ", True),
        ("", False),
        (None, False),
        ("off", False),
        ("0", False),
    ],
)
def test_checkbox(raw, expected):
    assert forms.checkbox(raw) is expected


# ---------------------------------------------------------------------------------------------
# Registration


def test_registration_is_cleaned_and_the_email_lowered():
    form = forms.parse_registration(
        {**GOOD_REGISTRATION, "username": " ruth ", "display_name": "  Ruth\tAuthor  ", "password": " spaced out  pw "}
    )
    assert form == forms.Registration("ruth", "Ruth Author", "ruth@example.org", " spaced out  pw ")


@pytest.mark.parametrize("username", ["ab", "Ruth_1", "r.u-t_h", "_under", "9lives", "x" * tables.USERNAME_MAX])
def test_usernames_that_are_kept(username):
    assert forms.parse_registration({**GOOD_REGISTRATION, "username": username}).username == username


USERNAME_RULE = "Use 2 to 32 letters, digits, dots, dashes or underscores, starting with a letter or digit."


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("", "Username is required."),
        ("\u200b", "Username is required."),
        ("a", USERNAME_RULE),
        (".ruth", USERNAME_RULE),
        ("-ruth", USERNAME_RULE),
        ("ru th", USERNAME_RULE),
        ("ruth!", USERNAME_RULE),
        ("rúth", USERNAME_RULE),
        ("ruth\u0430", USERNAME_RULE),  # a Cyrillic а at the end
        ("x" * (tables.USERNAME_MAX + 1), f"Username must be at most 32 characters (it is {tables.USERNAME_MAX + 1})."),
    ],
)
def test_usernames_that_are_refused(username, message):
    assert refused(forms.parse_registration, {**GOOD_REGISTRATION, "username": username}) == {"username": message}


def test_display_name_limits():
    longest = "N" * tables.DISPLAY_NAME_MAX
    assert forms.parse_registration({**GOOD_REGISTRATION, "display_name": longest}).display_name == longest
    assert refused(forms.parse_registration, {**GOOD_REGISTRATION, "display_name": longest + "N"}) == {
        "display_name": "Display name must be at most 60 characters (it is 61)."
    }
    assert refused(forms.parse_registration, {**GOOD_REGISTRATION, "display_name": "  "}) == {
        "display_name": "Display name is required."
    }


@pytest.mark.parametrize(
    ("display_name", "shown"),
    [
        ("Ruth\u200bAuthor", "U+200B"),
        ("Ruth\u202eAuthor", "U+202E"),
        ("Ruth\u00adAuthor", "U+00AD"),  # a soft hyphen draws nothing mid-word
        ("Ruth\u3164Author", "U+3164"),  # a Hangul filler draws as blank space
        ("\u2800Ruth", "U+2800"),
        ("R\u200bu\u200ct\u200dh\u2060", "U+200B, U+200C, U+200D"),  # the first three are named
    ],
)
def test_display_names_with_hidden_characters_are_refused_and_named(display_name, shown):
    """The person is told which characters, instead of being given a name other than the one typed."""
    assert refused(forms.parse_registration, {**GOOD_REGISTRATION, "display_name": display_name}) == {
        "display_name": f"Your name contains characters that can't be seen ({shown}). "
        "Please use visible letters, digits and spaces."
    }


def test_a_display_name_of_only_hidden_characters_is_missing():
    assert refused(forms.parse_registration, {**GOOD_REGISTRATION, "display_name": "\u200b\u200b"}) == {
        "display_name": "Display name is required."
    }


def test_a_display_name_in_another_script_is_kept():
    assert forms.parse_registration({**GOOD_REGISTRATION, "display_name": "שלום עליכם"}).display_name == "שלום עליכם"


@pytest.mark.parametrize(
    "email",
    [
        "",
        "ruth",
        "ruth@",
        "@example.org",
        "ruth@example",
        "ru th@example.org",
        "ruth\u00a0b@example.org",
        'x"y"@example.org',
        "root,eve@evil.org",
        "postmaster>eve@evil.org",
        "<ruth@example.org>",
        "Ruth <ruth@example.org>",
        "ruth(c)@example.org",
        "ruth:x@example.org",
        "ruth;eve@example.org",
        "ruth@[127.0.0.1]",
        "ru\\th@example.org",
    ],
)
def test_emails_that_are_refused(email):
    message = "Email is required." if not email else "Enter an email address like name@example.org."
    assert refused(forms.parse_registration, {**GOOD_REGISTRATION, "email": email}) == {"email": message}


@pytest.mark.parametrize("email", ["ruth.b+prayers@example.org", "o'brien@example.org", "rút@exämple.org"])
def test_emails_that_are_kept(email):
    assert forms.parse_registration({**GOOD_REGISTRATION, "email": email}).email == email.lower()


def test_an_email_over_its_length_is_refused_by_length():
    email = "a" * 250 + "@x.org"
    assert refused(forms.parse_registration, {**GOOD_REGISTRATION, "email": email}) == {
        "email": f"Email must be at most 254 characters (it is {len(email)})."
    }


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", f"Use at least {PASSWORD_MIN_LENGTH} characters."),
        ("x" * (PASSWORD_MIN_LENGTH - 1), f"Use at least {PASSWORD_MIN_LENGTH} characters."),
        ("long enough\x00", "The password contains a character that cannot be used."),
        ("x" * (PASSWORD_MAX_LENGTH + 1), "Use at most 1,000 characters (this one has 1,001)."),
    ],
)
def test_passwords_that_are_refused(password, message):
    assert refused(forms.parse_registration, {**GOOD_REGISTRATION, "password": password}) == {"password": message}


@pytest.mark.parametrize("password", ["x" * PASSWORD_MIN_LENGTH, "x" * PASSWORD_MAX_LENGTH, "🙏" * PASSWORD_MIN_LENGTH])
def test_passwords_at_the_limits_are_kept_as_typed(password):
    assert forms.parse_registration({**GOOD_REGISTRATION, "password": password}).password == password


def test_every_field_is_told_at_once_and_the_password_is_never_echoed():
    with pytest.raises(FormErrors) as caught:
        forms.parse_registration(
            {"username": "a", "display_name": "", "email": "nope", "password": "short", "extra": "x\x00y"}
        )
    assert set(caught.value.errors) == {"username", "display_name", "email", "password"}
    # What goes back into the form: cleaned, and never the password.
    assert caught.value.values == {"username": "a", "display_name": "", "email": "nope", "extra": "xy"}


# ---------------------------------------------------------------------------------------------
# Sign-in


def test_login_keeps_the_password_exactly():
    assert forms.parse_login({"username": " ruth ", "password": "  with spaces  "}) == forms.Credentials(
        "ruth", "  with spaces  "
    )


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        ({"username": "", "password": "x"}, {"username": "Username is required."}),
        ({"username": "ruth", "password": ""}, {"password": "Password is required."}),
        ({"username": "ruth"}, {"password": "Password is required."}),
        # No account can have these: the same words as a wrong password, before any hashing.
        ({"username": "ruth", "password": "x" * (PASSWORD_MAX_LENGTH + 1)}, {"password": GENERIC_LOGIN_ERROR}),
        ({"username": "ruth", "password": "pass\x00word"}, {"password": GENERIC_LOGIN_ERROR}),
        (
            {"username": "x" * 201, "password": "x"},
            {"username": "Username must be at most 200 characters (it is 201)."},
        ),
    ],
)
def test_login_refusals(raw, errors):
    assert refused(forms.parse_login, raw) == errors


# ---------------------------------------------------------------------------------------------
# Posts, replies and other bodies


def test_a_post_is_cleaned_and_defaults_apply():
    form = forms.parse_post(
        {"title": "  Thanks\n", "body": "Line one\r\nLine two\n\n\n\nEnd", "category": "Family", "anonymous": "on"},
        CATEGORIES,
    )
    assert form == forms.PostInput("request", "Thanks", "Line one\nLine two\n\nEnd", "Family", "public", True)


@pytest.mark.parametrize(("kind", "visibility"), [("testimony", "members"), ("request", "team")])
def test_every_kind_and_visibility_is_accepted(kind, visibility):
    form = forms.parse_post({**GOOD_POST, "kind": kind, "visibility": visibility}, CATEGORIES)
    assert (form.kind, form.visibility, form.anonymous) == (kind, visibility, False)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "announcement", "Choose a prayer request or a testimony."),
        ("kind", "Request", "Choose a prayer request or a testimony."),
        ("visibility", "everyone", "Choose who can read it."),
        ("category", "", "Choose a category from the list."),
        ("category", "Family ", None),  # trimmed, then found: not an error
        ("category", "Finance", "Choose a category from the list."),
        ("title", "", "Title is required."),
        ("title", "\u202e\u200b", "Title is required."),
        ("title", "t" * (tables.TITLE_MAX + 1), "Title must be at most 120 characters (it is 121)."),
        ("body", " \n\n ", "Please write your request or testimony."),
        ("body", "b" * (tables.BODY_MAX + 1), "Your words must be at most 5,000 characters (it is 5,001)."),
    ],
)
def test_post_refusals(field, value, message):
    raw = {**GOOD_POST, field: value}
    if message is None:
        assert getattr(forms.parse_post(raw, CATEGORIES), field) == value.strip()
        return
    assert refused(forms.parse_post, raw, CATEGORIES) == {field: message}


def test_post_limits_are_counted_after_cleaning():
    """Characters that cleaning drops do not count against the limit, so what is stored fits it."""
    title = "t" * tables.TITLE_MAX + "\u202e\u200b\x00"
    assert forms.parse_post({**GOOD_POST, "title": title}, CATEGORIES).title == "t" * tables.TITLE_MAX
    body = "b" * tables.BODY_MAX + "\n\n\n"
    assert forms.parse_post({**GOOD_POST, "body": body}, CATEGORIES).body == "b" * tables.BODY_MAX


def test_parse_body_defaults_and_custom_words():
    assert forms.parse_body({"body": "  Praying\r\nfor you  "}) == "Praying\nfor you"
    assert refused(forms.parse_body, {"body": ""}) == {"body": "Please write a few words first."}
    assert refused(forms.parse_body, {"body": "r" * (tables.REPLY_MAX + 1)}) == {
        "body": "Your words must be at most 5,000 characters (it is 5,001)."
    }
    with pytest.raises(FormErrors) as caught:
        forms.parse_body({"body": "x" * 11}, label="Your note", missing="Say why.", max_length=10)
    assert caught.value.errors == {"body": "Your note must be at most 10 characters (it is 11)."}
    with pytest.raises(FormErrors) as caught:
        forms.parse_body({}, label="Your note", missing="Say why.", max_length=10)
    assert caught.value.errors == {"body": "Say why."}


# ---------------------------------------------------------------------------------------------
# Ids in paths and query strings


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        (7, 7),
        ("0042", 42),
        (str(2**31 - 1), 2**31 - 1),
        (str(2**31), None),
        ("0", None),
        ("-1", None),
        ("+1", None),
        ("1.0", None),
        (" 1", None),
        ("", None),
        (None, None),
        ("٣", None),  # an Arabic-Indic digit: a digit, but not an id
        ("１", None),  # a full-width digit
        ("9" * 19, None),
        ("abc", None),
    ],
)
def test_parse_id(raw, expected):
    assert forms.parse_id(raw) == expected
