from datetime import time

import pytest

from dialogues.numbers import (
    MAX_ID,
    parse_clock_span,
    parse_clock_time,
    parse_hhmm,
    parse_id,
    parse_int,
)

NOT_ASCII_DIGITS = ["²", "٣", "１", "߁", "৩", "Ⅻ", "½", "3²", "1٣", "𝟕"]


@pytest.mark.parametrize("text", NOT_ASCII_DIGITS)
def test_other_digits_are_refused(text):
    assert parse_int(text, 0, 10**6) is None
    assert parse_id(text) is None


@pytest.mark.parametrize(
    "text",
    ["", " ", "+5", "0x10", "1e3", "1_000", "5 5", "5.0", "-", "--5", "five", "5\u200b", "\u202e5"],
)
def test_anything_but_plain_digits_is_refused(text):
    assert parse_int(text, -100, 10**6) is None


def test_plain_digits_within_bounds():
    assert parse_int("7", 0, 10) == 7
    assert parse_int(" 7\n", 0, 10) == 7
    assert parse_int("007", 0, 10) == 7
    assert parse_int("0", 0, 10) == 0
    assert parse_int("10", 0, 10) == 10


def test_bounds():
    assert parse_int("11", 0, 10) is None
    assert parse_int("0", 1, 10) is None
    assert parse_int("-3", 0, 10) is None  # no sign unless negatives are allowed
    assert parse_int("-3", -5, 5) == -3
    assert parse_int("-6", -5, 5) is None


def test_huge_numbers_are_refused_quickly():
    assert parse_int("9" * 5000, 0, 10) is None
    assert parse_id("9" * 5000) is None
    assert parse_id("99999999999999999999") is None  # past SQLite's 64 bits
    assert parse_id(str(MAX_ID)) == MAX_ID
    assert parse_id(str(MAX_ID + 1)) is None
    assert parse_id("0") is None
    assert parse_id(None) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("17:30", time(17, 30)), ("7.05", time(7, 5)), (" 07:30 ", time(7, 30)), ("0:00", time(0))],
)
def test_clock_times(text, expected):
    assert parse_clock_time(text) == expected


@pytest.mark.parametrize(
    "text",
    ["24:00", "12:60", "1٣:00", "１7:30", "17:3", "17:300", "17 :30", "17: 30", "", "17", "²:00"],
)
def test_unreadable_clock_times(text):
    assert parse_clock_time(text) is None


def test_hour_alone_only_when_asked():
    assert parse_clock_time("17", hour_alone=True) == time(17)
    assert parse_clock_time("٣", hour_alone=True) is None
    assert parse_clock_time("123", hour_alone=True) is None


def test_button_times_and_spans():
    assert parse_hhmm("0730") == time(7, 30)
    assert parse_hhmm("2460") is None
    assert parse_hhmm("07٣0") is None
    assert parse_hhmm(" 730") is None
    assert parse_clock_span("22:00–07:00") == (time(22), time(7))
    assert parse_clock_span("22.00 - 7.00") == (time(22), time(7))
    assert parse_clock_span("22:00") is None
    assert parse_clock_span("٢٢:00–07:00") is None
