"""Mail's pure parts: the SMTP address setting, the rule for a message about a post, a message's parts."""

from __future__ import annotations

from pathlib import Path

import pytest

from prayerboard import mail
from prayerboard.policy import WrongRow, mail_may_still_go
from prayerboard.rows import PostRow
from prayerboard.services.recovery import reset_link_base
from prayerboard.settings import Settings, SettingsError, SmtpServer

from .test_policy import post_row


def settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"PRAYERBOARD_DATA_DIR": str(tmp_path), "PRAYERBOARD_SECRET_KEY": "k" * 40, **env})


def test_the_smtp_address_says_how_to_speak_tls_and_its_password_never_shows(tmp_path: Path) -> None:
    def smtp(url: str) -> SmtpServer:
        server = settings(tmp_path, PRAYERBOARD_SMTP_URL=url).smtp
        assert server is not None
        return server

    plain = smtp("smtp://board%40example.org:hunter%3A2@mail.example.org")
    assert (plain.host, plain.port, plain.username, plain.password, plain.tls) == (
        "mail.example.org",
        587,
        "board@example.org",
        "hunter:2",
        "if-offered",
    )
    assert "hunter" not in repr(plain) and "hunter" not in plain.display()
    assert smtp("smtp://mail.example.org:2525?starttls=required").tls == "starttls"
    assert smtp("smtp://mail.example.org:25?starttls=off").tls == "off"
    assert (smtp("smtps://mail.example.org").port, smtp("smtps://mail.example.org").tls) == (465, "implicit")
    assert settings(tmp_path).smtp is None


@pytest.mark.parametrize(
    "url",
    [
        "http://u:hunter2@mail.example.org",
        "smtp://u:hunter2@mail.example.org:99999",
        "smtp://u:hunter2@mail.example.org?starttls=sometimes",
        "smtps://u:hunter2@mail.example.org?starttls=off",
        "smtp://u:hunter2@mail.example.org/inbox",
    ],
)
def test_a_bad_smtp_address_is_refused_without_repeating_it(tmp_path: Path, url: str) -> None:
    with pytest.raises(SettingsError) as refused:
        settings(tmp_path, PRAYERBOARD_SMTP_URL=url)
    assert "PRAYERBOARD_SMTP_URL" in str(refused.value) and "hunter2" not in str(refused.value)


def test_mail_comes_from_the_public_address_unless_told_otherwise(tmp_path: Path) -> None:
    assert settings(tmp_path).mail_from == "prayerboard@localhost"
    assert (
        settings(tmp_path, PRAYERBOARD_PUBLIC_URL="https://pray.example.org").mail_from
        == "prayerboard@pray.example.org"
    )
    assert settings(tmp_path, PRAYERBOARD_MAIL_FROM="care@example.org").mail_from == "care@example.org"
    for bad in ("nobody", "a@b@c", "care@example.org\nBcc: x@example.org"):
        with pytest.raises(SettingsError):
            settings(tmp_path, PRAYERBOARD_MAIL_FROM=bad)
    with pytest.raises(SettingsError):
        settings(tmp_path, PRAYERBOARD_MAIL_SENDER="sometimes")
    assert settings(tmp_path, PRAYERBOARD_MAIL_SENDER="off").mail_sender is False


WIDTH = ("team", "members", "public")


@pytest.mark.parametrize("then", WIDTH)
@pytest.mark.parametrize("now", WIDTH)
def test_a_message_about_a_post_goes_only_while_the_post_is_no_narrower(then: str, now: str) -> None:
    post = PostRow.from_row(post_row(visibility=now))
    assert mail_may_still_go(post, then, anonymous_then=False) is (WIDTH.index(now) >= WIDTH.index(then))


@pytest.mark.parametrize("moderation", ["pending", "hidden", "removed"])
def test_a_message_about_a_post_no_longer_visible_or_made_anonymous_does_not_go(moderation: str) -> None:
    assert not mail_may_still_go(PostRow.from_row(post_row(moderation=moderation)), "public", anonymous_then=False)
    anonymous = PostRow.from_row(post_row(anonymous=True))
    assert not mail_may_still_go(anonymous, "public", anonymous_then=False)
    assert mail_may_still_go(anonymous, "public", anonymous_then=True)
    with pytest.raises(WrongRow):
        mail_may_still_go(post_row(), "public", anonymous_then=False)  # type: ignore[arg-type]


