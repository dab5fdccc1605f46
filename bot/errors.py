"""Domain errors: raised by services, rendered by handlers from a message key."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no; `key` names the message the user sees."""

    key = "error.generic"

    def __init__(self, key: str | None = None, **params: object) -> None:
        super().__init__(key or self.key)
        if key:
            self.key = key
        self.params = params


class NotAdmin(DomainError):
    key = "error.admins_only"


class GroupOnly(DomainError):
    key = "error.group_only"


class PrivateOnly(DomainError):
    key = "error.private_only"


class NotFound(DomainError):
    key = "error.not_found"


class Usage(DomainError):
    """Malformed arguments; the key is the command's usage message."""


class InsufficientPoints(DomainError):
    """Spending or deducting more points than the balance holds."""

    key = "error.insufficient_points"
