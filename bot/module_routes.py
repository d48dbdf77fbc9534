"""The patient's module: their place in it, their answers, and the weekly opening of the
next module (with the questionnaires the program asks for at its start)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot import message_routes, module_follow_up_routes, plan_routes
from bot.reminders.kinds.module import MODULE
from bot.self_help import is_self_help
from bot.turns import Turn
from dialogues import module_steps
from dialogues.module_steps import Change, ModuleView, Position
from dialogues.types import Incoming, Outcome
from storage import answers, events, forms, patients, progress, reminders, treatment
from storage.patients import Enrollment
from storage.progress import ModuleProgress


def module_view(turn: Turn, addon: int | None = None) -> ModuleView | None:
    """The module the patient works in: `addon` when it is an add-on module opened for them,
    else their current module; without the steps their therapist has hidden."""
    enrollment = patients.active_enrollment(turn.conn, turn.patient.id)
    if enrollment is None:
        return None
    enrollment = open_due_module(turn, enrollment)
    program = turn.world.programs[enrollment.program]
    number = enrollment.current_module
    if addon in treatment.opened_addons(turn.conn, enrollment.id):
        number = addon
    module = _without_hidden(turn, enrollment, program.module(number, turn.t.language))
    stored = progress.get(turn.conn, enrollment.id, module.number)
    prefix = module_steps.item_key(module.number, "")
    saved = answers.for_prefix(turn.conn, enrollment.id, prefix)
    by_step = {key.removeprefix(prefix): value for key, value in saved.items()}
    welcome = treatment.welcome(turn.conn, enrollment.id) if number == 1 else None
    position = Position(stored.step_index, stored.finished)
    messaging = not is_self_help(turn.world, enrollment)
    return ModuleView(module, position, by_step, welcome, messaging=messaging)


def _without_hidden(turn: Turn, enrollment: Enrollment, module):
    hidden = treatment.hidden_steps(turn.conn, enrollment.id, module.number)
    shown = [step for step in module.steps if step.id not in hidden]
    if not hidden or not shown:
        return module
    return module.model_copy(update={"steps": shown})


def open_due_module(turn: Turn, enrollment: Enrollment) -> Enrollment:
    """By default a new module opens once the current one is finished and the program's
    interval (a week) has passed since it opened; the questionnaires the program asks for
    at the start of that module become due at the same time."""
    program = turn.world.programs[enrollment.program]
    number = enrollment.current_module
    opens_at = enrollment.module_started_at + timedelta(days=program.meta.module_interval_days)
    if (
        number >= program.module_count
        or turn.now < opens_at
        or not progress.get(turn.conn, enrollment.id, number).finished
    ):
        return enrollment
    start_module(turn.conn, program, enrollment, number + 1, turn.now)
    return patients.active_enrollment(turn.conn, enrollment.patient_id)


def start_module(
    conn, program, enrollment: Enrollment, number: int, now, *, by_staff: int | None = None
) -> None:
    """Make `number` the patient's current module (the weekly opening, or a therapist's
    "sätt till aktuell"), with the questionnaires the program asks for at its start."""
    patients.set_current_module(conn, enrollment.id, number, now)
    details = {"module": number} if by_staff is None else {"module": number, "by_staff": True}
    events.record(conn, "module_opened", now, patient_id=enrollment.patient_id, **details)
    # The therapist's feedback on the modules before comes first, with the new module.
    message_routes.deliver_waiting_feedback(conn, enrollment.patient_id, now, before=number)
    for measure in program.meta.measures:
        if measure.with_modules and number in measure.with_modules:
            if forms.open_module_request(conn, enrollment.patient_id, number) is not None:
                continue  # already waiting (a module set current again)
            forms.create_request(
                conn,
                patient_id=enrollment.patient_id,
                questionnaire=measure.questionnaire,
                reason="module",
                module=number,
                due_at=now,
                window_ends_at=None,  # it opens the module: it waits for the patient
                now=now,
            )


def module_step(turn: Turn) -> Outcome:
    """The current (core) module where the patient is."""
    view = module_view(turn)
    if view is None:
        return Outcome()
    outcome = module_steps.show_current(view, turn.t)
    return replace(outcome, data={}) if outcome.dialogue else outcome


def addon_step(turn: Turn, number: int) -> Outcome:
    """An add-on module the therapist opened (the stateless `addon:<n>` button)."""
    view = module_view(turn, addon=number)
    if view is None or view.module.number != number:
        return Outcome(toast=turn.t("button.stale"))
    outcome = module_steps.show_current(view, turn.t)
    return replace(outcome, data={"module": number}) if outcome.dialogue else outcome


def module_input(turn: Turn, incoming: Incoming) -> Outcome:
    view = module_view(turn, addon=turn.state.data.get("module"))
    if view is None:
        return Outcome()
    planning = _plan_exercise(view, incoming)
    if planning is not None:
        return planning(turn)
    at_end = view.position.at_end(len(view.module.steps))
    if incoming.kind == "button" and incoming.action == "reflect" and at_end:
        return module_follow_up_routes.follow_up(turn, view.module)
    if incoming.kind == "button" and incoming.action == "write" and at_end:
        return message_routes.ask_patient(turn)  # "Skriv till din behandlare"
    outcome, change = module_steps.handle(view, incoming, turn.t)
    _store(turn, view, change)
    reminders.mark_answered(turn.conn, turn.patient.id, MODULE.name, turn.now)
    if any(event.type == "module_finished" for event in outcome.events):
        outcome = outcome.then(module_follow_up_routes.follow_up(turn, view.module))
        message_routes.prompt_feedback(turn, view.module.number)
    return outcome


def module_input_from_button(turn: Turn, action: str) -> Outcome:
    return module_input(turn, Incoming(kind="button", action=action))


def _plan_exercise(view: ModuleView, incoming: Incoming):
    """At a plan exercise, "Planera" or typed text starts planning (the typed text is what to
    do); returns the route to run, or None."""
    steps = view.module.steps
    if view.module.status != "complete" or view.position.at_end(len(steps)):
        return None
    step = steps[view.position.step_index]
    exercise = step.exercise
    if exercise is None or exercise.kind != "plan_activity":
        return None
    if incoming.kind == "button" and incoming.action != "plan":
        return None
    item = module_steps.item_key(view.module.number, step.id)
    text = incoming.text if incoming.kind == "text" else None
    return lambda turn: plan_routes.start(
        turn, item=item, preset_type=exercise.activity_type, text=text
    )


def _store(turn: Turn, view: ModuleView, change: Change) -> None:
    enrollment = patients.active_enrollment(turn.conn, turn.patient.id)
    number = view.module.number
    if change.position is not None:
        position = ModuleProgress(change.position.step_index, change.position.finished)
        progress.save(turn.conn, enrollment.id, number, position, turn.now)
    if change.answer is not None:
        step_id, value = change.answer
        answers.save(
            turn.conn, enrollment.id, module_steps.item_key(number, step_id), value, turn.now
        )
