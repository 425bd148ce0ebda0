"""Many members at once: counts stay exact and nobody sees an error."""

from __future__ import annotations

import asyncio

import httpx

from conftest import CSRF_COOKIE, scalar

PRAYING_MEMBERS = 40


def _signed_in_cookies(new_browser, count: int) -> list[httpx.Cookies]:
    cookies = []
    for number in range(count):
        browser = new_browser()
        assert browser.register(f"pray{number}").status_code == 303
        browser.csrf_token()
        cookies.append(browser.client.cookies)
    return cookies


async def _press_all(base_url: str, post_id: int, cookie_jars: list[httpx.Cookies]) -> list[httpx.Response]:
    async def press(jar: httpx.Cookies) -> httpx.Response:
        async with httpx.AsyncClient(base_url=base_url, cookies=jar, timeout=60) as client:
            return await client.post(
                f"/posts/{post_id}/pray",
                data={"_csrf_token": jar[CSRF_COOKIE]},
                headers={"accept": "application/json"},
            )

    return await asyncio.gather(*(press(jar) for jar in cookie_jars))


def test_many_members_praying_at_once_leave_an_exact_count(server, author, new_browser):
    post_id = author.create_post()
    jars = _signed_in_cookies(new_browser, PRAYING_MEMBERS)
    responses = asyncio.run(_press_all(server.url, post_id, jars))
    assert [r.status_code for r in responses] == [200] * PRAYING_MEMBERS
    assert all(r.json()["praying"] for r in responses)
    assert scalar("SELECT praying_count FROM post WHERE public_id = ?", post_id) == PRAYING_MEMBERS
    assert (
        scalar("SELECT count(*) FROM prayer WHERE post = (SELECT id FROM post WHERE public_id = ?)", post_id)
        == PRAYING_MEMBERS
    )
    # And all at once again: every toggle comes off.
    responses = asyncio.run(_press_all(server.url, post_id, jars))
    assert [r.status_code for r in responses] == [200] * PRAYING_MEMBERS
    assert scalar("SELECT praying_count FROM post WHERE public_id = ?", post_id) == 0


def test_one_member_pressing_many_times_at_once_stays_consistent(server, author, member):
    post_id = author.create_post()
    member.csrf_token()
    jars = [member.client.cookies] * 15
    responses = asyncio.run(_press_all(server.url, post_id, jars))
    assert [r.status_code for r in responses] == [200] * 15
    rows = scalar("SELECT count(*) FROM prayer WHERE post = (SELECT id FROM post WHERE public_id = ?)", post_id)
    assert rows in (0, 1)
    assert scalar("SELECT praying_count FROM post WHERE public_id = ?", post_id) == rows


def test_concurrent_replies_keep_the_reply_count_exact(server, author, new_browser):
    post_id = author.create_post()
    jars = _signed_in_cookies(new_browser, 12)

    async def reply_all() -> list[httpx.Response]:
        async def reply(jar: httpx.Cookies) -> httpx.Response:
            async with httpx.AsyncClient(base_url=server.url, cookies=jar, timeout=60) as client:
                return await client.post(
                    f"/posts/{post_id}/replies", data={"_csrf_token": jar[CSRF_COOKIE], "body": "With you"}
                )

        return await asyncio.gather(*(reply(jar) for jar in jars))

    responses = asyncio.run(reply_all())
    assert [r.status_code for r in responses] == [303] * 12
    assert scalar("SELECT reply_count FROM post WHERE public_id = ?", post_id) == 12
