"""The board in a real browser: Debian's Chromium driven by Playwright, against the real server.

Skipped, with the reason, when /usr/bin/chromium or Playwright's Python package is missing
(``apt-get install chromium``; ``pip install playwright``). Playwright never downloads a browser
here: it launches the system Chromium by its path.

Screenshots go to ``test-artifacts/`` (git-ignored) so a person can look at the pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from conftest import ARTIFACTS, scalar

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError as exc:  # pragma: no cover - depends on the machine
    PLAYWRIGHT_MISSING: str | None = f"Playwright's Python package is not installed ({exc}): pip install playwright"
else:
    PLAYWRIGHT_MISSING = None

# Chromium already logs CSP violations to the console; this makes each one an explicit,
# greppable console error too (init scripts run outside the page's CSP).
RECORD_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline"));
});
"""


def db_scalar(sql: str, *args: Any) -> Any:
    """conftest's ``scalar()`` from a worker thread.

    Playwright's sync API keeps an asyncio loop running in the test's thread while it is open,
    and on PostgreSQL ``scalar()`` uses ``asyncio.run()``, which refuses to run inside it.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(scalar, sql, *args).result()


# Function scope on purpose: conftest's autouse clean_database then runs before Playwright
# starts its event loop (see db_scalar), and every test gets a fresh browser.
@pytest.fixture
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's chromium is not installed ({CHROMIUM} is missing): apt-get install chromium")
    if PLAYWRIGHT_MISSING:
        pytest.skip(PLAYWRIGHT_MISSING)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Problems:
    """Console errors, uncaught exceptions and CSP violations reported by the pages watched."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def watch(self, page: Page) -> Page:
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.seen.append(f"{page.url}: uncaught {error}"))
        return page

    def _console(self, page: Page, message: Any) -> None:
        if message.type == "error":
            self.seen.append(f"{page.url}: console error: {message.text}")


def open_page(browser: Browser, problems: Problems, *, javascript: bool = True) -> Page:
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 1200, "height": 900})
    if javascript:
        context.add_init_script(RECORD_CSP_VIOLATIONS)
    return problems.watch(context.new_page())


def register(page: Page, base_url: str, username: str, display_name: str) -> None:
    page.goto(base_url + "/register")
    expect(page.get_by_role("heading", name="Join the board")).to_be_visible()
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Display name", exact=True).fill(display_name)
    page.get_by_label("Email", exact=True).fill(f"{username}@example.org")
    page.get_by_label("Password", exact=True).fill("a gentle password 42")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(base_url + "/")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(display_name)


def expect_csrf_token_in(form: Any) -> None:
    """Every state-changing form must carry the token, or the server refuses it with a 403."""
    expect(
        form.locator("input[type=hidden][name=_csrf_token]"),
        message="the form has no _csrf_token field, so the server will refuse it with a 403",
    ).to_have_count(1)


def post_id_from(page: Page) -> str:
    match = re.search(r"/posts/([a-z0-9]+)$", page.url.split("#")[0])
    assert match, page.url
    return match.group(1)


