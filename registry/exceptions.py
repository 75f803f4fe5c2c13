"""Exceptions the services raise; views turn them into messages or error pages."""

from __future__ import annotations

from werkzeug.exceptions import Forbidden, NotFound


class RuleViolation(Exception):
    """A business rule refused the change; the message is meant for the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class AccessDenied(Forbidden):
    """The actor's role may not do this."""


class NotVisible(NotFound):
    """The object does not exist, or belongs to another organisation: both look the same."""


class TooManyAttempts(Exception):
    """Login throttled; retry later."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"Too many attempts; try again in {retry_after_seconds} seconds.")
        self.retry_after_seconds = retry_after_seconds
