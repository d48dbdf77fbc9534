"""The log filter: no patient text and no token in any line, python-telegram-bot's own lines
and exception messages included (bot/log_privacy.py)."""

import asyncio
import io
import json
import logging
import sys
import threading

import pytest
from telegram import Bot
from telegram.request import BaseRequest, RequestData

from bot.log_privacy import PrivacyFilter, install

SECRET = "jag vill inte leva längre"
TYPED = "² dagar, " + SECRET  # int() refuses '²' (isdigit() accepts it)
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq"


@pytest.fixture
def output():
    """A handler on the root logger, as `python -m bot run` sets one up, with the filter
    installed the way the CLI installs it; yields what it writes."""
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    old_level, old_handlers = root.level, root.handlers[:]
    httpx_level = logging.getLogger("httpx").level
    hooks = sys.excepthook, threading.excepthook
    root.handlers = [handler]
    root.setLevel(logging.DEBUG)
    install()
    try:
        yield stream
    finally:
        root.handlers = old_handlers
        root.setLevel(old_level)
        logging.getLogger("httpx").setLevel(httpx_level)
        sys.excepthook, threading.excepthook = hooks


class CannedRequest(BaseRequest):
    """Telegram answering with fixed JSON, offline (as python-telegram-bot's own tests do)."""

    def __init__(self, result):
        self.result = result

    @property
    def read_timeout(self):
        return 1.0

    async def initialize(self):
        pass

    async def shutdown(self):
        pass

    async def do_request(self, url, method, request_data: RequestData | None = None, **_):
        return 200, json.dumps({"ok": True, "result": self.result}).encode()


def _bot(result) -> Bot:
    return Bot(TOKEN, request=CannedRequest(result), get_updates_request=CannedRequest(result))


async def test_ptb_error_while_parsing_updates_keeps_no_update_content(output):
    # a callback_query without chat_instance: python-telegram-bot cannot parse it
    broken = {
        "update_id": 7,
        "callback_query": {
            "id": "1",
            "from": {"id": 5550001, "is_bot": False, "first_name": "Kalle"},
            "data": SECRET,
        },
    }
    with pytest.raises(Exception):  # noqa: B017  (whatever it raises, it is logged)
        await _bot([broken]).get_updates()
    written = output.getvalue()
    assert "Error while parsing updates" in written  # the line itself stays
    assert SECRET not in written and "Kalle" not in written and "5550001" not in written
    assert TOKEN not in written


async def test_ptb_debug_lines_of_a_send_keep_no_text(output):
    message = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 5550001, "type": "private"},
        "text": SECRET,
    }
    await _bot(message).send_message(5550001, SECRET)
    written = output.getvalue()
    assert "Calling Bot API endpoint `sendMessage` with parameters `[redacted]`" in written
    assert SECRET not in written and TOKEN not in written


def test_a_library_line_with_text_in_its_arguments_is_redacted(output):
    logging.getLogger("telegram.ext.Application").debug("Processing update %s", {"text": SECRET})
    logging.getLogger("aiosqlite").debug("executing %s with %s, %d rows", "sql", (SECRET,), 3)
    written = output.getvalue()
    assert "Processing update [redacted]" in written
    assert "executing [redacted] with [redacted], 3 rows" in written  # numbers stay
    assert SECRET not in written


def test_our_own_lines_keep_their_ids(output):
    logging.getLogger("bot.telegram.sender").warning("outbox %d: %s, attempt %d", 12, "TimedOut", 2)
    assert "outbox 12: TimedOut, attempt 2" in output.getvalue()


def _parse_days(text):
    return int(text)  # the message quotes all of it


def test_an_exception_keeps_its_type_and_frames_but_not_its_message(output):
    try:
        _parse_days(TYPED)
    except ValueError:
        logging.getLogger("bot.turn.run").exception("update %d failed", 41)
    written = output.getvalue()
    assert "update 41 failed" in written
    assert "Traceback (most recent call last)" in written
    assert "_parse_days" in written and "test_log_privacy.py" in written  # the stack stays
    assert "ValueError (message withheld)" in written
    assert SECRET not in written and "²" not in written


def test_chained_exceptions_and_exceptions_as_arguments_lose_their_messages(output):
    try:
        try:
            _parse_days(SECRET)
        except ValueError as error:
            raise RuntimeError(f"could not read {SECRET}") from error
    except RuntimeError as error:
        logging.getLogger("telegram.ext.Application").error("failed", exc_info=error)
        logging.getLogger("bot.telegram.handlers").error("update %d failed: %s", 3, error)
    written = output.getvalue()
    assert "direct cause" in written
    assert "ValueError (message withheld)" in written
    assert "RuntimeError (message withheld)" in written
    assert "update 3 failed: RuntimeError" in written
    assert SECRET not in written


def test_the_token_is_masked_wherever_it_appears(output):
    url = f"https://api.telegram.org/bot{TOKEN}/getUpdates"
    logging.getLogger("httpx").warning('HTTP Request: POST %s "HTTP/1.1 409 Conflict"', url)
    logging.getLogger("bot.app").error(f"started with {TOKEN}")
    try:
        raise ConnectionError(url)
    except ConnectionError:
        logging.getLogger("bot.telegram.polling").exception("getUpdates failed")
    written = output.getvalue()
    assert TOKEN not in written and TOKEN.split(":")[1] not in written
    assert "https://api.telegram.org/bot[token]/getUpdates" in written


def test_install_keeps_httpx_request_lines_out_and_is_idempotent(output):
    logging.getLogger("httpx").info("HTTP Request: POST %s", "https://example.invalid/x")
    assert "HTTP Request" not in output.getvalue()
    install()
    handler = logging.getLogger().handlers[0]
    assert sum(isinstance(f, PrivacyFilter) for f in handler.filters) == 1


async def test_asyncio_task_errors_keep_only_their_first_line(output):
    async def fails():
        _parse_days(TYPED)

    loop = asyncio.get_running_loop()
    task = loop.create_task(fails())
    await asyncio.sleep(0)
    loop.default_exception_handler(
        {
            "message": "Task exception was never retrieved",
            "exception": task.exception(),
            "future": task,
        }
    )
    written = output.getvalue()
    assert "Task exception was never retrieved" in written
    assert "ValueError (message withheld)" in written
    assert SECRET not in written


def test_an_uncaught_exception_prints_without_its_message(output, capsys):
    try:
        _parse_days(TYPED)
    except ValueError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    printed = capsys.readouterr().err
    assert "_parse_days" in printed and "ValueError (message withheld)" in printed
    assert SECRET not in printed
