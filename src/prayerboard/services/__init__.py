"""The domain: one function per use case, shared by the web pages and the JSON API.

Each function checks the policy, runs its writes in one transaction and returns plain data.
"""

import datetime as _dt


def utcnow() -> _dt.datetime:
    """The current time in UTC, as every timestamp the services write."""
    return _dt.datetime.now(_dt.UTC)
