"""Mail's pure parts: the SMTP address setting, the rule for a message about a post, a message's parts."""

from __future__ import annotations

from pathlib import Path

import pytest

from prayerboard import mail
from prayerboard.policy import WrongRow, mail_may_still_go
from prayerboard.rows import PostRow
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
    assert mail.absolute_url(settings(tmp_path), "/p/x") == "http://localhost:8000/p/x"
    assert mail.absolute_url(settings(tmp_path), "/p/x", "http://board.test:8080/") == "http://board.test:8080/p/x"
