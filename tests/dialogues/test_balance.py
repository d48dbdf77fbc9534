"""The weekly balance, pure: counts and mean mood per type and week, and its text."""

from datetime import date
from decimal import Decimal

from bot.i18n import Translator
from dialogues import balance
from dialogues.balance import Mark

SV = Translator("sv")
EN = Translator("en")
MONDAY = date(2026, 11, 30)  # week 49
NEXT_MONDAY = date(2026, 12, 7)


def test_no_entries_gives_empty_weeks_and_nothing_typed():
    rows = balance.weeks([], MONDAY, NEXT_MONDAY)
    assert [week.monday for week in rows] == [MONDAY, NEXT_MONDAY]
    assert all(week.typed == 0 and week.untyped == 0 for week in rows)
    assert not balance.any_typed(rows)
    assert "inget i dagboken" in balance.week_line(rows[0], "sv", SV)


def test_counts_and_means_per_type_and_week():
    marks = [
        Mark(date(2026, 11, 30), "vill", 6),
        Mark(date(2026, 12, 2), "vill", 7),
        Mark(date(2026, 12, 6), "maste", 4),  # Sunday: still week 49
        Mark(date(2026, 12, 7), "kan_vara_utan", 3),  # Monday: week 50
    ]
    first, second = balance.weeks(marks, MONDAY, NEXT_MONDAY)
    assert first.by_type["vill"] == balance.TypeCount(2, Decimal("6.5"))
    assert first.by_type["maste"] == balance.TypeCount(1, Decimal("4.0"))
    assert first.by_type["kan_vara_utan"] == balance.TypeCount(0, None)
    assert second.by_type["kan_vara_utan"].count == 1
    assert second.by_type["vill"].count == 0


def test_untyped_entries_are_counted_apart():
    marks = [Mark(MONDAY, None, 5), Mark(MONDAY, None, None), Mark(MONDAY, "vill", 8)]
    (week,) = balance.weeks(marks, MONDAY, MONDAY)
    assert week.untyped == 2
    assert week.typed == 1
    assert week.by_type["vill"].mean_mood == Decimal("8.0")  # untyped moods not mixed in
    assert "utan typ 2" in balance.week_line(week, "sv", SV)


def test_only_untyped_entries_are_not_a_balance_yet():
    rows = balance.weeks([Mark(MONDAY, None, 5)], MONDAY, MONDAY)
    assert not balance.any_typed(rows)


def test_a_week_without_entries_between_two_with():
    marks = [Mark(MONDAY, "vill", 5), Mark(date(2026, 12, 14), "vill", 5)]
    rows = balance.weeks(marks, MONDAY, date(2026, 12, 14))
    assert [week.typed for week in rows] == [1, 0, 1]


def test_typed_entry_without_mood_counts_but_has_no_mean():
    (week,) = balance.weeks([Mark(MONDAY, "maste", None)], MONDAY, MONDAY)
    assert week.by_type["maste"] == balance.TypeCount(1, None)
    assert "måste 1" in balance.week_line(week, "sv", SV)


def test_mean_mood_rounds_half_up_to_one_decimal():
    assert balance.mean_mood([6, 6, 6, 7]) == Decimal("6.3")  # 6.25; float round gives 6.2
    assert balance.mean_mood([2, 2, 3]) == Decimal("2.3")  # 2.333…
    assert balance.mean_mood([1, 2, 2]) == Decimal("1.7")  # 1.666…
    assert balance.mean_mood([0]) == Decimal("0.0")
    assert balance.mean_mood([]) is None


def test_text_per_week_in_the_readers_language():
    marks = [Mark(MONDAY, "vill", 6), Mark(MONDAY, "vill", 7), Mark(MONDAY, "maste", 4)]
    (week,) = balance.weeks(marks, MONDAY, MONDAY)
    line = balance.week_line(week, "sv", SV)
    assert "<b>Vecka 49</b>" in line
    assert "vill 2 (mående 6,5) · måste 1 (4,0) · kan vara utan 0" in line
    english = balance.week_line(week, "en", EN)
    assert "want to 2 (mood 6.5) · have to 1 (4.0) · could do without 0" in english
    text = balance.balance_text([week], "sv", SV, "RUBRIK")
    assert text.splitlines()[0] == "RUBRIK"
    assert balance.week_label(week, SV) == "v. 49"
