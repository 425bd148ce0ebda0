"""Demo content for ``prayerboard demo``.

``generator.py`` is the code: who joins when, which posts get prayers, replies and updates, and
the fast writers for SQLite and PostgreSQL. ``text.py`` is the prose it composes from: names,
titles, bodies, replies. The command line only needs what is exported here.
"""

from prayerboard.demo.generator import DEMO_PASSWORD, DemoError, generate

__all__ = ["DEMO_PASSWORD", "DemoError", "generate"]
