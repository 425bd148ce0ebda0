"""The unit layer: pure functions checked as plain data, with no server and no database.

A package, so that its modules and its conftest never clash by name with the end-to-end
suite's (``tests/test_search.py`` and ``tests/unit/test_search.py`` are different modules).
"""
