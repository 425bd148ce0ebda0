"""The unit layer's set-up: nothing to start.

Tests here import the app's modules and call their pure functions. They must not ask for the
``server``, ``migrated_database`` or browser fixtures of ``tests/conftest.py``: this guard fails
any unit test that does, so the layer keeps running in seconds.
"""

from __future__ import annotations

import pytest

_END_TO_END_FIXTURES = frozenset({"server", "migrated_database", "new_browser", "visitor", "author", "member"})


@pytest.fixture(autouse=True)
def _no_server(request: pytest.FixtureRequest) -> None:
    used = _END_TO_END_FIXTURES.intersection(request.fixturenames)
    assert not used, f"a unit test may not start the server or touch the database: {sorted(used)}"
