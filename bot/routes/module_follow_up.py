"""Routes for the follow-up at a module's end: the module's days in numbers (diary days,
planned activities, the balance after some modules) and the reflection question."""

from __future__ import annotations

from datetime import timedelta
from html import escape
from zoneinfo import ZoneInfo

from bot.care.balance import own_balance
from bot.care.modules import is_addon
from bot.care.notify import tell_therapist
from bot.turn.context import Turn
from dialogues import general, module_follow_up, module_steps
from dialogues.module_follow_up import ModuleWeek, PlannedResult
from dialogues.types import Outcome, Reply, then_open
from storage import activities, answers, patients
from storage import diary as diary_store

DIALOGUE = module_follow_up.DIALOGUE


def follow_up(turn: Turn, number: int) -> Outcome:
    """Shown once, when module `number` is finished for the first time (and on "reflect")."""
    if turn.patient is None:
        return general.stale_button(turn.t)
    enrollment = patients.active_enrollment(turn.conn, turn.patient.id)
    module = turn.world.programs[enrollment.program].module(number, turn.t.language)
    program = turn.world.programs[enrollment.program]
    week = _module_week(turn, enrollment, program, module)
    summary = module_follow_up.summary_text(week, turn.t)
    outcome = Outcome(replies=(Reply(summary),) if summary else ())
    if module.number in program.meta.balance_after_modules:
        outcome = outcome.then(own_balance(turn.conn, turn.world, turn.now, turn.t, turn.patient))
    return outcome.then(module_follow_up.ask(week, turn.t))


def _module_week(turn: Turn, enrollment, program, module) -> ModuleWeek:
    zone = ZoneInfo(patients.reminder_settings(turn.conn, turn.patient.id).timezone)
    first = enrollment.module_started_at.astimezone(zone).date()
    today = turn.now.astimezone(zone).date()
    entries = diary_store.of_days(turn.conn, turn.patient.id, first, today)
    filled = sum(1 for parts in entries.values() if any(entry.activity for entry in parts.values()))
    planned = tuple(
        PlannedResult(
            text=occurrence.plan.text,
            at=occurrence.occurrence.astimezone(zone).replace(tzinfo=None),
            outcome=occurrence.outcome.outcome if occurrence.outcome else None,
            mood=occurrence.outcome.mood if occurrence.outcome else None,
        )
        for occurrence in activities.occurrences(
            turn.conn,
            turn.patient.id,
            enrollment.module_started_at,
            turn.now + timedelta(seconds=1),
        )
    )
    return ModuleWeek(
        module=module.number,
        diary_days=filled if program.meta.diary is not None else None,
        days=(today - first).days + 1,
        planned=planned,
        question=module.reflection,
        language=turn.t.language,
        addon_title=module.title if is_addon(program, module.number) else None,
    )


def on_text(turn: Turn) -> Outcome:
    if turn.patient is None:
        return general.bad_input("text", turn.t)
    data = turn.state.data
    outcome, answer = module_follow_up.on_text(data, turn.incoming.text, turn.t)
    if answer is None:
        return outcome
    number = int(data.get("module", 0))
    enrollment = patients.active_enrollment(turn.conn, turn.patient.id)
    key = module_steps.item_key(number, module_steps.REFLECTION)
    answers.save(turn.conn, enrollment.id, key, answer, turn.now)
    program = turn.world.programs[enrollment.program]
    if is_addon(program, number):  # named by its title, never its number
        title = escape(program.module(number, turn.patient.language).title)
        key, details = "module_follow_up.therapist_note_addon", {"title": title}
    else:
        key, details = "module_follow_up.therapist_note", {"module": number}
    tell_therapist(turn.conn, turn.patient, key, turn.now, reflection=escape(answer), **details)
    return outcome


def on_button(turn: Turn, action: str) -> Outcome:
    if turn.patient is None:
        return general.stale_button(turn.t)
    if action == "later":
        return module_follow_up.later(turn.t)
    # The module summary's "Läs modulen igen", pressed while the question is open.
    return then_open(module_steps.DIALOGUE, "button", action)
