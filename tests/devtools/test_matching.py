"""What `expect` matches and what it consumes; `@capture`; the searchable form of a message."""

from __future__ import annotations

import re
import unicodedata

from bot.devtools.emulator.world import Entry
from bot.devtools.script.matching import Matcher, capture, expect
from bot.devtools.script.transcript import format_entry


def entries(*bodies: str) -> list[Entry]:
    return [Entry(seq=i, kind="send", chat_key="alice", body=body) for i, body in enumerate(bodies)]


def test_expect_consumes_the_oldest_match_and_everything_older():
    log = entries("Hej", "Välkommen", "Steg 1", "Välkommen igen")
    found = expect(log, Matcher.parse("VÄLKOMMEN"))
    assert found is log[1]
    assert [e.consumed for e in log] == [True, True, False, False]
    unconsumed = [e for e in log if not e.consumed]
    assert expect(unconsumed, Matcher.parse("välkommen")) is log[3]
    assert log[2].consumed


def test_no_match_consumes_nothing():
    log = entries("Hej", "Steg 1")
    assert expect(log, Matcher.parse("adjö")) is None
    assert not any(e.consumed for e in log)


def test_regex_is_case_insensitive_and_may_end_in_i():
    log = entries("Modul 1: Hur startar en depression?")
    assert Matcher.parse(r"/modul \d+:/").search(log[0])
    assert Matcher.parse(r"/MODUL \d+:/i").search(log[0])
    assert not Matcher.parse(r"/modul 2/").search(log[0])


def test_buttons_are_part_of_what_a_message_contains():
    entry = Entry(
        seq=1,
        kind="send",
        chat_key="alice",
        body="Godkänner du?",
        buttons=[["Jag godkänner", "Jag godkänner inte"]],
    )
    assert Matcher.parse("[Jag godkänner inte]").search(entry)
    assert format_entry(entry) == [
        "bot → alice: Godkänner du?",
        "   [Jag godkänner] [Jag godkänner inte]",
    ]


def test_text_is_compared_in_nfc():
    decomposed = unicodedata.normalize("NFD", "Växjö")
    entry = entries(f"Mottagning {decomposed}")[0]
    assert Matcher.parse("växjö").search(entry)


def test_capture_searches_newest_first_and_takes_group_one():
    log = entries("https://t.me/ikbt_demo_bot?start=OLD", "https://t.me/ikbt_demo_bot?start=NEW")
    assert capture(log, re.compile(r"start=(\S+)", re.I)) == "NEW"
    assert capture(log, re.compile(r"t\.me/\w+", re.I)) == "t.me/ikbt_demo_bot"
    assert capture(log, re.compile("nothing")) is None
    assert not any(e.consumed for e in log)


def test_transcript_marks_edits_and_notices():
    edit = Entry(seq=1, kind="edit", chat_key="alice", body="line one\nline two")
    notice = Entry(seq=2, kind="notice", chat_key="alice", body="Sparat")
    group = Entry(seq=3, kind="send", chat_key="#therapists", body="[photo] Vecka 1")
    assert format_entry(edit) == ["bot ✎ alice: line one", "   line two"]
    assert format_entry(notice) == ["bot ⚑ alice: Sparat"]
    assert format_entry(group) == ["bot → #therapists: [photo] Vecka 1"]
