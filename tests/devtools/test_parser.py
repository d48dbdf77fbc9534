"""Every directive of the `.chat` contract, and the lines that make a script exit 2."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.devtools.emulator.world import Press
from bot.devtools.script.parser import (
    AddGroup,
    AddStaff,
    Advance,
    At,
    Block,
    Capture,
    Crash,
    Down,
    Edit,
    Expect,
    ExpectNo,
    ExpectSilence,
    Fault,
    Flush,
    Migrate,
    Restart,
    Say,
    ScriptError,
    SetClock,
    SetUser,
    parse_line,
    parse_script,
    substitute,
)


def test_clock_with_and_without_zone():
    clock = parse_line("@clock 2026-12-01 08:00 Europe/Stockholm", 1)
    assert isinstance(clock, SetClock)
    assert clock.local == datetime(2026, 12, 1, 8, 0)
    assert clock.zone.key == "Europe/Stockholm"
    assert parse_line("@clock 2027-01-05 21:30 UTC", 1).zone.key == "UTC"
    assert parse_line("@clock 2027-01-05 21:30", 1).zone.key == "Europe/Stockholm"


def test_user_staff_and_group():
    assert parse_line("@user alice lang=en", 1) == SetUser("alice", "en")
    assert parse_line("@user bo", 1) == SetUser("bo", None)
    assert parse_line("@staff anna therapist unit=Växjö", 1) == AddStaff(
        "anna", ("therapist",), "Växjö"
    )
    assert parse_line("@staff anna patient-admin", 1) == AddStaff(
        "anna", ("patient-admin",), "default"
    )
    assert parse_line("@staff bo admin therapist unit=Region Kronoberg", 1) == AddStaff(
        "bo", ("admin", "therapist"), "Region Kronoberg"
    )
    assert parse_line("@group therapists anna bo unit=Växjö", 1) == AddGroup(
        "therapists", ("anna", "bo"), "Växjö"
    )
    assert parse_line("@group #team anna", 1) == AddGroup("team", ("anna",), "default")
    unregistered = AddGroup("therapists", ("anna", "bo"), "Växjö", registered=False)
    assert parse_line("@group therapists anna bo unit=Växjö unregistered", 1) == unregistered
    assert parse_line("@group therapists anna bo unregistered unit=Växjö", 1) == unregistered
    assert parse_line("@group team unregistered", 1) == AddGroup("team", (), "default", False)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("alice> some text", Say("alice", None, "text", text="some text")),
        ("alice> /command args", Say("alice", None, "text", text="/command args")),
        ("alice> <sticker>", Say("alice", None, "sticker")),
        ("alice> <photo>", Say("alice", None, "photo")),
        (
            "alice> [Jag godkänner]",
            Say("alice", None, "press", press=Press("exact", "Jag godkänner")),
        ),
        ("alice> [~abel]", Say("alice", None, "press", press=Press("contains", "abel"))),
        ("alice> [#2]", Say("alice", None, "press", press=Press("index", "2"))),
        ("anna@therapists> /status", Say("anna", "therapists", "text", text="/status")),
        ("anna@therapists> [OK]", Say("anna", "therapists", "press", press=Press("exact", "OK"))),
        ("åsa> hej", Say("åsa", None, "text", text="hej")),
    ],
)
def test_what_people_do(line, expected):
    assert parse_line(line, 1) == expected


def test_edit_time_and_life_cycle():
    assert parse_line("@edit alice new text", 1) == Edit("alice", None, "new text")
    assert parse_line("@advance 1d 2h 30m", 1) == Advance(timedelta(days=1, hours=2, minutes=30))
    assert parse_line("@advance 90m", 1) == Advance(timedelta(minutes=90))
    assert parse_line("@at 2026-12-03 20:00", 1) == At(datetime(2026, 12, 3, 20, 0))
    assert parse_line("@restart", 1) == Restart()
    assert parse_line("@crash", 1) == Crash(on_send=False)
    assert parse_line("@crash on-send", 1) == Crash(on_send=True)
    assert parse_line("@down 3h", 1) == Down(timedelta(hours=3))


def test_transport_directives():
    assert parse_line("@block alice", 1) == Block("alice", True)
    assert parse_line("@unblock alice", 1) == Block("alice", False)
    assert parse_line("@block #therapists", 1) == Block("#therapists", True)
    assert parse_line("@migrate #therapists", 1) == Migrate("therapists")
    assert parse_line("@fault 429 3", 1) == Fault("429", 3)
    assert parse_line("@fault 500 2", 1) == Fault("500", 2)
    assert parse_line("@fault timeout 2", 1) == Fault("timeout", 2)


def test_expectations_and_flush():
    expect = parse_line("expect alice: Välkommen", 1)
    assert isinstance(expect, Expect) and expect.chat == "alice"
    assert expect.matcher.text == "välkommen" and expect.matcher.pattern is None
    regex = parse_line(r"expect #therapists: /röd\s+flagga/i", 1)
    assert regex.chat == "#therapists" and regex.matcher.pattern.pattern == r"röd\s+flagga"
    assert parse_line("expect alice: /start", 1).matcher.text == "/start"
    assert isinstance(parse_line("expect-no alice: /x+/", 1), ExpectNo)
    assert parse_line("expect-silence alice", 1) == ExpectSilence("alice")
    assert parse_line("@flush", 1) == Flush(None)
    assert parse_line("@flush #therapists", 1) == Flush("#therapists")
    capture = parse_line(r"@capture CODE anna /start=(\S+)/", 1)
    assert isinstance(capture, Capture)
    assert (capture.variable, capture.chat, capture.pattern.pattern) == (
        "CODE",
        "anna",
        r"start=(\S+)",
    )


def test_script_skips_blank_lines_and_comments_and_keeps_numbers():
    lines = parse_script("# a comment\n\nalice> hej\n   \n  # indented comment\nexpect alice: x\n")
    assert [(line.number, line.text) for line in lines] == [
        (3, "alice> hej"),
        (6, "expect alice: x"),
    ]


def test_variables_must_be_captured_first():
    source = (
        "anna> /invite depression P1\n@capture CODE anna /start=(\\S+)/\nalice> /start ${CODE}\n"
    )
    assert len(parse_script(source)) == 3
    with pytest.raises(ScriptError) as error:
        parse_script("alice> /start ${CODE}\n")
    assert error.value.number == 1
    assert substitute("alice> /start ${CODE}", 3, {"CODE": "ABC"}) == "alice> /start ABC"


@pytest.mark.parametrize(
    "line",
    [
        "@teleport alice",
        "hello there",
        "Alice> hi",
        "alice>",
        "alice> [#0]",
        "alice> [~]",
        "@clock 2026-13-01 08:00",
        "@clock 2026-12-01 08:00 Mars/Olympus",
        "@user alice colour=blue",
        "@staff anna wizard",
        "@staff anna",
        "@advance soon",
        "@advance",
        "@at tomorrow",
        "@at 2026-12-01 25:00",
        "@capture CODE anna start=(\\S+)",
        "@capture CODE anna /start=(/",
        "expect alice hello",
        "expect alice:",
        "expect alice: /unclosed(/",
        "expect-silence",
        "@fault 418 2",
        "@fault 429 0",
        "@migrate therapists",
        "@crash hard",
        "@restart now",
        "@down",
        "@block",
    ],
)
def test_lines_that_cannot_be_parsed_exit_2(line):
    with pytest.raises(ScriptError) as error:
        parse_script(f"# header\n{line}\n")
    assert error.value.number == 2
    assert error.value.reason
