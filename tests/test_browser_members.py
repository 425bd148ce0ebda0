"""Member screens on a phone, in a real Chromium: requests on the first screen, the header and
search usable at 200% text, and "I'm praying" that leaves focus where it was.

Same browser setup as tests/test_browser.py (Debian's Chromium through Playwright, skipped with
the reason when either is missing). Screenshots go to ``test-artifacts/screens/members/``.
"""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed")

from playwright.sync_api import Browser, Page, expect  # noqa: E402

from conftest import ARTIFACTS  # noqa: E402
from conftest import Browser as Member  # noqa: E402
from harness import CSRF_COOKIE, HOST, SESSION_COOKIE  # noqa: E402
from test_browser import Problems, chromium, db_scalar  # noqa: E402, F401 - chromium is a fixture

SCREENS = ARTIFACTS / "screens" / "members"
PHONE = {"width": 390, "height": 844}
SMALLEST = {"width": 320, "height": 640}

# Everything in the header and main whose box pokes out past the right edge of the window.
OVERFLOWING = """
() => {
  const limit = document.documentElement.clientWidth;
  return Array.from(document.querySelectorAll("header *, main *"))
    .filter((el) => {
      const box = el.getBoundingClientRect();
      return box.width > 0 && (box.right > limit + 0.5 || box.left < -0.5);
    })
    .map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : "") + " (right " + Math.round(el.getBoundingClientRect().right) + " of " + limit + "): " + el.textContent.trim().slice(0, 40));
}
"""


def phone_page(browser: Browser, problems: Problems, member: Member | None, viewport: dict[str, int] = PHONE) -> Page:
    """A fresh phone-sized tab, signed in as ``member`` (their cookies) when one is given."""
    context = browser.new_context(viewport=viewport, is_mobile=True, has_touch=True)
    if member is not None:
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
    page.screenshot(path=str(SCREENS / f"{name}.png"))


def share_some_requests(author: Member) -> list[str]:
    titles = [f"Request number {n}: strength for the week ahead" for n in range(1, 6)]
    for title in titles:
        author.create_post(title=title, body="Thank you for praying with me.")
    return titles


def test_a_phones_first_screen_shows_a_request_and_the_filters_folded(
    chromium: Browser,  # noqa: F811 - the fixture
    author: Member,
    member: Member,
) -> None:
    titles = share_some_requests(author)
    problems = Problems()
    page = phone_page(chromium, problems, member)
    page.goto(base_of(member) + "/")

    panel = page.locator("details.filters-panel")
    expect(panel.locator("summary")).to_have_text("Filter requests")
    expect(panel).not_to_have_attribute("open", "")
    expect(page.get_by_label("Category")).to_be_hidden()

    # The newest request's title, its pray button and its replies link are all on the first screen.
    first = page.locator(".post-card").first
    expect(first.get_by_role("heading")).to_have_text(titles[-1])
    for part in (first.get_by_role("heading"), first.get_by_role("button"), first.locator(".reply-link")):
        box = part.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], (part, box)
    assert page.evaluate(OVERFLOWING) == []
    shot(page, "board-390-folded")
    page.emulate_media(color_scheme="dark")
    shot(page, "board-390-folded-dark")
    page.emulate_media(color_scheme="light")

    # Unfolding the panel and choosing a filter works, and the filtered board keeps it open.
    panel.locator("summary").click()
    page.get_by_label("Show").select_option("request")
    page.get_by_role("button", name="Filter", exact=True).click()
    page.wait_for_url("**/?kind=request**")
    expect(page.locator("details.filters-panel")).to_have_attribute("open", "")
    expect(page.get_by_label("Show")).to_have_value("request")
    expect(page.locator(".post-card")).to_have_count(len(titles))
    shot(page, "board-390-filtered")

    page.context.close()
    assert problems.seen == [], "\n".join(problems.seen)


def test_at_200_percent_text_the_header_and_search_still_work(
    chromium: Browser,  # noqa: F811 - the fixture
    author: Member,
    member: Member,
) -> None:
    titles = share_some_requests(author)
    problems = Problems()
    page = phone_page(chromium, problems, member)
    base = base_of(member)
    page.goto(base + "/")
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    assert page.evaluate(OVERFLOWING) == []
    header = page.locator("header.site-header")
    nav = page.get_by_role("navigation", name="Main")
    for link in nav.get_by_role("link").all() + [nav.get_by_role("button", name="Sign out")]:
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (link, box)
    search = header.get_by_role("searchbox", name="Search the board")
    expect(search).to_be_visible()
    assert (search.bounding_box() or {"width": 0})["width"] >= 100  # room to see what one types
    shot(page, "header-390-200pct")

    # The search field takes typing and finds the post.
    search.click()
    search.fill("number 3")
    search.press("Enter")
    page.wait_for_url("**/search?q=number+3**")
    expect(page.get_by_role("link", name=titles[2])).to_be_visible()

    # And the header's name, at that size, still leads to one's own profile with its links.
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    nav.get_by_role("link", name="Your profile: Naomi Member").click()
    page.wait_for_url(base + "/members/member")
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    assert page.evaluate(OVERFLOWING) == []
    expect(page.get_by_role("navigation", name="Your account").get_by_role("link", name="Settings")).to_be_visible()
    page.get_by_role("link", name="My requests").click()
    expect(page.get_by_role("heading", name="Requests and testimonies")).to_be_in_viewport()
    shot(page, "profile-390-200pct")

    page.context.close()
    assert problems.seen == [], "\n".join(problems.seen)


def test_nothing_overflows_at_320_px(
    chromium: Browser,  # noqa: F811 - the fixture
    author: Member,
    member: Member,
) -> None:
    share_some_requests(author)
    problems = Problems()
    page = phone_page(chromium, problems, member, SMALLEST)
    base = base_of(member)
    for path in ("/", "/?kind=request", "/members/member", "/members/author"):
        page.goto(base + path)
        assert page.evaluate(OVERFLOWING) == [], path
    shot(page, "profile-320")
    page.context.close()
    assert problems.seen == [], "\n".join(problems.seen)


def test_praying_with_javascript_keeps_focus_on_the_button(
    chromium: Browser,  # noqa: F811 - the fixture
    author: Member,
    member: Member,
) -> None:
    post_id = author.create_post(title="Courage for the interview")
    problems = Problems()
    page = phone_page(chromium, problems, member)
    page.goto(base_of(member) + "/")

    button = page.locator(f"#post-{post_id} button.pray-button")
    expect(button).to_have_accessible_name("I'm praying for “Courage for the interview”")
    expect(button).to_have_attribute("aria-pressed", "false")
    button.focus()
    page.evaluate("() => { document.activeElement.dataset.focusMark = 'this one'; window.__sameDocument = true; }")

    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_have_accessible_name("Praying for “Courage for the interview”")
    expect(page.locator(f"#post-{post_id} [data-pray-count]")).to_have_text("1 praying")
    assert page.evaluate("() => window.__sameDocument === true"), "the page reloaded"
    assert page.evaluate("() => document.activeElement.dataset.focusMark") == "this one"
    expect(button).to_be_focused()
    assert db_scalar("SELECT praying_count FROM post WHERE public_id = ?", post_id) == 1

    # Pressing again with the keyboard takes it back, and focus still stays.
    page.keyboard.press("Space")
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(page.locator(f"#post-{post_id} [data-pray-count]")).to_have_text("0 praying")
    expect(button).to_be_focused()
    assert db_scalar("SELECT praying_count FROM post WHERE public_id = ?", post_id) == 0
    shot(page, "pray-focus")

    page.context.close()
    assert problems.seen == [], "\n".join(problems.seen)
