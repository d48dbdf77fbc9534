"""Results of questionnaires, as text: the patient's own view and the therapist's. Pure.

The patient sees each questionnaire week by week and question by question, without risk
items and items hidden from patients. Staff see every item, totals as score/max, bands,
the change since the first measurement and whether it is a reliable change.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from html import escape

from dialogues.types import Outcome, Reply

LABEL_CHARS = 55
MAX_POINTS_SHOWN = 6


@dataclass(frozen=True)
class ResultItem:
    id: str
    label: str
    risk: bool
    hidden_from_patient: bool
    answer_labels: dict[int, str]


@dataclass(frozen=True)
class Point:
    date: str  # already formatted for the reader
    total: int
    band: str
    answers: dict[str, int]
    final: bool = False  # the final measurement (eftermätning)


@dataclass(frozen=True)
class Series:
    questionnaire: str
    title: str
    max_total: int
    items: tuple[ResultItem, ...]
    points: tuple[Point, ...]  # oldest first
    reliable_change: str | None = None  # improved | worsened | no_reliable_change | None


@dataclass(frozen=True)
class FinalChange:
    """One questionnaire of the final measurement: its first and its final total."""

    questionnaire: str
    title: str
    first: int | None  # None: the final measurement is its only one
    final: int
    max_total: int
    reliable_change: str | None = None  # improved | worsened | no_reliable_change | None

    def titled(self, title: str) -> FinalChange:
        return replace(self, title=title)


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _trail(item: ResultItem, points: tuple[Point, ...], numeric: bool) -> str:
    values = [point.answers.get(item.id) for point in points]
    shown = [
        "–"
        if value is None
        else (str(value) if numeric else item.answer_labels.get(value, str(value)))
        for value in values
    ]
    return " → ".join(escape(value) for value in shown)


def patient_results(series: list[Series], t) -> Outcome:
    if not series:
        return Outcome(replies=(Reply(t("results.none")),))
    replies = []
    for one in series:
        points = one.points[-MAX_POINTS_SHOWN:]
        lines = [f"<b>{escape(one.title)}</b>"]
        for point in points:
            lines.append(
                t(
                    "results.point_final" if point.final else "results.point",
                    date=point.date,
                    total=point.total,
                    max=one.max_total,
                    band=escape(point.band),
                )
            )
        if len(one.points) > 1:  # the change since the first time, totals only
            first, latest = one.points[0], one.points[-1]
            lines.append(
                t(
                    "results.change_since_first",
                    date=first.date,
                    first=first.total,
                    latest=latest.total,
                    change=f"{latest.total - first.total:+d}",
                )
            )
        shown_items = [item for item in one.items if not item.risk and not item.hidden_from_patient]
        if shown_items:
            lines.append("")
            lines.append(t("results.by_question", first=points[0].date, last=points[-1].date))
            for item in shown_items:
                lines.append(f"• {escape(_short(item.label))}: {_trail(item, points, False)}")
        replies.append(Reply("\n".join(lines)))
    return Outcome(replies=tuple(replies))


def staff_results(label: str, series: list[Series], t) -> Outcome:
    if not series:
        return Outcome(replies=(Reply(t("results.none_staff", label=escape(label))),))
    replies = [Reply(t("results.staff_title", label=escape(label)))]
    for one in series:
        first, latest = one.points[0], one.points[-1]
        points = one.points[-MAX_POINTS_SHOWN:]
        lines = [
            t(
                "results.staff_latest",
                title=escape(one.title),
                total=latest.total,
                max=one.max_total,
                band=escape(latest.band),
                date=latest.date,
            )
        ]
        if len(one.points) > 1:
            change = latest.total - first.total
            lines.append(
                t(
                    "results.staff_change",
                    change=f"{change:+d}",
                    first=first.total,
                    max=one.max_total,
                    date=first.date,
                )
            )
        if one.reliable_change and len(one.points) > 1:
            lines.append(t(f"results.rc.{one.reliable_change}"))
        lines.append(
            t(
                "results.weeks",
                weeks=", ".join(f"{point.date} {point.total}/{one.max_total}" for point in points),
            )
        )
        lines.append(t("results.by_question", first=points[0].date, last=points[-1].date))
        for number, item in enumerate(one.items, start=1):
            mark = "⚠️ " if item.risk else ""
            lines.append(
                f"{number}. {mark}{escape(_short(item.label))}: {_trail(item, points, True)}"
            )
        replies.append(Reply("\n".join(lines)))
    return Outcome(replies=tuple(replies))


def final_change_note(label: str, changes: list[FinalChange], t) -> Reply:
    """For the care team when the final measurement is complete: first vs final total of
    each questionnaire, and whether the change is reliable where the questionnaire says."""
    lines = [t("results.final_note_title", label=escape(label))]
    for change in changes:
        if change.first is None:
            lines.append(
                t(
                    "results.final_note_only",
                    title=escape(change.title),
                    final=change.final,
                    max=change.max_total,
                )
            )
            continue
        line = t(
            "results.final_note_line",
            title=escape(change.title),
            first=change.first,
            final=change.final,
            max=change.max_total,
            change=f"{change.final - change.first:+d}",
        )
        if change.reliable_change:
            line += " – " + t(f"results.rc.{change.reliable_change}")
        lines.append(line)
    lines.append(t("results.final_note_more", label=escape(label)))
    return Reply("\n".join(lines))
