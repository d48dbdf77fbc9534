"""Reading numbers that people type or that come back in button data.

One way everywhere: ASCII digits only, within bounds, else None (the caller then answers with
the expected format). `str.isdigit()` and `int()` are not enough: `isdigit()` accepts '²',
which `int()` refuses, and `int()` accepts '٣', '１' and '߁' and thousands of digits (slow,
then refused past 4,300), and SQLite refuses integers past 64 bits.
"""

from __future__ import annotations

from datetime import time

ASCII_DIGITS = frozenset("0123456789")
MAX_ID = 2**63 - 1  # SQLite's largest INTEGER
_MAX_DIGITS = len(str(MAX_ID))  # longer is out of every bound we use: not even converted
_DASHES = ("–", "-")


def _is_ascii_number(text: str) -> bool:
    return 0 < len(text) <= _MAX_DIGITS and all(char in ASCII_DIGITS for char in text)


def parse_int(text: str | None, lo: int, hi: int) -> int | None:
    """A whole number from lo to hi, written in ASCII digits ("7", " 12 "; "-3" only when lo
    is negative), else None: no '+', no '0x', no spaces inside, no other digits."""
    if text is None:
        return None
    digits = text.strip()
    negative = lo < 0 and digits.startswith("-")
    if negative:
        digits = digits[1:]
    if not _is_ascii_number(digits):
        return None
    value = -int(digits) if negative else int(digits)
    return value if lo <= value <= hi else None


def parse_id(text: str | None) -> int | None:
    """A row id from button data or a command: 1 up to what SQLite can hold."""
    return parse_int(text, 1, MAX_ID)


def parse_clock_time(text: str | None, *, hour_alone: bool = False) -> time | None:
    """A time of day typed as "17:30", "7.05" or " 07:30 " (and "17" with hour_alone),
    with ASCII digits; else None."""
    if text is None:
        return None
    typed = text.strip()
    for mark in (":", "."):
        if mark in typed:
            hour_text, _, minute_text = typed.partition(mark)
            if len(minute_text) != 2 or not 1 <= len(hour_text) <= 2:
                return None
            hour, minute = parse_int(hour_text, 0, 23), parse_int(minute_text, 0, 59)
            if hour is None or minute is None or hour_text != hour_text.strip():
                return None
            return time(hour, minute)
    hour = parse_int(typed, 0, 23) if hour_alone and len(typed) <= 2 else None
    return time(hour) if hour is not None else None


def parse_hhmm(text: str | None) -> time | None:
    """A time in button data, written "0730"."""
    if text is None or len(text) != 4 or not _is_ascii_number(text):
        return None
    hour, minute = parse_int(text[:2], 0, 23), parse_int(text[2:], 0, 59)
    return time(hour, minute) if hour is not None and minute is not None else None


def parse_clock_span(text: str | None) -> tuple[time, time] | None:
    """Two times of day with a dash between ("22:00–07:00", "22.00 - 7.00"), else None."""
    if text is None:
        return None
    for dash in _DASHES:
        if dash in text:
            first, _, second = text.partition(dash)
            start, end = parse_clock_time(first), parse_clock_time(second)
            return (start, end) if start is not None and end is not None else None
    return None
