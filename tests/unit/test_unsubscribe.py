"""Unsubscribe links as plain data: signed for one member and one stream, refused when altered."""

from __future__ import annotations

from pathlib import Path

import pytest

from prayerboard.services import unsubscribe
from prayerboard.services.unsubscribe import UnsubscribeLinkInvalid, verify
from prayerboard.settings import Settings
from prayerboard.vocab import MailKind

SECRET = "a secret key long enough to be a real one"
BASE = "https://pray.example.org"

# Every kind a member chose, with the stream its link stops.
STREAMS = {
    MailKind.NEWS: "news",
    MailKind.NEWS_DIGEST: "news",
    MailKind.REVIEW: "review",
    MailKind.REVIEW_DIGEST: "review",
    MailKind.URGENT_REPORT: "urgent",
    MailKind.PRAYER_LIST: "prayer_list",
}
WITHOUT_LINK = (MailKind.PASSWORD_RESET, MailKind.CONFIRM_EMAIL, MailKind.FROM_MODERATOR)


def settings(secret: str = SECRET) -> Settings:
    return Settings(data_dir=Path("/nonexistent"), database_url="sqlite://", secret_key=secret, public_url=BASE + "/")


def token_of(url: str | None) -> str:
    assert url is not None and url.startswith(BASE + "/mail/unsubscribe/"), url
    return url.removeprefix(BASE + "/mail/unsubscribe/")


def test_every_kind_is_covered_by_the_tables_here() -> None:
    assert set(STREAMS) | set(WITHOUT_LINK) == set(MailKind)


@pytest.mark.parametrize("kind", list(STREAMS))
def test_a_link_verifies_as_its_member_and_stream(kind: MailKind) -> None:
    token = token_of(unsubscribe.link(settings(), 42, kind))
    member_id, stream = verify(SECRET, token)
    assert (member_id, stream.name) == (42, STREAMS[kind])
    assert len(token) <= unsubscribe.TOKEN_MAX and token.isascii()


def test_links_differ_by_member_and_stream_and_not_by_time() -> None:
    tokens = {token_of(unsubscribe.link(settings(), m, k)) for m in (1, 2) for k in ("news", "urgent_report")}
    assert len(tokens) == 4
    # No expiry: the same member and stream always get the same link, so old mail keeps working.
    assert unsubscribe.link(settings(), 7, "news") == unsubscribe.link(settings(), 7, "news_digest")


@pytest.mark.parametrize("kind", WITHOUT_LINK)
def test_kinds_the_member_did_not_choose_have_no_link_and_no_headers(kind: MailKind) -> None:
    assert unsubscribe.link(settings(), 42, kind) is None
    assert unsubscribe.headers(settings(), 42, kind) == {}


def test_an_unknown_kind_has_no_link() -> None:
    assert unsubscribe.link(settings(), 42, "something_new") is None


def test_headers_are_exactly_rfc_8058s() -> None:
    url = unsubscribe.link(settings(), 42, MailKind.NEWS)
    assert unsubscribe.headers(settings(), 42, MailKind.NEWS) == {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def test_a_message_to_no_member_has_no_headers() -> None:
    assert unsubscribe.headers(settings(), None, MailKind.NEWS) == {}


def test_a_link_signed_with_another_secret_is_refused() -> None:
    token = token_of(unsubscribe.link(settings("another secret key, from another board"), 42, "news"))
    with pytest.raises(UnsubscribeLinkInvalid):
        verify(SECRET, token)


def test_a_password_reset_signature_cannot_pass_for_an_unsubscribe_one() -> None:
    # Each use derives its own key from the secret key.
    token = token_of(unsubscribe.link(settings(), 42, "news"))
    _, stream, signature = token.split(".")
    assert unsubscribe._signature(SECRET, 42, stream) == signature
    assert unsubscribe._signature(SECRET + "x", 42, stream) != signature


@pytest.mark.parametrize(
    "altered",
    [
        lambda t: "43" + t[2:],  # another member
        lambda t: "142" + t[2:],
        lambda t: "042" + t[2:],  # the same number, written otherwise
        lambda t: t.replace(".news.", ".urgent."),  # another stream
        lambda t: t.replace(".news.", ".review."),
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character of the signature
        lambda t: t[:-1],
        lambda t: t + "A",
        lambda t: t.upper(),
    ],
)
def test_an_altered_link_is_refused(altered) -> None:
    token = token_of(unsubscribe.link(settings(), 42, "news"))
    assert verify(SECRET, token)[0] == 42
    with pytest.raises(UnsubscribeLinkInvalid):
        verify(SECRET, altered(token))


GOOD = token_of(unsubscribe.link(settings(), 42, "news"))
GARBAGE = [
    "",
    ".",
    "..",
    "42",
    "42.news",
    "42.news.",
    ".news." + GOOD.split(".")[2],
    "0.news." + GOOD.split(".")[2],
    "-42.news." + GOOD.split(".")[2],
    "+42.news." + GOOD.split(".")[2],
    " 42.news." + GOOD.split(".")[2],
    GOOD + "\n",
    GOOD + "\x00",
    "42.NEWS." + GOOD.split(".")[2],
    "42.everything." + GOOD.split(".")[2],
    "42.news." + GOOD.split(".")[2] + ".extra",
    "99999999999999999999999.news." + GOOD.split(".")[2],
    "٤٢.news." + GOOD.split(".")[2],  # Arabic-Indic digits are decimal to Python, not to the link
    "42.news." + "é" * 32,
    "42.news." + GOOD.split(".")[2][:-2] + "==",
    "1.1.not-a-signature",
    "a" * 1000,
    "../../etc/passwd",
    "%00",
    "\u202e42.news." + GOOD.split(".")[2],
]


@pytest.mark.parametrize("text", GARBAGE)
def test_garbage_is_refused_calmly(text: str) -> None:
    with pytest.raises(UnsubscribeLinkInvalid) as refused:
        verify(SECRET, text)
    assert refused.value.status_code == 400
    assert "This link is not valid" in refused.value.message
