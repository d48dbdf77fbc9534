"""The therapist's workspace for patients (see patient_overview.mmd). Pure.

`/patients`: one line per patient in sections: active, not confirmed (who the patient is
waits for the therapist), in maintenance (with its end date) and ended (until purged, with
the end date and reason); in each, those needing attention first (open red flags, cannot be
reached, amber flags, then the longest inactive), with a button to open each. `/patient
<label>`: details, the lifecycle (dates, who did what), a timeline with paging, and, while
the treatment is active, the treatment controls: set the current module, open an add-on
module, hide steps, a welcome text.

The dialogue's data: {"patient": id, "label": label} on a patient's pages (plus "page",
"module", or "awaiting": "welcome"); {"list_page": n} on the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from babel.dates import format_date, format_datetime

from dialogues.module_opening import module_name
from dialogues.numbers import MAX_ID, parse_int
from dialogues.types import Button, Outcome, Reply, row

DIALOGUE = "patients"
LIST_PAGE = 15
TIMELINE_PAGE = 10
MAX_WELCOME_CHARS = 1000
SECTIONS = ("active", "unconfirmed", "maintenance", "ended")  # in the order they are listed
CONTROLS = ("modules", "addons", "hide", "welcome", "set", "addon", "toggle")


@dataclass(frozen=True)
class Score:
    title: str
    total: int
    max_total: int
    band: str
    trend: int  # -1 better (lower), 0 same, 1 worse; 0 with one measurement


@dataclass(frozen=True)
class PatientLine:
    patient_id: int
    label: str
    program: str
    module: int
    step: int | None  # 1-based step shown; None: the module is finished
    steps: int
    last_active: datetime | None  # local
    diary_days: int | None  # None: the program has no diary
    score: Score | None
    red_flags: int
    amber_flags: int
    paused: bool
    unreachable: bool
    reply: str | None = None  # the care team's reply times, already worded
    unanswered: bool = False  # a message from the patient waits for an answer
    confirmed: bool = True  # False: the therapist has not confirmed who the patient is
    maintenance_until: date | None = None  # local: in maintenance until this day
    ended_on: date | None = None  # local: the treatment ended this day
    end_reason: str | None = None  # the reason, already worded

    @property
    def section(self) -> str:
        """Where the overview lists the patient (one of SECTIONS)."""
        if self.ended_on is not None:
            return "ended"
        if self.maintenance_until is not None:
            return "maintenance"
        return "active" if self.confirmed else "unconfirmed"

    def attention(self) -> tuple:
        """Sort key: open red flags, unreachable, amber flags, an unanswered message, then
        the longest inactive."""
        inactive = self.last_active.timestamp() if self.last_active else 0.0
        return (
            -self.red_flags,
            not self.unreachable,
            -self.amber_flags,
            not self.unanswered,
            inactive,
            self.label,
        )


@dataclass(frozen=True)
class TimelineItem:
    at: datetime  # local
    text: str  # already worded (escaped) by the route


@dataclass(frozen=True)
class ModuleChoice:
    number: int
    title: str
    steps: tuple[tuple[str, str, bool], ...]  # (step id, title, hidden)


@dataclass(frozen=True)
class PatientPage:
    line: PatientLine
    started: datetime  # local
    therapist: str
    welcome: str | None
    modules: tuple[ModuleChoice, ...]  # the core modules
    addons: tuple[tuple[int, str, bool], ...]  # (number, title, opened)
    timeline: tuple[TimelineItem, ...]  # newest first
    language: str
    lifecycle: tuple[TimelineItem, ...] = ()  # enrolled, confirmed, ended, ...: oldest first
    controls: bool = True  # the treatment controls: only while the treatment is active


def _when(at: datetime | None, language: str, t) -> str:
    if at is None:
        return t("patients.never")
    return format_date(at, "d MMM", locale=language)


def _trend(score: Score) -> str:
    return {-1: "↓", 0: "→", 1: "↑"}[score.trend]


def _day(day: date, language: str) -> str:
    return format_date(day, "d MMM y", locale=language)


def _flag_parts(line: PatientLine, t) -> list[str]:
    parts = []
    if line.red_flags:
        parts.append(t("patients.red_flags", n=line.red_flags))
    if line.amber_flags:
        parts.append(t("patients.amber_flags", n=line.amber_flags))
    return parts


def line_text(line: PatientLine, language: str, t) -> str:
    mark = "🔴" if line.red_flags else ("🟠" if line.amber_flags or line.unreachable else "⚪")
    parts = [f"{mark} <b>{escape(line.label)}</b>", escape(line.program)]
    if line.ended_on is not None:
        # After the end only when and why, and a flag still open (someone must handle it).
        ended = t("patients.ended_on", date=_day(line.ended_on, language), reason=line.end_reason)
        return " · ".join([*parts, ended, *_flag_parts(line, t)])
    if line.maintenance_until is not None:
        parts.append(t("patients.maintenance_until", date=_day(line.maintenance_until, language)))
    if line.step is None:
        parts.append(t("patients.module_done", module=line.module))
    else:
        parts.append(
            t("patients.module_step", module=line.module, step=line.step, steps=line.steps)
        )
    parts.append(t("patients.active", when=_when(line.last_active, language, t)))
    if line.diary_days is not None:
        parts.append(t("patients.diary_days", n=line.diary_days))
    if line.score:
        score = line.score
        total = f"{score.total}/{score.max_total}"
        parts.append(f"{escape(score.title)} {total} {escape(score.band)} {_trend(score)}")
    parts += _flag_parts(line, t)
    if line.unreachable:
        parts.append(t("patients.unreachable"))
    if line.paused:
        parts.append(t("patients.paused"))
    if line.reply:
        parts.append(line.reply)
    if not line.confirmed:
        parts.append(t("patients.unconfirmed"))
    return " · ".join(parts)


def _ordered(lines: list[PatientLine]) -> list[PatientLine]:
    """Section by section (SECTIONS), attention first within each."""
    return sorted(lines, key=lambda line: (SECTIONS.index(line.section), line.attention()))


def _listing(shown: list[PatientLine], counts: dict[str, int], language: str, t) -> str:
    """The lines shown, each section under its heading (with the whole section's count)."""
    blocks: list[list[str]] = []
    section = None
    for line in shown:
        if line.section != section:
            section = line.section
            blocks.append([t(f"patients.section.{section}", n=counts[section])])
        blocks[-1].append(line_text(line, language, t))
    return "\n\n".join("\n".join(block) for block in blocks)


def overview(lines: list[PatientLine], language: str, t, page: int = 0) -> Outcome:
    ordered = _ordered(lines)
    if not ordered:
        return Outcome(replies=(Reply(t("patients.none")),))
    pages = (len(ordered) + LIST_PAGE - 1) // LIST_PAGE
    page = max(0, min(page, pages - 1))
    shown = ordered[page * LIST_PAGE : (page + 1) * LIST_PAGE]
    counts = {name: sum(1 for line in ordered if line.section == name) for name in SECTIONS}
    text = t("patients.title", n=len(ordered)) + "\n\n" + _listing(shown, counts, language, t)
    buttons = [Button(line.label, f"open:{line.patient_id}") for line in shown]
    keyboard = [tuple(buttons[i : i + 4]) for i in range(0, len(buttons), 4)]
    keyboard.append(
        row(
            Button("◀", f"list:{page - 1}") if page > 0 else None,
            Button("▶", f"list:{page + 1}") if page + 1 < pages else None,
        )
    )
    return Outcome(
        replies=(Reply(text, tuple(k for k in keyboard if k)),),
        dialogue=DIALOGUE,
        data={"list_page": page},
    )


def _base(page: PatientPage) -> dict:
    return {"patient": page.line.patient_id, "label": page.line.label}


def patient_page(page: PatientPage, t, notice: str = "") -> Outcome:
    line = page.line
    lines = [notice] if notice else []
    lines.append(t("patient.title", label=escape(line.label)))
    lines.append(line_text(line, page.language, t))
    lines.append(
        t(
            "patient.details",
            started=format_date(page.started, "d MMMM y", locale=page.language),
            therapist=escape(page.therapist),
        )
    )
    opened = [module_name(n, title, True, t) for n, title, is_open in page.addons if is_open]
    if opened:
        lines.append(t("patient.addons_open", titles=escape(", ".join(opened))))
    hidden = sum(1 for module in page.modules for _, _, is_hidden in module.steps if is_hidden)
    if hidden:
        lines.append(t("patient.hidden_count", n=hidden))
    if page.welcome:
        lines.append(t("patient.welcome_is", text=escape(page.welcome)))
    if page.lifecycle:
        lines.append(_lifecycle_text(page, t))
    if line.ended_on is not None:
        lines.append(t("patient.ended_note"))
    controls = (
        row(
            Button(t("patient.button.set_module"), "modules"),
            Button(t("patient.button.addon"), "addons"),
        ),
        row(
            Button(t("patient.button.hide"), f"hide:{line.module}"),
            Button(t("patient.button.welcome"), "welcome"),
        ),
    )
    keyboard = (
        row(Button(t("patient.button.timeline"), "timeline:0")),
        *(controls if page.controls else ()),
        row(Button(t("patient.button.list"), "list:0")),
    )
    return Outcome(
        replies=(Reply("\n\n".join(lines), keyboard),), dialogue=DIALOGUE, data=_base(page)
    )


def _lifecycle_text(page: PatientPage, t) -> str:
    """The treatment's course: one dated line per change, who made it already worded."""
    lines = [t("patient.lifecycle_title")]
    for item in page.lifecycle:
        lines.append(f"{format_date(item.at, 'd MMM y', locale=page.language)} · {item.text}")
    return "\n".join(lines)


def timeline(page: PatientPage, number: int, t) -> Outcome:
    items = page.timeline
    pages = max(1, (len(items) + TIMELINE_PAGE - 1) // TIMELINE_PAGE)
    number = max(0, min(number, pages - 1))
    shown = items[number * TIMELINE_PAGE : (number + 1) * TIMELINE_PAGE]
    lines = [
        t("patient.timeline_title", label=escape(page.line.label), page=number + 1, pages=pages)
    ]
    if not shown:
        lines.append(t("patient.timeline_empty"))
    for item in shown:
        when = format_datetime(item.at, "d MMM HH:mm", locale=page.language)
        lines.append(f"{when} · {item.text}")
    keyboard = (
        row(
            Button(t("patient.button.newer"), f"timeline:{number - 1}") if number > 0 else None,
            Button(t("patient.button.older"), f"timeline:{number + 1}")
            if number + 1 < pages
            else None,
        ),
        row(Button(t("patient.button.back"), "back")),
    )
    return Outcome(
        replies=(Reply("\n".join(lines), tuple(k for k in keyboard if k)),),
        dialogue=DIALOGUE,
        data={**_base(page), "page": number},
    )


def module_choice(page: PatientPage, t) -> Outcome:
    buttons = [
        Button(("✓ " if m.number == page.line.module else "") + str(m.number), f"set:{m.number}")
        for m in page.modules
    ]
    keyboard = (
        tuple(buttons[:4]),
        tuple(buttons[4:]),
        row(Button(t("patient.button.back"), "back")),
    )
    listing = "\n".join(f"{m.number}. {escape(m.title)}" for m in page.modules)
    text = t("patient.choose_module", label=escape(page.line.label)) + "\n\n" + listing
    return Outcome(
        replies=(Reply(text, tuple(k for k in keyboard if k)),), dialogue=DIALOGUE, data=_base(page)
    )


def addon_choice(page: PatientPage, t) -> Outcome:
    keyboard = [
        (
            Button(
                ("✓ " if is_open else "") + module_name(number, title, True, t), f"addon:{number}"
            ),
        )
        for number, title, is_open in page.addons
    ]
    keyboard.append(row(Button(t("patient.button.back"), "back")))
    key = "patient.choose_addon" if page.addons else "patient.no_addons"
    return Outcome(
        replies=(Reply(t(key, label=escape(page.line.label)), tuple(keyboard)),),
        dialogue=DIALOGUE,
        data=_base(page),
    )


def hide_choice(page: PatientPage, number: int, t) -> Outcome:
    module = next((m for m in page.modules if m.number == number), None)
    if module is None:
        return patient_page(page, t)
    keyboard = [
        (Button(("🙈 " if hidden else "👁 ") + title, f"toggle:{number}:{step_id}"),)
        for step_id, title, hidden in module.steps
    ]
    others = row(
        Button("◀", f"hide:{number - 1}") if number > 1 else None,
        Button("▶", f"hide:{number + 1}") if number < len(page.modules) else None,
    )
    keyboard += [others, row(Button(t("patient.button.back"), "back"))]
    text = t("patient.hide_steps", module=number, title=escape(module.title))
    return Outcome(
        replies=(Reply(text, tuple(k for k in keyboard if k)),),
        dialogue=DIALOGUE,
        data={**_base(page), "module": number},
    )


def ask_welcome(page: PatientPage, t) -> Outcome:
    keyboard = (row(Button(t("patient.button.back"), "back")),)
    return Outcome(
        replies=(Reply(t("patient.ask_welcome", label=escape(page.line.label)), keyboard),),
        dialogue=DIALOGUE,
        data={**_base(page), "awaiting": "welcome"},
    )


@dataclass(frozen=True)
class Change:
    """set_module (n), open_addon (n), toggle_step ((module, step id)), welcome (text)."""

    kind: str
    value: object


def on_button(page: PatientPage, data: dict, action: str, t) -> tuple[Outcome, Change | None]:
    """Buttons on a patient's pages ("open:<id>" and "list:<n>" are the route's)."""
    name, _, arg = action.partition(":")
    number = parse_int(arg, -MAX_ID, MAX_ID)  # a page or a module; out of range is clamped
    if name in CONTROLS and not page.controls:
        return patient_page(page, t), None  # the treatment is no longer active
    if name == "timeline" and number is not None:
        return timeline(page, number, t), None
    if name == "modules":
        return module_choice(page, t), None
    if name == "addons":
        return addon_choice(page, t), None
    if name == "hide" and number is not None:
        return hide_choice(page, number, t), None
    if name == "welcome":
        return ask_welcome(page, t), None
    if name == "set" and any(m.number == number for m in page.modules):
        return Outcome(), Change("set_module", number)
    if name == "addon" and any(n == number for n, _, _ in page.addons):
        return Outcome(), Change("open_addon", number)
    if name == "toggle":
        number, _, step_id = arg.partition(":")
        module = next((m for m in page.modules if str(m.number) == number), None)
        if module and any(s[0] == step_id for s in module.steps):
            return Outcome(), Change("toggle_step", (module.number, step_id))
    if name == "back":
        return patient_page(page, t), None
    return patient_page(page, t, t("patient.use_buttons")), None


def on_text(page: PatientPage, data: dict, text: str, t) -> tuple[Outcome, Change | None]:
    if data.get("awaiting") != "welcome" or not page.controls:
        return patient_page(page, t, t("patient.use_buttons")), None
    welcome = text.strip()[:MAX_WELCOME_CHARS]
    if not welcome:
        return ask_welcome(page, t), None
    return Outcome(), Change("welcome", welcome)
