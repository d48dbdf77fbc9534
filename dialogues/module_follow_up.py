"""The follow-up at the end of a module (see module_follow_up.mmd). Pure.

Right after the module's summary the patient sees how the module's days went: how many diary
days were filled in (when the program has a diary), which planned activities happened, and
(after some modules) the balance of vill / måste / kan vara utan; then a short reflection
question. The answer is stored as the module's `reflection` answer and sent to the therapist.

The dialogue's data: {"awaiting": "text", "module": N} while the question is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from babel.dates import format_datetime

from dialogues.module_opening import module_name
from dialogues.types import Button, Event, Outcome, Reply, row

DIALOGUE = "reflection"
MAX_REFLECTION_CHARS = 2000


@dataclass(frozen=True)
class PlannedResult:
    text: str
    at: datetime  # local
    outcome: str | None  # ja | delvis | nej; None: no answer
    mood: int | None


@dataclass(frozen=True)
class ModuleWeek:
    module: int
    diary_days: int | None  # None: the program has no diary
    days: int
    planned: tuple[PlannedResult, ...]
    question: str | None  # the module's reflection question, if it has one
    language: str
    addon_title: str | None = None  # an add-on module: named by its title, not its number


def _planned_line(result: PlannedResult, language: str, t) -> str:
    when = format_datetime(result.at, "EEE d MMM HH:mm", locale=language)
    if result.outcome is None:
        how = t("activities.missed")
    else:
        how = t(f"follow_up.outcome.{result.outcome}")
        if result.mood is not None:
            how += " · " + t("diary.mood_value", mood=result.mood)
    return f"• {when} {escape(result.text)}: {how}"


def summary_text(week: ModuleWeek, t) -> str | None:
    """The module's days in numbers; None when there is nothing to show (no diary in the
    program and no planned activity that has happened yet)."""
    if week.addon_title is not None:
        name = escape(module_name(week.module, week.addon_title, True, t))
        lines = [t("module_follow_up.title_addon", name=name)]
    else:
        lines = [t("module_follow_up.title", number=week.module)]
    if week.diary_days is not None:
        lines.append(t("module_follow_up.diary_days", filled=week.diary_days, days=week.days))
    if week.planned:
        happened = sum(1 for result in week.planned if result.outcome in ("ja", "delvis"))
        lines.append(
            t("module_follow_up.planned", happened=happened, total=len(week.planned))
            + "\n"
            + "\n".join(_planned_line(result, week.language, t) for result in week.planned)
        )
    return "\n\n".join(lines) if len(lines) > 1 else None


def ask(week: ModuleWeek, t) -> Outcome:
    question = escape(week.question.strip()) if week.question else t("module_follow_up.question")
    keyboard = (row(Button(t("module_follow_up.button.later"), "later")),)
    text = t("module_follow_up.ask", question=question)
    return Outcome(
        replies=(Reply(text, keyboard),),
        dialogue=DIALOGUE,
        data={"awaiting": "text", "module": week.module},
    )


def on_text(data: dict, text: str, t) -> tuple[Outcome, str | None]:
    """The reflection; returned for the route to store and pass on to the therapist."""
    answer = text.strip()[:MAX_REFLECTION_CHARS]
    if not answer:
        return Outcome(replies=(Reply(t("module_follow_up.empty")),)), None
    outcome = Outcome(
        replies=(Reply(t("module_follow_up.saved")),),
        events=(Event("reflection_saved", {"module": data.get("module")}),),
        dialogue=DIALOGUE,
        data={},
    )
    return outcome, answer


def later(t) -> Outcome:
    return Outcome(replies=(Reply(t("module_follow_up.later")),), dialogue=DIALOGUE, data={})
