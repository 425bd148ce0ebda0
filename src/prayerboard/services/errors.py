"""Errors a service raises; the web and API layers turn each into its page or JSON answer."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class: a request the board refuses, with a message fit to show the person."""

    status_code = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.__class__.__doc__ or "")
        self.message = message or (self.__class__.__doc__ or "").strip()


class NotFound(ServiceError):
    """We could not find that page. It may have been removed, or it may not be shared with you."""

    status_code = 404


class Forbidden(ServiceError):
    """You are not allowed to do that."""

    status_code = 403


class SignInRequired(ServiceError):
    """Please sign in first."""

    status_code = 401


class Throttled(ServiceError):
    """Too many attempts. Please wait a little and try again."""

    status_code = 429

    def __init__(self, message: str = "", retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


def try_again_in(seconds: int) -> str:
    """ "try again in 3 minutes": whole minutes, rounded up, at least one."""
    minutes = max(1, -(-int(seconds) // 60))
    return f"try again in {minutes} minute{'s' if minutes != 1 else ''}"
