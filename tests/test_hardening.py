"""Hardening: links from the configured public address, honest display names, text that cannot
be reordered by hidden controls, and data files only their owner can read."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import httpx
import pytest

from conftest import PASSWORD, Server, query, run_cli, scalar
from prayerboard import names

PUBLIC_URL = "https://pray.example.org"
PUBLIC_HOST = "pray.example.org"


# ---------------------------------------------------------------------------------------------
# The public address


@pytest.fixture(scope="module")
def public_server(migrated_database: str):
    running = Server(env={"PRAYERBOARD_PUBLIC_URL": PUBLIC_URL})
    yield running
    running.stop()


def _client(server: Server, host: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"Host": host}, follow_redirects=False, timeout=30)


def test_feed_links_come_from_the_public_url_not_the_request(public_server, author):
    post_id = author.create_post(title="Links that stay home")
    with _client(public_server, PUBLIC_HOST) as reader:
        feed = reader.get("/feed.atom")
    assert feed.status_code == 200
    assert f'href="{PUBLIC_URL}/posts/{post_id}"' in feed.text
    assert "127.0.0.1" not in feed.text and "http://pray" not in feed.text


def test_public_url_refuses_requests_for_another_host(public_server):
    with _client(public_server, "evil.example") as stranger:
        for path in ("/", "/feed.atom", "/login", "/api/v1/posts"):
            assert stranger.get(path).status_code == 400, path
    with _client(public_server, PUBLIC_HOST) as reader:
        assert reader.get("/").status_code == 200


def test_public_url_still_answers_health_checks_by_any_host(public_server):
    with _client(public_server, "10.0.0.7:8000") as monitor:
        assert monitor.get("/healthz").status_code == 200
        assert monitor.get("/readyz").status_code == 200


def test_without_public_url_feed_links_follow_the_request(author, visitor):
    post_id = author.create_post(title="As before")
    own_address = str(visitor.client.base_url).rstrip("/")
    assert f'href="{own_address}/posts/{post_id}"' in visitor.get("/feed.atom").text


def test_public_url_that_is_not_an_address_stops_the_command():
    result = run_cli("migrate", env={"PRAYERBOARD_PUBLIC_URL": "pray.example.org/path?x=1"})
    assert result.returncode == 2
    assert "PRAYERBOARD_PUBLIC_URL" in result.stderr


# ---------------------------------------------------------------------------------------------
# Display names: rules as plain data


@pytest.mark.parametrize(
    "name",
    [
        "Ruth\u00adAuthor",  # soft hyphen
        "\u3164",  # Hangul filler
        "Na\u200bomi",  # zero-width space
        "Ruth\u202eAuthor",  # right-to-left override
        "Ruth\u2066Author",  # left-to-right isolate
        "Ruth\u034fAuthor",  # combining grapheme joiner
        "Ruth\ue000",  # private use
        "Ruth\u2028Author",  # line separator
    ],
)
def test_hidden_characters_are_found(name):
    assert names.hidden_characters(name)


def test_hidden_characters_leave_ordinary_names_alone():
    for name in ("Ruth Author", "José María", "Zoë", "محمد", "שרה", "李小龍", "Anne-Marie O'Neil"):
        assert names.hidden_characters(name) == [], name


@pytest.mark.parametrize(
    ("lookalike", "original"),
    [
        ("Аdmin", "admin"),  # Cyrillic A
        ("AdmIn", "admin"),  # capital I for l
        ("adrnin", "admin"),  # rn for m
        ("Pastor J0hn", "pastor_john"),  # zero for o, separators
        ("Ρastor Јohn", "Pastor John"),  # Greek Rho, Cyrillic Je
        ("Ｐａｓｔｏｒ", "pastor"),  # full-width letters
        ("Pástor", "pastor"),  # an accent
        ("ᴀᴅᴍɪɴ", "admin"),  # Latin small capitals
        ("ađmin", "admin"),  # a letter with a stroke
        ("ɑdmin", "admin"),  # the Latin alpha
        ("Anonymøus", "Anonymous"),
        ("admiո", "admin"),  # Armenian, from the UTS #39 data
        ("Ꭺdmin", "admin"),  # Cherokee, likewise
    ],
)
def test_skeleton_matches_lookalikes(lookalike, original):
    assert names.skeleton(lookalike) == names.skeleton(original)


def test_skeleton_tells_different_names_apart():
    assert names.skeleton("Ruth") != names.skeleton("Ruby")
    assert names.skeleton("admin") != names.skeleton("admins")


# ---------------------------------------------------------------------------------------------
# Display names at registration


def _register(browser, username: str, display_name: str):
    return browser.post(
        "/register",
        {"username": username, "display_name": display_name, "email": f"{username}@example.org", "password": PASSWORD},
    )


@pytest.mark.parametrize("name", ["Ruth\u00adAuthor", "\u3164", "Gr\u200bace", "Grace\u202e", "\u115f\u1160"])
def test_register_refuses_a_display_name_with_hidden_characters(visitor, name):
    response = _register(visitor, "grace", name)
    assert response.status_code == 422
    assert "characters that can&#39;t be seen" in response.text
    assert scalar("SELECT count(*) FROM member") == 0


@pytest.mark.parametrize("copy", ["Ruth Author", "RUTH  AUTHOR", "Ｒｕｔｈ Ａｕｔｈｏｒ", "Author"])
def test_register_refuses_an_exact_copy_of_another_members_name(author, new_browser, copy):
    response = _register(new_browser(), "ruthie", copy)
    assert response.status_code == 422
    assert "Another member already goes by that name" in response.text
    assert scalar("SELECT count(*) FROM member WHERE username = ?", "ruthie") == 0


def test_register_accepts_a_members_own_username_as_display_name(visitor):
    assert _register(visitor, "grace", "Grace").status_code == 303


@pytest.mark.parametrize("lookalike", ["Shepherd Аnn", "Shepherd_Ann", "SHEPHERD", "5hepherd", "Shepherd Ann"])
def test_register_refuses_a_lookalike_of_a_moderators_name(new_browser, lookalike):
    assert _register(new_browser(), "shepherd", "Shepherd Ann").status_code == 303
    query("UPDATE member SET role = 'moderator' WHERE username = 'shepherd'")
    response = _register(new_browser(), "sheep", lookalike)
    assert response.status_code == 422
    if lookalike not in {"SHEPHERD", "Shepherd Ann"}:
        assert "looks too much like a moderator" in response.text
    assert scalar("SELECT count(*) FROM member WHERE username = ?", "sheep") == 0


def test_register_refuses_the_boards_own_words_as_a_name(visitor):
    response = _register(visitor, "grace", "Anonym0us")
    assert response.status_code == 422
    assert "The board uses that name itself" in response.text


def test_create_admin_refuses_a_copied_display_name(author):
    result = run_cli(
        "create-admin", "keeper", "keeper@example.org", "--display-name", "Ruth Author", input=PASSWORD + "\n"
    )
    assert result.returncode == 2
    assert "Another member already goes by that name" in result.stderr


# ---------------------------------------------------------------------------------------------
# Bidirectional controls in titles and bodies


def test_bidi_overrides_are_neutralised_in_posts_everywhere(author, visitor):
    post_id = author.create_post(title="Pray for \u202eevol\u202c us", body="Read \u2067this\u2069 \u202dright\u202c.")
    page = visitor.get(f"/posts/{post_id}").text
    board = visitor.get("/").text
    api = visitor.get(f"/api/v1/posts/{post_id}").json()
    feed = visitor.get("/feed.atom").text
    for surface in (page, board, api["title"] + api["body"], feed):
        assert not any(char in surface for char in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert "Read this right." in page


# ---------------------------------------------------------------------------------------------
# File modes


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_data_dir():
    """A data directory and database file as a permissive umask would have made them."""
    directory = Path(tempfile.mkdtemp(prefix="prayerboard-modes-"))
    os.chmod(directory, 0o755)
    (directory / "board.sqlite3").touch(mode=0o644)
    os.chmod(directory / "board.sqlite3", 0o644)
    return directory


def _env(directory: Path) -> dict[str, str]:
    return {
        "PRAYERBOARD_DATA_DIR": str(directory),
        "PRAYERBOARD_DATABASE_URL": f"sqlite:///{directory / 'board.sqlite3'}",
    }


def test_migrate_leaves_data_readable_by_its_owner_only(loose_data_dir):
    result = run_cli("migrate", env=_env(loose_data_dir))
    assert result.returncode == 0, result.stderr
    assert _mode(loose_data_dir) == 0o700
    files = [p for p in loose_data_dir.iterdir()]
    assert {p.name for p in files} >= {"board.sqlite3", "secret_key"}
    for path in files:
        assert _mode(path) == 0o600, path.name


def test_run_leaves_database_and_its_wal_files_readable_by_their_owner_only(loose_data_dir):
    assert run_cli("migrate", env=_env(loose_data_dir)).returncode == 0
    database = loose_data_dir / "board.sqlite3"
    # As an older version, or a copy made by hand, may have left them.
    os.chmod(loose_data_dir, 0o755)
    os.chmod(database, 0o644)
    running = Server(env=_env(loose_data_dir))
    try:
        assert _mode(loose_data_dir) == 0o700
        companions = [database.with_name(database.name + suffix) for suffix in ("-wal", "-shm")]
        assert all(path.exists() for path in companions)  # the running server holds the database open
        for path in [database, *companions]:
            assert _mode(path) == 0o600, path.name
    finally:
        running.stop()