def test_two_members_post_pray_and_reply_in_chromium(chromium: Browser, server: Any) -> None:
    problems = Problems()
    base = server.url

    # Member A joins and shares a prayer request through the form.
    page_a = open_page(chromium, problems)
    register(page_a, base, "hannah", "Hannah Asker")
    page_a.goto(base + "/posts/new")
    page_a.get_by_role("radio", name="A prayer request").check()
    page_a.get_by_label("Title", exact=True).fill("Strength for my sister")
    page_a.get_by_label("Your words", exact=True).fill("She starts a new treatment on Monday.\n\nThank you all.")
    page_a.get_by_label("Category", exact=True).select_option("Health and healing")
    page_a.get_by_role("button", name="Share", exact=True).click()
    page_a.wait_for_url(re.compile(r"/posts/[a-z0-9]+$"))
    post_id = post_id_from(page_a)
    expect(page_a.get_by_role("heading", level=1)).to_have_text("Strength for my sister")
    expect(page_a.locator(".post-body")).to_contain_text("She starts a new treatment on Monday.")
    expect(page_a.locator("#pray [data-pray-count]")).to_have_text("0 praying")

    # Member B, in a separate browser context, prays without a reload and replies.
    page_b = open_page(chromium, problems)
    register(page_b, base, "eli", "Eli Encourager")
    page_b.goto(f"{base}/posts/{post_id}")
    expect(page_b.get_by_role("heading", level=1)).to_have_text("Strength for my sister")
    pray_form = page_b.locator("#pray form[data-pray]")
    pray_button = pray_form.get_by_role("button")
    expect(pray_button).to_have_accessible_name("I'm praying for “Strength for my sister”")
    expect(pray_button).to_have_attribute("aria-pressed", "false")
    expect_csrf_token_in(pray_form)

    page_b.evaluate("() => { window.__prayerboardMarker = 'same document'; }")
    navigations: list[str] = []
    page_b.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page_b.main_frame else None)
    pray_button.click()
    expect(pray_button).to_have_attribute("aria-pressed", "true")
    expect(pray_form.locator("[data-pray-count]")).to_have_text("1 praying")
    expect(pray_button).to_have_accessible_name("Praying for “Strength for my sister”")
    expect(pray_button).to_be_enabled()
    assert page_b.evaluate("() => window.__prayerboardMarker") == "same document", "the page reloaded"
    assert navigations == [], f"the page navigated: {navigations}"
    assert db_scalar("SELECT praying_count FROM post WHERE public_id = ?", post_id) == 1

    reply_text = "Holding you and your sister in prayer tonight."
    page_b.get_by_label("Write some encouragement", exact=True).fill(reply_text)
    page_b.get_by_role("button", name="Send encouragement").click()
    page_b.wait_for_url(re.compile(rf"/posts/{post_id}#reply-[a-z0-9]+$"))
    expect(page_b.locator(".reply-list")).to_contain_text(reply_text)

    # Member A reloads their post and sees the prayer and the reply, with B's name.
    page_a.reload()
    expect(page_a.locator("#pray [data-pray-count]")).to_have_text("1 praying")
    reply = page_a.locator(".reply-list .reply")
    expect(reply).to_have_count(1)
    expect(reply).to_contain_text(reply_text)
    expect(reply.locator(".author")).to_have_text("Eli Encourager")
    expect(page_a.locator("#replies-title")).to_contain_text("(1)")
    assert db_scalar("SELECT praying_count FROM post WHERE public_id = ?", post_id) == 1

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page_a.screenshot(path=str(ARTIFACTS / "browser-post.png"), full_page=True)

    # The board shows the post with its count; the first Tab reaches the skip link, visibly.
    page_a.goto(base + "/")
    card = page_a.locator(f"#post-{post_id}")
    expect(card).to_contain_text("Strength for my sister")
    expect(card.locator("[data-pray-count]")).to_have_text("1 praying")
    expect(card.get_by_role("link", name="1 reply")).to_be_visible()
    page_a.screenshot(path=str(ARTIFACTS / "browser-board.png"), full_page=True)

    page_a.keyboard.press("Tab")
    skip_link = page_a.get_by_role("link", name="Skip to content")
    expect(skip_link).to_be_focused()
    assert page_a.evaluate("() => document.activeElement.matches(':focus-visible')")
    expect(skip_link).to_be_in_viewport()
    page_a.screenshot(path=str(ARTIFACTS / "browser-board-focus.png"))

    page_a.context.close()
    page_b.context.close()
    assert problems.seen == [], "\n".join(problems.seen)


def test_praying_works_without_javascript(chromium: Browser, author: Any) -> None:
    post_id = author.create_post(title="Peace for our family", body="A hard week at home.")
    problems = Problems()
    page = open_page(chromium, problems, javascript=False)
    base = str(author.client.base_url).rstrip("/")
    register(page, base, "quietmember", "Quiet Member")

    page.goto(f"{base}/posts/{post_id}")
    expect(page.locator("#pray [data-pray-count]")).to_have_text("0 praying")
    expect_csrf_token_in(page.locator("#pray form[data-pray]"))
    page.get_by_role("button", name="I'm praying").click()
    page.wait_for_url(f"{base}/posts/{post_id}#pray")
    expect(page.locator("#pray [data-pray-count]")).to_have_text("1 praying")
    button = page.locator("#pray form[data-pray]").get_by_role("button")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_have_accessible_name("Praying for “Peace for our family”")
    assert db_scalar("SELECT praying_count FROM post WHERE public_id = ?", post_id) == 1

    page.context.close()
    assert problems.seen == [], "\n".join(problems.seen)


def test_following_a_post_brings_its_news_to_the_notifications_page(chromium: Browser, author: Any) -> None:
    post_id = author.create_post(title="Courage for the interview", body="It is on Thursday morning.")
    problems = Problems()
    page = open_page(chromium, problems)
    base = str(author.client.base_url).rstrip("/")
    register(page, base, "ruthfollows", "Ruth Follower")
    notifications_link = page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile("^Notifications")
    )
    expect(notifications_link).to_have_text("Notifications")  # nothing unread yet

    page.goto(f"{base}/posts/{post_id}")
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_role("button", name="Unfollow", exact=True)).to_be_visible()

    # The author writes an update: the follower's header counts it on the next page they open.
    response = author.post(f"/posts/{post_id}/updates", {"body": "It went well, thank you."})
    assert response.status_code == 303, response.text
    page.goto(base + "/")
    expect(notifications_link).to_contain_text("1")
    expect(notifications_link).to_contain_text("unread")

    notifications_link.click()
    page.wait_for_url(base + "/notifications")
    news = page.locator(".notification-unread")
    expect(news).to_have_count(1)
    expect(news).to_contain_text("Courage for the interview")
    expect_csrf_token_in(page.locator("form[action='/notifications/read']"))
    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_url(re.compile(r"/notifications"))
    expect(page.locator(".notification-unread")).to_have_count(0)
    expect(notifications_link).to_have_text("Notifications")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-notifications.png"), full_page=True)

    page.context.close()
    assert problems.seen == [], "\n".join(problems.seen)
