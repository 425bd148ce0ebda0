"""Moderator screens in a real Chromium: nothing scrolls sideways at 320 px, the "Urgent" badge
and the header's count are readable in dark mode, and Remove asks first, in a dialog with
JavaScript and on a page of its own without.

Same browser setup as tests/test_browser.py (Debian's Chromium through Playwright, skipped with
the reason when either is missing). Screenshots go to ``test-artifacts/screens/mod/``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed")

from playwright.sync_api import Browser, Page, expect  # noqa: E402

from conftest import ARTIFACTS, query  # noqa: E402
from conftest import Browser as Member  # noqa: E402
from harness import CSRF_COOKIE, HOST, SESSION_COOKIE  # noqa: E402
from test_browser import Problems, chromium, db_scalar  # noqa: E402, F401 - chromium is a fixture

SCREENS = ARTIFACTS / "screens" / "mod"
SMALLEST = {"width": 320, "height": 640}
DESKTOP = {"width": 1200, "height": 900}
LONG_NOTE = "Thisnoteisonelongwordwithoutanyspacesthatcouldpushthepagesideways" * 2

SCROLLS_SIDEWAYS = "() => document.scrollingElement.scrollWidth > window.innerWidth"

# The WCAG contrast ratio of an element's text against its own background.
CONTRAST = """
(element) => {
  const channels = (css) => css.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = (css) => {
    const [r, g, b] = channels(css).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const style = getComputedStyle(element);
  const [a, b] = [luminance(style.color), luminance(style.backgroundColor)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""


def db_query(sql: str, *args: Any) -> Any:
    """conftest's ``query()`` off Playwright's thread (see test_browser.db_scalar)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(query, sql, *args).result()


def tab(
    browser: Browser, problems: Problems, member: Member, viewport: dict[str, int], javascript: bool = True
) -> Page:
    """A fresh tab signed in as ``member`` (their cookies)."""
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    context.add_cookies(
        [
            {"name": name, "value": member.client.cookies[name], "domain": HOST, "path": "/"}
            for name in (SESSION_COOKIE, CSRF_COOKIE)
            if name in member.client.cookies
        ]
    )
    return problems.watch(context.new_page())


def base_of(member: Member) -> str:
    return str(member.client.base_url).rstrip("/")


def shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


@pytest.fixture
def moderator(new_browser: Any) -> Member:
    browser = new_browser()
    assert browser.register("mira", "Mira Moderator").status_code == 303
    query("UPDATE member SET role = 'admin' WHERE username = 'mira'")
    return browser


@pytest.fixture
def busy_queue(author: Member, member: Member, moderator: Member) -> dict[str, str]:
    """An urgent report with a long note, a reported reply, a post waiting, and a log with lines."""
    urgent = author.create_post(title="A very hard night, please pray", body="I do not know what to do. " * 20)
    member.post(f"/posts/{urgent}/flag", {"reason": "danger", "note": LONG_NOTE})
    reply = member.post(f"/posts/{urgent}/replies", {"body": "Holding you in prayer tonight."})
    reply_id = reply.headers["location"].rsplit("#reply-", 1)[1]
    author.post(f"/posts/{urgent}/replies/{reply_id}/flag", {"reason": "unkind", "note": "Too sharp"})
    waiting = author.create_post(title="Waiting for a moderator", body="Held for approval.")
    query("UPDATE post SET moderation = 'pending' WHERE public_id = ?", waiting)
    other = author.create_post(title="Locked thread")
    moderator.post(f"/mod/posts/{other}/lock", {"reason": LONG_NOTE})
    moderator.post(f"/mod/posts/{other}/hide", {"reason": "A reason that is long enough to wrap on a phone"})
    return {"urgent": urgent, "waiting": waiting, "other": other}


def test_moderator_pages_do_not_scroll_sideways_at_320px(
    busy_queue: dict[str, str],
    moderator: Member,
    chromium: Browser,  # noqa: F811 - the fixture; last, so the database is set up before its event loop starts
) -> None:
    problems = Problems()
    page = tab(chromium, problems, moderator, SMALLEST)
    base = base_of(moderator)
    author_id = db_query("SELECT id FROM member WHERE username = 'author'")[0]["id"]
    pages = {
        "queue": "/mod",
        "item": f"/mod/posts/{busy_queue['urgent']}",
        "log": "/mod/log",
        "member": f"/mod/members/{author_id}",
        "roles": "/admin/roles",
    }
    for name, path in pages.items():
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.goto(base + path)
            assert not page.evaluate(SCROLLS_SIDEWAYS), f"{path} scrolls sideways at 320 px ({scheme})"
            shot(page, f"{name}-320-{scheme}")
    # The log's rows are stacked cards, each cell named.
    page.emulate_media(color_scheme="light")
    page.goto(base + "/mod/log")
    expect(page.locator("table.log-table thead")).to_have_css("position", "absolute")
    expect(page.locator("td[data-label=Action]").first).to_have_css("display", "block")
    assert problems.seen == []


def test_urgent_badge_and_header_count_are_readable_in_dark_mode(
    busy_queue: dict[str, str],
    moderator: Member,
    chromium: Browser,  # noqa: F811 - the fixture; last, so the database is set up before its event loop starts
) -> None:
    problems = Problems()
    page = tab(chromium, problems, moderator, DESKTOP)
    for scheme in ("dark", "light"):
        page.emulate_media(color_scheme=scheme)
        page.goto(base_of(moderator) + "/mod")
        urgent = page.locator("main .badge-danger").first
        expect(urgent).to_contain_text("Urgent")
        count = page.locator("header .badge-danger")
        expect(count).to_contain_text("waiting")
        for badge in (urgent, count):
            ratio = badge.evaluate(CONTRAST)
            assert ratio >= 4.5, f"{scheme}: {badge} has contrast {ratio:.2f}"
        shot(page, f"queue-desktop-{scheme}")
    assert problems.seen == []


def test_remove_asks_in_a_dialog_with_javascript(
    author: Member,
    moderator: Member,
    chromium: Browser,  # noqa: F811 - the fixture; last, so the database is set up before its event loop starts
) -> None:
    post_id = author.create_post(title="Not meant for this board")
    problems = Problems()
    page = tab(chromium, problems, moderator, DESKTOP)
    questions: list[str] = []

    def answer(dialog: Any, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.goto(base_of(moderator) + f"/mod/posts/{post_id}")
    page.locator("#reason").fill("Advertising")
    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.get_by_role("button", name="Remove…").click()
    expect(page).to_have_url(re.compile(f"/mod/posts/{post_id}$"))
    assert db_query("SELECT moderation FROM post WHERE public_id = ?", post_id)[0]["moderation"] == "visible"

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.get_by_role("button", name="Remove…").click()
    page.wait_for_url(re.compile(r"/mod$"))
    expect(page.locator(".flash")).to_contain_text("The post is removed.")
    assert questions == [questions[0]] * 2 and questions[0].startswith("Remove this post?")
    assert db_query("SELECT moderation, moderation_reason FROM post WHERE public_id = ?", post_id) == [
        {"moderation": "removed", "moderation_reason": "Advertising"}
    ]
    assert problems.seen == []


def test_remove_asks_on_a_page_of_its_own_without_javascript(
    author: Member,
    moderator: Member,
    chromium: Browser,  # noqa: F811 - the fixture; last, so the database is set up before its event loop starts
) -> None:
    post_id = author.create_post(title="Not meant for this board either")
    problems = Problems()
    page = tab(chromium, problems, moderator, SMALLEST, javascript=False)
    page.goto(base_of(moderator) + f"/mod/posts/{post_id}")
    page.locator("#reason").fill("Advertising")
    page.get_by_role("button", name="Remove…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Remove this post?"))
    assert not page.evaluate(SCROLLS_SIDEWAYS)
    shot(page, "confirm-remove-320")
    assert db_query("SELECT moderation FROM post WHERE public_id = ?", post_id)[0]["moderation"] == "visible"
    expect(page.locator("#reason")).to_have_value("Advertising")
    page.get_by_role("button", name="Yes, remove").click()
    page.wait_for_url(re.compile(r"/mod$"))
    assert db_query("SELECT moderation FROM post WHERE public_id = ?", post_id)[0]["moderation"] == "removed"
    assert problems.seen == []
