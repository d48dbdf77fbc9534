"""LOG_FORMAT=json: one JSON object per line, and the privacy filter still applies: no
patient text from any logger or exception, the token masked."""

from __future__ import annotations

import io
import json
import logging
import sys
import threading

import pytest

from bot.ops.logs import configure

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
PATIENT_TEXT = "jag vill inte leva längre"


@pytest.fixture
def logged(monkeypatch):
    """The root logger as `python -m bot run` sets it up, writing into a buffer; restored
    afterwards."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    buffer = io.StringIO()

    def setup(log_format):
        configure("INFO", log_format, stream=buffer)
        return buffer

    yield setup
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


def _lines(buffer):
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_each_line_is_one_json_object_with_the_ids(logged):
    buffer = logged("json")
    logging.getLogger("bot.telegram.handlers").info(
        "update %d handled by %s", 42, "text", extra={"update_id": 42}
    )
    (line,) = _lines(buffer)
    assert line["level"] == "INFO"
    assert line["logger"] == "bot.telegram.handlers"
    assert line["event"] == "update 42 handled by text"
    assert line["update_id"] == 42
    assert line["time"].endswith("+00:00")


def test_json_lines_hold_no_patient_text_and_no_token(logged):
    buffer = logged("json")
    logging.getLogger("telegram.ext.Application").info("Processing update %s", PATIENT_TEXT)
    logging.getLogger("httpx").warning("POST https://api.telegram.org/bot%s/sendMessage", TOKEN)
    try:
        int(PATIENT_TEXT)
    except ValueError:
        logging.getLogger("bot.telegram.handlers").exception("update 7 failed")
    logging.getLogger("bot.x").error("leaked %s", TOKEN)
    output = buffer.getvalue()
    assert PATIENT_TEXT not in output
    assert TOKEN not in output and "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0" not in output
    library, httpx_line, failure, token_line = _lines(buffer)
    assert library["event"] == "Processing update [redacted]"
    assert "[token]" in httpx_line["event"]
    assert failure["exc_type"] == "ValueError"
    assert "ValueError (message withheld)" in failure["stack"]
    assert "test_json_logs.py" in failure["stack"]  # the frames stay
    assert token_line["event"] == "leaked [token]"


def test_the_default_stays_readable_text(logged):
    buffer = logged("text")
    logging.getLogger("bot.app").info("bot started as @%s", "ikbt_bot")
    line = buffer.getvalue().strip()
    assert line.endswith("INFO bot.app bot started as @ikbt_bot")
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)
