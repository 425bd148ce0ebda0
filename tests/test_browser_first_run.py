"""The first run in Chromium: a fresh install, the first member becomes admin and finds Board
settings, a second member's first post waits, the admin approves it, and a visitor then reads it.

Screenshots of Board settings (desktop, a 390 px and a 320 px phone, light and dark) go to
``test-artifacts/screens/first-run/`` for review.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from conftest import ARTIFACTS
from fresh_board import fresh_board, fresh_query
from test_browser import CHROMIUM, CHROMIUM_ARGS, PLAYWRIGHT_MISSING, Problems, open_page, post_id_from

if not PLAYWRIGHT_MISSING:
    from playwright.sync_api import Browser, Page, expect, sync_playwright

SCREENS = ARTIFACTS / "screens" / "first-run"
PASSWORD = "a gentle password 42"


@pytest.fixture
def installed() -> Iterator[tuple[str, dict[str, str]]]:
    """A fresh board that holds first posts for approval, as its environment's default does."""
    with fresh_board({"PRAYERBOARD_APPROVE_FIRST_POSTS": "1"}) as (server, board_env, _):
        yield server.url, board_env


@pytest.fixture
def chromium(installed: Any) -> Iterator[Browser]:
    # After ``installed``: the fresh board is set up before Playwright starts its event loop.
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


def _sql(board_env: dict[str, str], sql: str, *args: Any) -> list[dict[str, Any]]:
    # Playwright's loop runs in this thread; the PostgreSQL check runs its own in another.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fresh_query, board_env, sql, *args).result()


def _join(page: Page, base: str, username: str, display_name: str, setup_code: str = "") -> None:
    page.goto(base + "/register")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Display name", exact=True).fill(display_name)
    page.get_by_label("Email", exact=True).fill(f"{username}@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    if setup_code:  # whoever installed the board copies it from the server's log
        page.get_by_label("Setup code (only if you installed this board)").fill(setup_code)
    page.get_by_role("button", name="Create account").click()


def _setup_code(board_env: dict[str, str]) -> str:
    return str(_sql(board_env, "SELECT value FROM site_setting WHERE key = 'first_member_becomes_admin'")[0]["value"])


def test_the_first_run_fresh_install_register_become_admin_approve(chromium: Browser, installed: Any) -> None:
    base, board_env = installed
    problems = Problems()
    SCREENS.mkdir(parents=True, exist_ok=True)

    # The first member joins and lands on Board settings, told why.
    founder = open_page(chromium, problems)
    _join(founder, base, "founder", "Faith Founder", _setup_code(board_env))
    founder.wait_for_url(base + "/admin/settings")
    expect(founder.get_by_role("heading", level=1)).to_have_text("Board settings")
    expect(founder.locator(".flash")).to_contain_text("Welcome: you are this board's admin. Start with its settings.")
    founder.screenshot(path=str(SCREENS / "settings-first-member.png"), full_page=True)

    # She names the board; every page says the new name at once.
    founder.get_by_label("Name of the board", exact=True).fill("Riverside Prayer")
    founder.locator("#board").get_by_role("button", name="Save").click()
    founder.wait_for_url(re.compile(r"/admin/settings"))
    expect(founder.locator(".brand")).to_have_text("Riverside Prayer")

    # A second member joins; the form offers "members" first, and the first post waits.
    newcomer = open_page(chromium, problems)
    _join(newcomer, base, "newcomer", "Nora Newcomer")
    newcomer.wait_for_url(base + "/")
    expect(newcomer.locator(".brand")).to_have_text("Riverside Prayer")
    newcomer.goto(base + "/posts/new")
    expect(newcomer.locator('input[name="visibility"][value="members"]')).to_be_checked()
    newcomer.get_by_role("radio", name="A prayer request").check()
    newcomer.get_by_label("Title", exact=True).fill("Courage for a new town")
    newcomer.get_by_label("Your words", exact=True).fill("We moved this week and know nobody yet.")
    newcomer.get_by_label("Category", exact=True).select_option("Family and marriage")
    newcomer.locator('input[name="visibility"][value="public"]').check()
    newcomer.get_by_role("button", name="Share", exact=True).click()
    newcomer.wait_for_url(re.compile(r"/posts/[a-z0-9]+$"))
    post_id = post_id_from(newcomer)
    expect(newcomer.get_by_text("Awaiting review").first).to_be_visible()
    assert _sql(board_env, "SELECT moderation FROM post")[0]["moderation"] == "pending"

    # The admin approves it from its review page (with or without the page that asks first).
    founder.goto(f"{base}/mod/posts/{post_id}")
    founder.get_by_role("button", name=re.compile(r"^Approve")).first.click()
    if "/confirm" in founder.url:
        founder.get_by_role("button", name=re.compile(r"^Approve")).first.click()
    founder.wait_for_load_state()
    assert _sql(board_env, "SELECT moderation FROM post")[0]["moderation"] == "visible"

    # A visitor now reads it: public, approved.
    visitor = open_page(chromium, problems)
    visitor.goto(f"{base}/posts/{post_id}")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Courage for a new town")
    assert not problems.seen, problems.seen


@pytest.mark.parametrize(
    ("width", "scheme"), [(1200, "light"), (390, "light"), (390, "dark"), (320, "light"), (320, "dark")]
)
def test_board_settings_fit_a_phone_in_light_and_dark(
    chromium: Browser, installed: Any, width: int, scheme: str
) -> None:
    base, board_env = installed
    context = chromium.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    _join(page, base, "founder", "Faith Founder", _setup_code(board_env))
    page.wait_for_url(base + "/admin/settings")
    # Nothing is wider than the screen: no sideways scrolling on a phone.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px wider than a {width}px screen"
    # Every category row's fields are labelled, and reachable by keyboard.
    rows = page.locator(".category-row")
    expect(rows).to_have_count(9)
    expect(rows.first.get_by_label("Name", exact=True)).to_have_value("Health and healing")
    page.get_by_label("Add a category", exact=True).focus()
    expect(page.get_by_label("Add a category", exact=True)).to_be_focused()
    page.screenshot(path=str(SCREENS / f"settings-{width}-{scheme}.png"), full_page=True)
    context.close()
