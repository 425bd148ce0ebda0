"""The command line and settings: migrate, the generated secret key, bad configuration."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

from conftest import run_cli


def _fresh_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRAYERBOARD_")}
    env["PRAYERBOARD_DATA_DIR"] = str(tmp_path / "data")
    return env


def test_migrate_creates_the_sqlite_database_and_can_run_twice(tmp_path):
    env = _fresh_env(tmp_path)
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-m", "prayerboard", "migrate"], env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        assert "up to date" in result.stdout
    assert (tmp_path / "data" / "prayerboard.sqlite3").exists()


def test_secret_key_is_generated_once_and_readable_by_owner_only(tmp_path):
    from prayerboard.settings import Settings

    env = _fresh_env(tmp_path)
    first = Settings.from_env(env)
    key_file = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert Settings.from_env(env).secret_key == first.secret_key
    assert len(first.secret_key) >= 32


def test_secret_key_from_the_environment_wins(tmp_path):
    from prayerboard.settings import Settings

    env = {**_fresh_env(tmp_path), "PRAYERBOARD_SECRET_KEY": "k" * 40}
    assert Settings.from_env(env).secret_key == "k" * 40
    assert not (tmp_path / "data" / "secret_key").exists()


def test_bad_settings_fail_with_a_clear_message(tmp_path):
    env = {**_fresh_env(tmp_path), "PRAYERBOARD_DATABASE_URL": "mysql://nope"}
    result = subprocess.run(
        [sys.executable, "-m", "prayerboard", "run"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "PRAYERBOARD_DATABASE_URL must start with" in result.stderr


def test_categories_can_be_configured(tmp_path):
    from prayerboard.settings import Settings

    env = {**_fresh_env(tmp_path), "PRAYERBOARD_CATEGORIES": "Healing, Family ,,Praise"}
    assert Settings.from_env(env).categories == ("Healing", "Family", "Praise")


def test_create_admin_refuses_a_retired_username(migrated_database):
    from conftest import query

    query("INSERT INTO retired_username (username_key, retired_at) VALUES ('keeper', CURRENT_TIMESTAMP)")
    again = run_cli("create-admin", "KEEPER", "k2@example.org", input="a long enough password\n")
    assert again.returncode == 2
    assert "taken" in again.stderr
