"""The wheel carries everything the board needs to run from any directory."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_templates_static_files_and_migrations(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    wheel = next(tmp_path.glob("prayerboard-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in ROOT.joinpath("templates").rglob("*.html"):
        assert f"prayerboard/templates/{template.relative_to(ROOT / 'templates')}" in names
    for asset in ("site.css", "site.js", "icon.svg"):
        assert f"prayerboard/static/{asset}" in names
    migrations = [n for n in names if n.startswith("prayerboard/piccolo_migrations/prayerboard_")]
    assert len(migrations) == len(list(ROOT.glob("src/prayerboard/piccolo_migrations/prayerboard_*.py")))
    assert any(n.endswith("entry_points.txt") for n in names)