def test_a_message_has_both_parts_one_line_headers_and_escaped_html(tmp_path: Path) -> None:
    message = mail.build_message(
        settings(tmp_path, PRAYERBOARD_PUBLIC_URL="https://pray.example.org"),
        to_address="ruth@example.org",
        subject="News\r\nBcc: everyone@example.org",
        text="<b>Praying</b> & hoping\nhttps://pray.example.org/p/x?a=1&b=2",
        extra_headers={"List-Unsubscribe": "<https://pray.example.org/u/t>"},
    )
    assert message["Subject"] == "News Bcc: everyone@example.org" and message["Bcc"] is None
    assert message["From"] == "prayerboard@pray.example.org"
    assert message["List-Unsubscribe"] == "<https://pray.example.org/u/t>"
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    body = html.get_content()
    assert "&lt;b&gt;Praying&lt;/b&gt; &amp; hoping" in body
    assert '<a href="https://pray.example.org/p/x?a=1&amp;b=2">' in body


@pytest.mark.parametrize("address", ["ruth@example.org", "ruth.b+x@example.org", "rút@exämple.org"])
def test_one_plain_mailbox_may_be_mailed(address: str) -> None:
    mail.check_envelope_address(address)


@pytest.mark.parametrize(
    "address",
    ['x"y"@c.org', "root,eve@evil.org", "postmaster>eve@evil.org", "Ruth <ruth@example.org>", "a b@c.org", ""],
)
def test_an_address_that_is_not_exactly_one_plain_mailbox_is_undeliverable(address: str) -> None:
    with pytest.raises(mail.Undeliverable):
        mail.check_envelope_address(address)


@pytest.mark.parametrize(
    ("request_base", "run_host", "expected"),
    [
        # The configured public address always wins.
        ("http://evil.example", "127.0.0.1", "https://pray.example.org"),
        # Without it: a loopback host, or exactly the address the server listens on.
        ("http://localhost:8000", "0.0.0.0", "http://localhost:8000"),
        ("http://127.0.0.5:8000/", "0.0.0.0", "http://127.0.0.5:8000"),
        ("http://[::1]:8000", "::", "http://[::1]:8000"),
        ("http://192.0.2.7:8000", "192.0.2.7", "http://192.0.2.7:8000"),
        ("http://board.lan", "BOARD.lan", "http://board.lan"),
        ("http://[2001:db8::7]", "[2001:db8::7]", "http://[2001:db8::7]"),
        # Anything a stranger could have put in the Host header: no link.
        ("http://evil.example", "127.0.0.1", ""),
        ("http://evil.example", "0.0.0.0", ""),
        ("http://192.0.2.7:8000", "0.0.0.0", ""),
        ("http://192.0.2.7:8000", "::", ""),
        ("http://192.0.2.7:8000", "", ""),
        ("http://localhost.evil.example", "127.0.0.1", ""),
        ("http://127.0.0.1.evil.example", "127.0.0.1", ""),
    ],
)
def test_a_reset_link_starts_only_where_a_stranger_cannot_point_it(
    request_base: str, run_host: str, expected: str
) -> None:
    public = "https://pray.example.org" if expected == "https://pray.example.org" else None
    assert reset_link_base(public, request_base, run_host) == expected


def test_only_the_boards_own_links_are_made_clickable() -> None:
    text = (
        "Yours: https://pray.example.org/posts/k3x\nNot: https://pray.example.org.evil.example/x https://evil.example/"
    )
    html = mail.html_from_text(text, "https://pray.example.org")
    assert '<a href="https://pray.example.org/posts/k3x">' in html
    assert html.count("<a ") == 1 and "https://evil.example/" in html
    assert "<a " not in mail.html_from_text(text)  # no board address known: no links at all
