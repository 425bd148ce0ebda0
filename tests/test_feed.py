"""The Atom feed: public posts only, valid Atom 1.0, anonymous authors as "Anonymous"."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from conftest import query

ATOM = "{http://www.w3.org/2005/Atom}"


def read_feed(browser) -> tuple[ET.Element, str]:
    response = browser.get("/feed.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content), response.text


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall(f"{ATOM}entry")


def entry_titles(feed: ET.Element) -> list[str]:
    return [e.findtext(f"{ATOM}title") for e in entries(feed)]


@pytest.fixture
def quiet_author(new_browser):
    """An author whose names are unlike any word in an Atom document."""
    browser = new_browser()
    assert browser.register("hannah_q", "Hannah Quietly").status_code == 303
    return browser


def test_feed_is_atom_with_feed_metadata_and_absolute_links(author, visitor, server):
    author.create_post(title="Healing for my father")
    feed, _ = read_feed(visitor)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == f"{server.url}/feed.atom"
    assert feed.findtext(f"{ATOM}title") == "Prayer Board"
    assert feed.findtext(f"{ATOM}updated").endswith("Z")
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"self": f"{server.url}/feed.atom", "alternate": f"{server.url}/"}


def test_feed_entry_carries_what_atom_requires(author, visitor, server):
    post_id = author.create_post(
        title="Healing for my father", body="He starts treatment.", category="Health and healing"
    )
    feed, _ = read_feed(visitor)
    [entry] = entries(feed)
    url = f"{server.url}/posts/{post_id}"
    assert entry.findtext(f"{ATOM}id") == url
    assert entry.findtext(f"{ATOM}title") == "Healing for my father"
    assert entry.find(f"{ATOM}link").get("href") == url
    assert entry.findtext(f"{ATOM}published").endswith("Z")
    assert entry.findtext(f"{ATOM}updated") == feed.findtext(f"{ATOM}updated")
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Ruth Author"
    assert entry.findtext(f"{ATOM}author/{ATOM}uri") == f"{server.url}/members/author"
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "text" and content.text == "He starts treatment."
    assert "Health and healing" in [c.get("term") for c in entry.findall(f"{ATOM}category")]


def test_feed_is_newest_first_and_holds_fifty(author, visitor):
    ids = [author.create_post(title=f"Post {n}") for n in range(52)]
    feed, _ = read_feed(visitor)
    assert entry_titles(feed) == [f"Post {n}" for n in reversed(range(52))][:50]
    assert len(ids) == 52


def test_feed_of_an_empty_board_is_still_valid(visitor):
    feed, _ = read_feed(visitor)
    assert entries(feed) == []
    assert feed.findtext(f"{ATOM}updated")


def test_feed_holds_public_posts_only(author, member, visitor):
    author.create_post(title="Public request")
    author.create_post(title="Members request", visibility="members")
    author.create_post(title="Team request", visibility="team")
    hidden = author.create_post(title="Hidden request")
    pending = author.create_post(title="Pending request")
    archived = author.create_post(title="Archived request")
    query("UPDATE post SET moderation = 'hidden' WHERE public_id = ?", hidden)
    query("UPDATE post SET moderation = 'pending' WHERE public_id = ?", pending)
    query("UPDATE post SET status = 'archived' WHERE public_id = ?", archived)
    # The feed is the same for everyone, signed in or not, the author included.
    for reader in (visitor, member, author):
        feed, text = read_feed(reader)
        assert entry_titles(feed) == ["Public request"]
        for title in ("Members request", "Team request", "Hidden request", "Pending request", "Archived request"):
            assert title not in text


def test_feed_names_an_anonymous_author_only_as_anonymous(quiet_author, visitor):
    quiet_author.create_post(title="Secret struggle", anonymous="on")
    feed, text = read_feed(visitor)
    [entry] = entries(feed)
    author = entry.find(f"{ATOM}author")
    assert [child.tag for child in author] == [f"{ATOM}name"]
    assert author.findtext(f"{ATOM}name") == "Anonymous"
    member_id = query("SELECT id FROM member WHERE username_key = 'hannah_q'")[0]["id"]
    for leak in ("Hannah", "Quietly", "hannah_q", "/members/", f"member-{member_id}"):
        assert leak not in text, leak


def test_feed_escapes_hostile_titles_bodies_and_names(new_browser, visitor):
    browser = new_browser()
    assert browser.register("sly", 'Sly <b>"Name"</b> & co').status_code == 303
    title = "<script>alert(\"x\")</script> & 'quotes' ]]> <!--"
    body = "Body with </content><entry> & <![CDATA[ x ]]>"
    browser.create_post(title=title, body=body)
    feed, text = read_feed(visitor)
    [entry] = entries(feed)
    assert entry.findtext(f"{ATOM}title") == title
    assert entry.findtext(f"{ATOM}content") == body
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == 'Sly <b>"Name"</b> & co'
    assert "<script>" not in text and "</content><entry>" not in text


def test_feed_stays_readable_with_characters_xml_cannot_carry(author, visitor):
    post_id = author.create_post(title="Clean title")
    # Not possible through the forms, which clean input; an older or imported row might hold one.
    query("UPDATE post SET title = ? WHERE public_id = ?", "Bad\x01title\x7f", post_id)
    feed, _ = read_feed(visitor)
    assert entry_titles(feed) == ["Badtitle\x7f"]


def test_every_page_points_feed_readers_at_the_feed(visitor):
    head = visitor.get("/").text.split("</head>")[0]
    assert '<link rel="alternate" type="application/atom+xml" href="/feed.atom"' in head
