"""The README stays true: every setting the code reads is documented there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_variable_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    code = "\n".join(p.read_text() for p in (ROOT / "src" / "prayerboard").rglob("*.py"))
    names = set(re.findall(r"\b(PRAYERBOARD_[A-Z_]+)\b", code)) - {"PRAYERBOARD_"}
    assert names, "no settings found"
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, f"undocumented in README.md: {missing}"


def test_readme_names_the_two_commands_on_its_first_screen():
    first_screen = "\n".join((ROOT / "README.md").read_text().splitlines()[:30])
    assert "make run" in first_screen and "make test" in first_screen
