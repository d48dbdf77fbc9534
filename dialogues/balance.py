"""The weekly balance of activity types (vill / måste / kan vara utan). Pure.

For each week, Monday to Sunday in the patient's local days: how many diary entries the
patient sorted as each type, and how they felt on average while doing them. Entries without a
type yet (types are asked from a given module on) are counted apart; skipped parts are not
entries. Only types and moods are needed, never what the patient wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

from dialogues.diary import TYPES


@dataclass(frozen=True)
class Mark:
    """One diary entry, as the balance sees it."""

    day: date
    activity_type: str | None
    mood: int | None


@dataclass(frozen=True)
class TypeCount:
    count: int
    mean_mood: Decimal | None  # one decimal, half up; None when no entry had a mood


@dataclass(frozen=True)
class Week:
    monday: date
    by_type: dict[str, TypeCount]  # every one of TYPES, in that order
    untyped: int

    @property
    def typed(self) -> int:
        return sum(one.count for one in self.by_type.values())


def mean_mood(moods: list[int]) -> Decimal | None:
    """The mean to one decimal, rounded half up as people expect (6.25 -> 6.3), which float
    rounding does not promise."""
    if not moods:
        return None
    return (Decimal(sum(moods)) / len(moods)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def weeks(marks: list[Mark], first_monday: date, last_monday: date) -> list[Week]:
    """One row per week from `first_monday` to `last_monday`, weeks without entries too."""
    found = []
    monday = first_monday
    while monday <= last_monday:
        inside = [mark for mark in marks if monday <= mark.day < monday + timedelta(days=7)]
        by_type = {}
        for kind in TYPES:
            of_kind = [mark for mark in inside if mark.activity_type == kind]
            moods = [mark.mood for mark in of_kind if mark.mood is not None]
            by_type[kind] = TypeCount(len(of_kind), mean_mood(moods))
        untyped = sum(1 for mark in inside if mark.activity_type is None)
        found.append(Week(monday, by_type, untyped))
        monday += timedelta(days=7)
    return found


def any_typed(rows: list[Week]) -> bool:
    return any(week.typed for week in rows)


def format_mood(mood: Decimal | None, language: str) -> str | None:
    """'6,2' in Swedish, '6.2' in English; None stays None (no mood to show)."""
    return None if mood is None else format_decimal(mood, "0.0", locale=language)


def week_label(week: Week, t) -> str:
    """The week's number, short (for a chart's x axis)."""
    return t("balance.week_short", number=week.monday.isocalendar().week)


def week_line(week: Week, language: str, t) -> str:
    """'<b>Vecka 49</b> (30 nov–6 dec): vill 5 (humör 6,2) · måste 3 (4,0) · …'"""
    heading = t(
        "balance.week_heading",
        number=week.monday.isocalendar().week,
        first=format_date(week.monday, "d MMM", locale=language),
        last=format_date(week.monday + timedelta(days=6), "d MMM", locale=language),
    )
    if week.typed == 0 and week.untyped == 0:
        return f"{heading}: {t('balance.week_empty')}"
    items = []
    mood_named = False  # the first mood says what the number is; the rest are just numbers
    for kind, one in week.by_type.items():
        label = t(f"balance.type.{kind}")
        if one.mean_mood is None:
            items.append(t("balance.item", type=label, count=one.count))
            continue
        key = "balance.item_mood" if mood_named else "balance.item_mood_first"
        mood = format_mood(one.mean_mood, language)
        items.append(t(key, type=label, count=one.count, mood=mood))
        mood_named = True
    if week.untyped:
        items.append(t("balance.untyped", count=week.untyped))
    return f"{heading}: " + " · ".join(items)


def balance_text(rows: list[Week], language: str, t, heading: str) -> str:
    """The balance as text (screen readers, search), newest week last like the chart."""
    return "\n".join([heading, *(week_line(week, language, t) for week in rows)])
