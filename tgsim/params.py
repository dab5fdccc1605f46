"""Typed access to Bot API request parameters from JSON, form or multipart bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tgsim.errors import bad_request


@dataclass
class Upload:
    """A file uploaded in a multipart request."""

    filename: str
    data: bytes
    content_type: str | None = None


class Params:
    """Request parameters; form values are strings, JSON values are already typed."""

    def __init__(self, data: dict[str, Any], files: dict[str, Upload] | None = None) -> None:
        self.data = data
        self.files = files or {}

    def has(self, name: str) -> bool:
        """Tell whether the parameter was given (and is not null)."""
        return self.data.get(name) is not None or name in self.files

    def str(self, name: str, default: str | None = None) -> str | None:
        """Read a string parameter."""
        value = self.data.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value) if isinstance(value, dict | list) else str(value)

    def int(self, name: str, default: int | None = None) -> int | None:
        """Read an integer parameter; a non-number answers 400 like Telegram."""
        value = self.data.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value)
        except (TypeError, ValueError):
            try:
                return int(float(value))
            except (TypeError, ValueError):
                raise bad_request(f"invalid {name} specified") from None

    def bool(self, name: str, default: bool = False) -> bool:
        """Read a boolean parameter ('true'/'false' in form bodies)."""
        value = self.data.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1", "yes")

    def json(self, name: str, default: Any = None) -> Any:
        """Read an object/array parameter that form bodies send JSON-encoded."""
        value = self.data.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            if value == "":
                return default
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def file(self, name: str) -> Upload | str | None:
        """Read a file parameter: an upload (direct or attach://) or a file_id/URL string."""
        if name in self.files:
            return self.files[name]
        value = self.str(name)
        if value and value.startswith("attach://"):
            return self.files.get(value[len("attach://"):])
        return value

    def loggable(self) -> dict[str, Any]:
        """Give a copy fit for the request log (uploads replaced by their names)."""
        out: dict[str, Any] = dict(self.data)
        for key, upload in self.files.items():
            out[key] = f"<upload {upload.filename} {len(upload.data)} bytes>"
        return out
