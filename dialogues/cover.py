"""`/cover` for patient-admins and admins: absence cover (see cover.mmd). Pure.

The page lists the unit's current and coming covers (absent therapist → deputy, first and
last day in the unit's zone) with a button to end each. "Ny ersättare" walks through: the
absent therapist → the deputy (the unit's other therapists, as buttons) → the first day
(I dag / I morgon, or typed 2026-12-21) → the last day (one or two weeks, or typed) → Spara.
During the cover the deputy sees the absent therapist's patients and hears what the
therapist hears (alerts, notes). Moving a patient for good is /move <label>.

The dialogue's data: {} on the page; while a cover is made
{"step": ..., "awaiting": "text", "draft": {"absent", "deputy", "first", "last"}}.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from babel.dates import format_date

from dialogues.numbers import parse_id
from dialogues.types import Button, Outcome, Reply, row

DIALOGUE = "cover"


@dataclass(frozen=True)
class CoverLine:
    id: int
    absent: str
    deputy: str
    first_day: date
    last_day: date
    current: bool


@dataclass(frozen=True)
class CoverView:
    covers: tuple[CoverLine, ...]
    therapists: tuple[tuple[int, str], ...]  # the unit's active therapists: (id, name)
    today: date  # in the unit's zone
    language: str

    def name_of(self, staff_id: int) -> str | None:
        return next((name for sid, name in self.therapists if sid == staff_id), None)


@dataclass(frozen=True)
class NewCover:
    absent: int
    deputy: int
    first_day: date
    last_day: date


@dataclass(frozen=True)
class Change:
    """What to store: "create" (a NewCover) or "end" (a cover id)."""

    kind: str
    value: object


def _day(day: date, language: str) -> str:
    return format_date(day, "d MMM yyyy", locale=language)


def period(first: date, last: date, language: str) -> str:
    return f"{_day(first, language)} – {_day(last, language)}"


def page(view: CoverView, t, notice: str = "") -> Outcome:
    lines = [notice] if notice else []
    lines.append(t("cover.title"))
    if view.covers:
        lines.append(
            "\n".join(
                "• "
                + t(
                    "cover.line",
                    absent=escape(line.absent),
                    deputy=escape(line.deputy),
                    period=period(line.first_day, line.last_day, view.language),
                )
                + (" " + t("cover.current") if line.current else "")
                for line in view.covers
            )
        )
    else:
        lines.append(t("cover.none"))
    lines.append(t("cover.move_hint"))
    keyboard = [
        row(
            Button(
                t("cover.button.end", absent=line.absent[:20], deputy=line.deputy[:20]),
                f"end:{line.id}",
            )
        )
        for line in view.covers
    ]
    keyboard.append(
        row(Button(t("cover.button.new"), "new"), Button(t("cover.button.done"), "done"))
    )
    return Outcome(
        replies=(Reply("\n\n".join(lines), tuple(keyboard)),), dialogue=DIALOGUE, data={}
    )


def _ask(text: str, keyboard, step: str, draft: dict, t) -> Outcome:
    keyboard = tuple(keyboard) + (row(Button(t("cover.button.cancel"), "cancel")),)
    # Typed text always comes here, so a stray message re-asks the step and keeps the draft.
    data = {"step": step, "draft": draft, "awaiting": "text"}
    return Outcome(replies=(Reply(text, keyboard),), dialogue=DIALOGUE, data=data)


def _with(notice: str, text: str) -> str:
    return (notice + "\n\n" if notice else "") + text


def _ask_absent(view: CoverView, t) -> Outcome:
    buttons = tuple(row(Button(name[:40], f"absent:{sid}")) for sid, name in view.therapists)
    return _ask(t("cover.ask_absent"), buttons, "absent", {}, t)


def _ask_deputy(view: CoverView, draft: dict, t) -> Outcome:
    buttons = tuple(
        row(Button(name[:40], f"deputy:{sid}"))
        for sid, name in view.therapists
        if sid != draft["absent"]
    )
    text = t("cover.ask_deputy", absent=escape(view.name_of(draft["absent"]) or ""))
    if not buttons:
        text = t("cover.no_deputy")
    return _ask(text, buttons, "deputy", draft, t)


def _ask_first(view: CoverView, draft: dict, t, notice: str = "") -> Outcome:
    tomorrow = view.today + timedelta(days=1)
    buttons = (
        row(
            Button(t("plan.today").capitalize(), f"first:{view.today.isoformat()}"),
            Button(t("plan.tomorrow").capitalize(), f"first:{tomorrow.isoformat()}"),
        ),
    )
    return _ask(_with(notice, t("cover.ask_first")), buttons, "first", draft, t)


def _ask_last(view: CoverView, draft: dict, t, notice: str = "") -> Outcome:
    first = date.fromisoformat(draft["first"])
    buttons = (
        row(
            *(
                Button(
                    t("cover.button.weeks", n=weeks),
                    f"last:{(first + timedelta(days=7 * weeks - 1)).isoformat()}",
                )
                for weeks in (1, 2)
            )
        ),
    )
    text = t("cover.ask_last", first=_day(first, view.language))
    return _ask(_with(notice, text), buttons, "last", draft, t)


def _confirm(view: CoverView, draft: dict, t) -> Outcome:
    text = t(
        "cover.confirm",
        absent=escape(view.name_of(draft["absent"]) or ""),
        deputy=escape(view.name_of(draft["deputy"]) or ""),
        period=period(
            date.fromisoformat(draft["first"]), date.fromisoformat(draft["last"]), view.language
        ),
    )
    return _ask(text, (row(Button(t("cover.button.save"), "save")),), "confirm", draft, t)


def parse_day(typed: str, today: date, t) -> date | None:
    """2026-12-21, or the words for today and tomorrow ("i dag", "idag", "i morgon")."""
    text = " ".join(typed.lower().split())
    words = {t("plan.today"): today, t("plan.tomorrow"): today + timedelta(days=1)}
    for word, day in list(words.items()):
        words[word.replace(" ", "")] = day
    if text in words:
        return words[text]
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _set_first(view: CoverView, draft: dict, raw: str, t) -> Outcome:
    first = parse_day(raw, view.today, t)
    if first is None:
        return _ask_first(view, draft, t, t("cover.day_unclear"))
    if first < view.today:
        return _ask_first(view, draft, t, t("cover.day_past"))
    return _ask_last(view, {**draft, "first": first.isoformat()}, t)


def _set_last(view: CoverView, draft: dict, raw: str, t) -> Outcome:
    last = parse_day(raw, view.today, t)
    if last is None:
        return _ask_last(view, draft, t, t("cover.day_unclear"))
    if last < date.fromisoformat(draft["first"]):
        return _ask_last(view, draft, t, t("cover.last_before_first"))
    return _confirm(view, {**draft, "last": last.isoformat()}, t)


def on_button(view: CoverView, data: dict, action: str, t) -> tuple[Outcome, Change | None]:
    name, _, arg = action.partition(":")
    step = data.get("step")
    draft = dict(data.get("draft") or {})
    if name == "done":
        return Outcome(replies=(Reply(t("cover.closed")),), dialogue=DIALOGUE, data={}), None
    if name == "cancel":
        return page(view, t, t("cover.cancelled")), None
    if name == "new":
        return _ask_absent(view, t), None
    if name == "end" and any(str(line.id) == arg for line in view.covers):
        return Outcome(), Change("end", int(arg))
    chosen = parse_id(arg)
    if name == "absent" and step == "absent" and view.name_of(chosen or 0):
        return _ask_deputy(view, {"absent": chosen}, t), None
    if name == "deputy" and step == "deputy" and view.name_of(chosen or 0):
        if chosen != draft.get("absent"):
            return _ask_first(view, {**draft, "deputy": chosen}, t), None
    if name == "first" and step == "first":
        return _set_first(view, draft, arg, t), None
    if name == "last" and step == "last":
        return _set_last(view, draft, arg, t), None
    if name == "save" and step == "confirm":
        cover = NewCover(
            absent=draft["absent"],
            deputy=draft["deputy"],
            first_day=date.fromisoformat(draft["first"]),
            last_day=date.fromisoformat(draft["last"]),
        )
        if cover.first_day < view.today:  # the confirmation waited past midnight
            return _ask_first(view, draft, t, t("cover.day_past")), None
        return Outcome(), Change("create", cover)
    return page(view, t, t("cover.use_buttons")), None


def on_text(view: CoverView, data: dict, text: str, t) -> Outcome:
    step = data.get("step")
    draft = dict(data.get("draft") or {})
    if step == "first":
        return _set_first(view, draft, text, t)
    if step == "last":
        return _set_last(view, draft, text, t)
    notice = Outcome(replies=(Reply(t("cover.use_buttons")),))
    if step == "absent":
        return notice.then(_ask_absent(view, t))
    if step == "deputy" and draft.get("absent"):
        return notice.then(_ask_deputy(view, draft, t))
    if step == "confirm":
        return notice.then(_confirm(view, draft, t))
    return page(view, t, t("cover.use_buttons"))
