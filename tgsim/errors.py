"""Bot API error replies, raised by method handlers and rendered by the server."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error reply exactly as Telegram would give it."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_dict(self) -> dict[str, Any]:
        """Render the JSON body Telegram sends for this error."""
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(text: str, parameters: dict[str, Any] | None = None) -> ApiError:
    """Build a 400 'Bad Request: ...' error."""
    return ApiError(400, f"Bad Request: {text}", parameters)


def forbidden(text: str) -> ApiError:
    """Build a 403 'Forbidden: ...' error."""
    return ApiError(403, f"Forbidden: {text}")


def too_many_requests(retry_after: int) -> ApiError:
    """Build a 429 flood-control error with parameters.retry_after."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


class ScriptError(Exception):
    """A scripted user tried something Telegram's apps would not allow."""
