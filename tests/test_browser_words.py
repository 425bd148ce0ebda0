"""Never lose a word, in Chromium: a refused post keeps its text (an hourly limit, an expired form),
a draft survives a reload, and a refused form's error summary takes focus.

docs/architecture.md, "Drafts and refusals"; the server's side is tests/test_never_lose_a_word.py.
Screenshots go to test-artifacts/screens/words/.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, Page, expect

from conftest import ARTIFACTS
from test_browser import Problems, chromium, db_scalar, open_page, register  # noqa: F401 - chromium: the fixture
from test_never_lose_a_word import EXPIRED, limited_server  # noqa: F401 - limited_server: the fixture

SCREENS = ARTIFACTS / "screens" / "words"
TITLE = "Courage for Thursday"
BODY = "My brother starts his new job on Thursday.\n\nHe is anxious about the long days."
DRAFT_KEYS = "() => Object.keys(localStorage).filter(k => k.startsWith('prayerboard.draft:'))"


class RefusalsAllowed(Problems):
    """Problems, less the console line Chromium writes for every 4xx page: those are the point here."""

    def _console(self, page: Page, message: Any) -> None:
        if "the server responded with a status of 4" in message.text:
            return
        super()._console(page, message)


def screenshot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def fill_post(page: Page, title: str = TITLE, body: str = BODY) -> None:
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Your words", exact=True).fill(body)
    page.get_by_label("Category", exact=True).select_option("Health and healing")


def expect_summary_focused(page: Page) -> None:
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    expect(page).to_have_title(re.compile(r"^Error: "))


def test_a_post_over_the_hourly_limit_keeps_its_text(
    chromium: Browser,  # noqa: F811 - the fixture
    limited_server: Any,  # noqa: F811 - the fixture
) -> None:
    problems = RefusalsAllowed()
    page = open_page(chromium, problems)
    base = limited_server.url
    register(page, base, "eager", "Eager Poster")
    page.goto(base + "/posts/new")
    fill_post(page, title="The first one", body="A first request.")
    page.get_by_role("button", name="Share", exact=True).click()
    page.wait_for_url(re.compile(r"/posts/[a-z0-9]+$"))

    page.goto(base + "/posts/new")
    fill_post(page)
    page.get_by_role("button", name="Share", exact=True).click()
    expect_summary_focused(page)
    expect(page.locator("#error-summary")).to_contain_text("You have posted once this hour")
    expect(page.locator("#error-summary")).to_contain_text("Your words are kept below")
    expect(page.get_by_label("Title", exact=True)).to_have_value(TITLE)
    expect(page.get_by_label("Your words", exact=True)).to_have_value(BODY)
    screenshot(page, "hourly-limit")
    assert db_scalar("SELECT COUNT(*) FROM post") == 1
    page.context.close()
    assert problems.seen == [], "\n".join(problems.seen)


def test_a_post_with_an_expired_token_keeps_its_text_and_sends_again(
    chromium: Browser,  # noqa: F811 - the fixture
    server: Any,
) -> None:
    problems = RefusalsAllowed()
    page = open_page(chromium, problems)
    base = server.url
    register(page, base, "hannah", "Hannah Asker")
    page.goto(base + "/posts/new")
    fill_post(page)
    # The form's token is no longer the one the board gave (it expired, another tab signed out).
    page.evaluate("() => { document.querySelector('form.post-form [name=_csrf_token]').value = 'expired'; }")
    page.get_by_role("button", name="Share", exact=True).click()
    expect_summary_focused(page)
    expect(page.locator("#error-summary")).to_contain_text(EXPIRED)
    expect(page.get_by_label("Title", exact=True)).to_have_value(TITLE)
    expect(page.get_by_label("Your words", exact=True)).to_have_value(BODY)
    screenshot(page, "expired-form")
    assert db_scalar("SELECT COUNT(*) FROM post") == 0

    # The token cookie itself gone: the same, with a new one.
    page.context.clear_cookies(name="prayerboard_csrf")
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.locator("#error-summary")).to_contain_text(EXPIRED)
    expect(page.get_by_label("Your words", exact=True)).to_have_value(BODY)

    # Sent again from the page that came back, it goes through.
    page.get_by_role("button", name="Share", exact=True).click()
    page.wait_for_url(re.compile(r"/posts/[a-z0-9]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert db_scalar("SELECT COUNT(*) FROM post") == 1
    page.context.close()
    assert problems.seen == [], "\n".join(problems.seen)


def test_a_reply_draft_survives_a_reload_and_goes_when_sent(
    chromium: Browser,  # noqa: F811 - the fixture
    author: Any,
) -> None:
    post_id = author.create_post(title="Peace for our family", body="A hard week at home.")
    problems = Problems()
    page = open_page(chromium, problems)
    base = str(author.client.base_url).rstrip("/")
    register(page, base, "eli", "Eli Encourager")
    page.goto(f"{base}/posts/{post_id}")
    words = "Holding you all in prayer tonight."
    reply = page.get_by_label("Write some encouragement", exact=True)
    reply.fill(words)
    page.wait_for_function(f"() => ({DRAFT_KEYS})().length === 1")

    page.reload()
    expect(page.get_by_label("Write some encouragement", exact=True)).to_have_value(words)
    # A closed tab too: a new page in the same browser finds it.
    second = problems.watch(page.context.new_page())
    second.goto(f"{base}/posts/{post_id}")
    expect(second.get_by_label("Write some encouragement", exact=True)).to_have_value(words)
    second.close()

    page.get_by_role("button", name="Send encouragement").click()
    page.wait_for_url(re.compile(rf"/posts/{post_id}#reply-[a-z0-9]+$"))
    expect(page.locator(".reply-list")).to_contain_text(words)
    expect(page.get_by_label("Write some encouragement", exact=True)).to_have_value("")
    assert page.evaluate(DRAFT_KEYS) == []
    page.context.close()
    assert problems.seen == [], "\n".join(problems.seen)


def test_drafts_are_kept_per_member_and_forgotten_at_sign_out(
    chromium: Browser,  # noqa: F811 - the fixture
    author: Any,
) -> None:
    post_id = author.create_post()
    problems = Problems()
    page = open_page(chromium, problems)
    base = str(author.client.base_url).rstrip("/")
    register(page, base, "first", "First Member")
    page.goto(f"{base}/posts/{post_id}")
    page.get_by_label("Write some encouragement", exact=True).fill("Words of the first member.")
    page.wait_for_function(f"() => ({DRAFT_KEYS})().length === 1")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/$|/login"))
    assert page.evaluate(DRAFT_KEYS) == []
    page.context.close()
    assert problems.seen == [], "\n".join(problems.seen)


def test_another_members_drafts_and_a_deleted_accounts_drafts_do_not_stay_in_the_browser(
    chromium: Browser,  # noqa: F811 - the fixture
    author: Any,
) -> None:
    post_id = author.create_post()
    problems = Problems()
    page = open_page(chromium, problems)
    base = str(author.client.base_url).rstrip("/")
    # A draft left by someone whose session simply ended (no "Sign out" pressed)...
    page.goto(base + "/")
    page.evaluate(
        "() => localStorage.setItem('prayerboard.draft:someone:/posts:body',"
        " JSON.stringify({text: 'Their private words', at: Date.now()}))"
    )
    # ...is gone as soon as another member opens any page in this browser.
    register(page, base, "second", "Second Member")
    page.wait_for_function(f"() => ({DRAFT_KEYS})().length === 0")
    # Deleting one's account forgets one's own drafts too.
    page.goto(f"{base}/posts/{post_id}")
    page.get_by_label("Write some encouragement", exact=True).fill("Words before leaving.")
    page.wait_for_function(f"() => ({DRAFT_KEYS})().length === 1")
    page.goto(base + "/settings")
    page.get_by_label("Keep my posts and replies, anonymised").check()
    page.locator("form[action='/settings/delete'] input[type=password]").fill("a gentle password 42")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("form[action='/settings/delete'] button").click()
    page.wait_for_url(re.compile(r"account=deleted"))
    assert page.evaluate(DRAFT_KEYS) == []
    page.context.close()
    assert problems.seen == [], "\n".join(problems.seen)


def test_a_refused_reply_focuses_the_error_summary_whose_link_leads_to_the_field(
    chromium: Browser,  # noqa: F811 - the fixture
    author: Any,
) -> None:
    post_id = author.create_post()
    problems = RefusalsAllowed()
    page = open_page(chromium, problems)
    base = str(author.client.base_url).rstrip("/")
    register(page, base, "quick", "Quick Member")
    page.goto(f"{base}/posts/{post_id}")
    page.get_by_role("button", name="Send encouragement").click()
    expect_summary_focused(page)
    expect(page.locator("#error-summary")).to_be_in_viewport()
    link = page.locator("#error-summary").get_by_role("link", name="Please write a few words first.")
    link.click()
    expect(page.get_by_label("Write some encouragement", exact=True)).to_be_focused()
    screenshot(page, "error-summary")
    page.context.close()
    assert problems.seen == [], "\n".join(problems.seen)


def test_a_refused_form_without_javascript_opens_at_its_summary(
    chromium: Browser,  # noqa: F811 - the fixture
    author: Any,
) -> None:
    post_id = author.create_post()
    problems = RefusalsAllowed()
    page = open_page(chromium, problems, javascript=False)
    base = str(author.client.base_url).rstrip("/")
    register(page, base, "plain", "Plain Member")
    page.goto(f"{base}/posts/{post_id}")
    page.get_by_role("button", name="Send encouragement").click()
    page.wait_for_url(re.compile(r"#error-summary$"))
    expect(page.locator("#error-summary")).to_be_in_viewport()
    expect(page).to_have_title(re.compile(r"^Error: "))
    page.context.close()
    assert problems.seen == [], "\n".join(problems.seen)
