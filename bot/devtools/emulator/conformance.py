"""Checks a Bot API request against the official method list (`api.json`, read from
`../shared/telegram-bot-api/`): the method exists, every required field is there, no field is
unknown, and scalar values have the documented type.

Values arrive as the emulator recorded them: form values are strings (python-telegram-bot
JSON-encodes everything that is not a string), a JSON body keeps native types, uploads are
`FileUpload`s. So an Integer may be `5` or `"5"`, and an object type is a dict/list or a
JSON string of one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from bot.devtools.emulator.params import FileUpload

_INTEGER = re.compile(r"^-?\d+$")
_FLOAT = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def load_api(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def check_request(api: dict[str, Any], method: str, params: dict[str, Any]) -> list[str]:
    """The problems with one request; empty when it conforms."""
    methods = {name.lower(): spec for name, spec in api["methods"].items()}
    spec = methods.get(method.lower())
    if spec is None:
        return [f"{method}: no such Bot API method"]
    name = spec["name"]
    fields = {field["name"]: field for field in spec.get("fields", [])}
    attached = _attached_files(params)
    problems = [
        f"{name}: required field {field_name} is missing"
        for field_name, field in fields.items()
        if field["required"] and params.get(field_name) in (None, "")
    ]
    for key, value in params.items():
        if key in attached:
            continue
        field = fields.get(key)
        if field is None:
            problems.append(f"{name}: unknown field {key}")
        elif not any(_has_type(value, kind) for kind in field["types"]):
            problems.append(
                f"{name}: field {key} should be {' or '.join(field['types'])}, got {value!r:.80}"
            )
    return problems


def _attached_files(params: dict[str, Any]) -> set[str]:
    """Multipart parts that an `attach://name` value points to, or that an InputFile field
    holds directly: not fields of the method themselves."""
    names = set()
    for value in params.values():
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        names.update(re.findall(r"attach://([\w-]+)", text))
    return names


def _has_type(value: Any, kind: str) -> bool:
    if kind == "Integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and bool(_INTEGER.match(value))
        )
    if kind == "Float":
        return (isinstance(value, (int, float)) and not isinstance(value, bool)) or (
            isinstance(value, str) and bool(_FLOAT.match(value))
        )
    if kind == "Boolean":
        return isinstance(value, bool) or value in ("true", "false", "True", "False")
    if kind == "String":
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)
    if kind == "InputFile":
        return isinstance(value, FileUpload) or (
            isinstance(value, str) and value.startswith("attach://")
        )
    if kind.startswith("Array of"):
        return isinstance(_json_value(value), list)
    return isinstance(_json_value(value), dict)  # an object type: JSON-serialized


def _json_value(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return None
