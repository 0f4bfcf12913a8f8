"""Errors the rules raise. Each says what was wrong and how to fix it; tools turn them into results."""
from __future__ import annotations


class DomainError(ValueError):
    """Bad input or a broken rule. ``field`` names the offending input when there is one."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    """The write would duplicate something that exists (a tag, a family member, a recovered cart)."""

    code = "conflict"


class Forbidden(DomainError):
    code = "forbidden"
