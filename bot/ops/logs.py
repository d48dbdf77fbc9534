"""How `python -m bot run` writes its log: readable text (the default) or, with
LOG_FORMAT=json, one JSON object per line for a log collector.

A JSON line has `time` (UTC, ISO 8601), `level`, `logger`, `event` (the message), the ids the
call passed as `extra` (update_id, outbox_id, ...), and for an exception `exc_type` and
`stack` (the traceback without messages). Either way the privacy filter
(bot/log_privacy.py) sits on the handler and has made the record safe before it is
formatted: no patient text, no exception message, the token masked.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import IO

from bot.log_privacy import install, safe_traceback

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Fields a log call may add with `extra=` (ids and names from our code, never people's words).
ID_FIELDS = (
    "update_id",
    "outbox_id",
    "patient_id",
    "flag_id",
    "staff_id",
    "unit_id",
    "schedule_id",
    "reminder_id",
    "loop",
    "job",
    "method",
    "lane",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        for name in ID_FIELDS:
            value = getattr(record, name, None)
            if isinstance(value, int | float | str) and not isinstance(value, bool):
                line[name] = value
        if record.exc_info and record.exc_info[1] is not None:  # the filter is not on
            record.exc_type = type(record.exc_info[1]).__name__
            record.exc_text = safe_traceback(record.exc_info[1])  # never the message
        exc_type = getattr(record, "exc_type", None)
        if exc_type:
            line["exc_type"] = exc_type
        if record.exc_text:
            line["stack"] = record.exc_text
        if record.stack_info:
            line["stack_info"] = record.stack_info
        return json.dumps(line, ensure_ascii=False)


def configure(level: str, log_format: str = "text", stream: IO[str] | None = None) -> None:
    """Logging for `python -m bot run`: one handler on the root logger (stderr, or `stream`),
    text or JSON, with the privacy filter on it."""
    handler = logging.StreamHandler(stream)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    install()
