"""The parameters of one Bot API request, with typed access.

A request may arrive as a query string, form fields, multipart form data (with files) or a
JSON body. Form values are strings (python-telegram-bot JSON-encodes non-string values, so
`reply_markup` arrives as a JSON string); a JSON body keeps native types. Typed accessors
accept both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.devtools.emulator.errors import bad_request


@dataclass(frozen=True)
class FileUpload:
    """A file uploaded in a multipart request."""

    field: str
    filename: str
    content_type: str
    size: int


class Params:
    def __init__(self, raw: dict[str, Any]):
        self.raw = raw

    def __contains__(self, name: str) -> bool:
        return self.raw.get(name) not in (None, "")

    def int(self, name: str, *, required: bool = False) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def str(self, name: str, *, required: bool = False) -> str | None:
        value = self.raw.get(name)
        if value is None:
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, (dict, list, FileUpload)):
            raise bad_request(f"invalid {name} specified")
        return value if isinstance(value, str) else json.dumps(value)

    def bool(self, name: str) -> bool:
        value = self.raw.get(name)
        if isinstance(value, bool):
            return value
        if value is None:
            return False
        return str(value).strip().lower() in ("true", "1")

    def json(self, name: str) -> Any:
        """A JSON-serialized object parameter (dict or list), or None when absent."""
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, (dict, list)):
            return value
        try:
            return json.loads(value)
        except (TypeError, ValueError):
            raise bad_request(f"can't parse {name} JSON object") from None

    def file(self, name: str) -> FileUpload | str | None:
        """An InputFile parameter: an upload, an `attach://` reference to one, or a file_id/URL."""
        value = self.raw.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.raw.get(value.removeprefix("attach://"))
            if value is None:
                raise bad_request(f"wrong file identifier/HTTP URL specified for {name}")
        if value is None or isinstance(value, FileUpload):
            return value
        return str(value)

    def chat_id(self) -> int:
        value = self.raw.get("chat_id")
        if isinstance(value, str) and value.startswith("@"):
            raise bad_request("chat not found")
        chat_id = self.int("chat_id")
        if chat_id is None:
            raise bad_request("chat_id is empty")
        return chat_id
