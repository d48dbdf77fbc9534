"""No patient text and no bot token in any log line, whoever logs it.

Our own code logs ids and event types only. Libraries are not so careful: python-telegram-bot
logs whole updates ("Error while parsing updates! Received data was …", "Processing update
…") and every request's parameters at DEBUG; any library may log the calls it runs; an exception's
message may quote what a person typed (`int('²')`); httpx logs request URLs, and the bot's
URL holds its token. `PrivacyFilter`, on every handler of the root logger (`install`), makes
each record safe before any handler formats it:

- a library's record keeps its format string, but its arguments become "[redacted]" (numbers
  stay: they are ids and counts);
- an exception keeps its type and its stack (file, line, function, the code line), never its
  message, its notes or local values; chained exceptions likewise;
- an exception passed as an argument shows as its type;
- asyncio's "Task exception was never retrieved" keeps its first line (the task's repr may
  quote the exception's message);
- anything that looks like a bot token is masked.

`install` also makes an uncaught exception (the process's last words on stderr) print the
same traceback without messages.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback

REDACTED = "[redacted]"
TOKEN_MASK = "[token]"
# A bot token: the bot's id, a colon, and a secret of 35 characters (30+ to be safe).
TOKEN_PATTERN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")

# Loggers of our own code, which logs ids only (and is reviewed for it); everything else is a
# library whose arguments may carry what people wrote.
OWN_LOGGERS = ("bot", "storage", "dialogues", "programs", "__main__")
# Libraries that log a literal first line and then reprs that may hold an exception's text.
FIRST_LINE_ONLY = ("asyncio",)
# Libraries whose arguments are safe as they are (httpx: method, URL, status; the token in the
# URL is masked like everywhere else).
SAFE_LIBRARIES = ("httpx",)

# Library lines whose arguments at these places are safe (a Bot API method name).
SAFE_ARGUMENTS = {
    "Calling Bot API endpoint `%s` with parameters `%s`": (0,),
    "Call to Bot API endpoint `%s` finished with return value `%s`": (0,),
}

_NUMBERS = (int, float)  # bool is an int


class PrivacyFilter(logging.Filter):
    """Makes a record safe to write; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _under(record.name, OWN_LOGGERS):
            _redact_arguments(record)
            _keep_first_line(record)
        _replace_exception_arguments(record)
        _withhold_exception_message(record)
        _mask_tokens(record)
        return True


def install(root: logging.Logger | None = None) -> PrivacyFilter:
    """Put the filter on every handler of the root logger (call after logging is set up), and
    keep httpx's per-request INFO lines out (each one names the bot's URL)."""
    root = root or logging.getLogger()
    privacy = PrivacyFilter()
    for handler in root.handlers:
        if not any(isinstance(existing, PrivacyFilter) for existing in handler.filters):
            handler.addFilter(privacy)
    for library in ("httpx", "httpcore"):
        if logging.getLogger(library).getEffectiveLevel() < logging.WARNING:
            logging.getLogger(library).setLevel(logging.WARNING)
    sys.excepthook = _print_uncaught
    threading.excepthook = lambda args: _print_uncaught(None, args.exc_value, None)
    return privacy


def _print_uncaught(_type, error, _traceback) -> None:
    if error is not None:
        print(_mask(safe_traceback(error)), file=sys.stderr)


def _under(name: str, roots: tuple[str, ...]) -> bool:
    """Whether logger `name` is one of `roots` or below one."""
    return any(name == root or name.startswith(root + ".") for root in roots)


def _redact_arguments(record: logging.LogRecord) -> None:
    if not isinstance(record.msg, str):
        record.msg, record.args = f"{REDACTED} {type(record.msg).__name__}", ()
        return
    if not record.args or _under(record.name, SAFE_LIBRARIES):
        return
    if isinstance(record.args, dict):  # one mapping: "%(name)s" style, or one dict for "%s"
        record.args = _RedactedMapping({key: _redacted(v) for key, v in record.args.items()})
    else:
        kept = SAFE_ARGUMENTS.get(record.msg, ())
        record.args = tuple(
            value if index in kept else _redacted(value) for index, value in enumerate(record.args)
        )


class _RedactedMapping(dict):
    """A mapping argument: "%(key)s" gives the redacted value, "%s" (the whole) gives neither
    keys nor values."""

    def __str__(self) -> str:
        return REDACTED

    __repr__ = __str__


def _keep_first_line(record: logging.LogRecord) -> None:
    if _under(record.name, FIRST_LINE_ONLY):
        first, _, rest = record.msg.partition("\n")
        if rest:
            record.msg = f"{first} {REDACTED}"


def _redacted(value: object) -> object:
    return value if isinstance(value, _NUMBERS) else REDACTED


def _replace_exception_arguments(record: logging.LogRecord) -> None:
    """`log.error("failed: %s", error)`: the error's type, not its message."""
    if isinstance(record.args, tuple) and any(
        isinstance(value, BaseException) for value in record.args
    ):
        record.args = tuple(
            type(value).__name__ if isinstance(value, BaseException) else value
            for value in record.args
        )


def _withhold_exception_message(record: logging.LogRecord) -> None:
    """The traceback without messages replaces the exception; handlers print `exc_text`."""
    if not record.exc_info:
        return
    error = record.exc_info[1]
    record.exc_info = None
    record.exc_text = safe_traceback(error) if error is not None else None
    record.exc_type = _type_name(error) if error is not None else None  # for JSON logs


def safe_traceback(error: BaseException) -> str:
    """The traceback as Python prints it, with each exception's message withheld."""
    return "".join(_traceback_lines(error, seen=set())).rstrip("\n")


def _traceback_lines(error: BaseException, seen: set[int]) -> list[str]:
    seen.add(id(error))
    lines: list[str] = []
    cause, context = error.__cause__, error.__context__
    if cause is not None and id(cause) not in seen:
        lines += _traceback_lines(cause, seen)
        lines.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif context is not None and not error.__suppress_context__ and id(context) not in seen:
        lines += _traceback_lines(context, seen)
        lines.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    if error.__traceback__ is not None:
        lines.append("Traceback (most recent call last):\n")
        lines += traceback.format_list(traceback.extract_tb(error.__traceback__))
    lines.append(f"{_type_name(error)} (message withheld)\n")
    if isinstance(error, BaseExceptionGroup):
        for number, inner in enumerate(error.exceptions, 1):
            lines.append(f"  +-- {number}: {_type_name(inner)} (message withheld)\n")
    return lines


def _type_name(error: BaseException) -> str:
    kind = type(error)
    if kind.__module__ in ("builtins", "__main__"):
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


def _mask_tokens(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # a broken format: show it without its arguments
        record.msg, record.args = f"{REDACTED} (unformattable log call)", ()
        return
    if TOKEN_PATTERN.search(message):
        record.msg, record.args = _mask(message), ()
    if record.exc_text:
        record.exc_text = _mask(record.exc_text)
    if record.stack_info:
        record.stack_info = _mask(record.stack_info)


def _mask(text: str) -> str:
    return TOKEN_PATTERN.sub(TOKEN_MASK, text)
