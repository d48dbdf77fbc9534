"""The patient's module: their place in it, their answers, the weekly opening of the next
module where the program or unit wants it (with the questionnaires the program asks for at
its start), and the feedback prompt to the care team when a module is finished."""

from __future__ import annotations

from dataclasses import replace

from bot.care.final_measures import request_final_measures
from bot.care.messaging import prompt_feedback
from bot.care.modules import (
    is_addon,
    open_due_module,
    opening,
    place,
    therapist_opens_next,
)
from bot.care.self_help import is_self_help
from bot.escalation.screening import crisis_terms_in
from bot.reminders.kinds.module import MODULE
from bot.turn.context import Turn
from dialogues import activity_plan, general, messages, module_follow_up, module_steps
from dialogues import forms as forms_dialogue
from dialogues.module_steps import Change, ModuleState, ModuleView, Position
from dialogues.numbers import parse_id
from dialogues.types import Incoming, Outcome, then_open
from storage import answers, forms, patients, progress, reminders, treatment
from storage.patients import Enrollment
from storage.progress import ModuleProgress

DIALOGUE = module_steps.DIALOGUE


def module_view(turn: Turn, addon: int | None = None) -> ModuleView | None:
    """The module the patient works in: `addon` when it is an add-on module opened for them,
    else their current module; without the steps their therapist has hidden."""
    place = _place(turn, addon)
    return place[1] if place else None


def _place(turn: Turn, addon: int | None = None) -> tuple[Enrollment, ModuleView] | None:
    """The patient's enrollment (after opening a module that is due) and `module_view`'s
    view, read once for the turn."""
    enrollment = patients.active_enrollment(turn.conn, turn.patient.id)
    if enrollment is None:
        return None
    where = place(turn.conn, enrollment)
    enrollment = open_due_module(turn.conn, turn.world, enrollment, turn.now, where)
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
    view = ModuleView(
        module,
        position,
        by_step,
        welcome,
        messaging=not is_self_help(turn.world, enrollment),
        addon=is_addon(program, number),
        last=number == program.module_count,
        opening=opening(turn.conn, turn.world, enrollment, where),
        state=_state(turn),
    )
    return enrollment, view


def _state(turn: Turn) -> ModuleState:
    """The module dialogue's stored state; a fresh one in another dialogue (or when what is
    stored does not fit)."""
    if turn.state.dialogue != DIALOGUE:
        return ModuleState()
    return ModuleState.load(turn.state.data) or ModuleState()


def awaits_choice(turn: Turn) -> bool:
    """Typed text waits for the patient's Ersätt / Lägg till / Behåll (the router keeps that
    question open on a sticker or an edit)."""
    return turn.state.dialogue == DIALOGUE and _state(turn).pending is not None


def holds_typed_text(outcome: Outcome) -> bool:
    """The outcome keeps the typed text waiting for the patient's choice (so after a crisis
    text the choice comes after the safety message)."""
    if outcome.dialogue != DIALOGUE or not outcome.data:
        return False
    state = ModuleState.load(outcome.data)
    return state is not None and state.pending is not None


def _without_hidden(turn: Turn, enrollment: Enrollment, module):
    hidden = treatment.hidden_steps(turn.conn, enrollment.id, module.number)
    shown = [step for step in module.steps if step.id not in hidden]
    if not hidden or not shown:
        return module
    return module.model_copy(update={"steps": shown})


def module_step(turn: Turn) -> Outcome:
    """The current (core) module where the patient is."""
    view = module_view(turn)
    return _show(turn, view) if view is not None else Outcome()


def _show(turn: Turn, view: ModuleView) -> Outcome:
    """The step, and the choice for typed text still waiting on it (nothing typed is lost)."""
    outcome = module_steps.show_current(view, turn.t)
    if not outcome.dialogue:
        return outcome
    pending = view.pending_here()
    if pending is None:
        return replace(outcome, data={})
    return outcome.then(module_steps.ask_choice(view, pending, turn.t))


def addon_step(turn: Turn, number: int) -> Outcome:
    """An add-on module the therapist opened (the stateless `addon:<n>` button)."""
    view = module_view(turn, addon=number)
    if view is None or view.module.number != number:
        return Outcome(toast=turn.t("button.stale"))
    outcome = module_steps.show_current(view, turn.t)
    return replace(outcome, data={"module": number}) if outcome.dialogue else outcome


def addon_button(turn: Turn, raw: str) -> Outcome:
    """The patient's stateless `addon:<n>`: open an add-on module their therapist opened."""
    number = parse_id(raw)
    if turn.patient is None or number is None:
        return general.stale_button(turn.t)
    return addon_step(turn, number)


def module_button(turn: Turn, raw: str) -> Outcome:
    """The patient's stateless `module:<n>` (under "Modul 2 är öppen"): their current task,
    which is module n's registration or first step while n is current, and otherwise
    wherever they are now."""
    if turn.patient is None or parse_id(raw) is None:
        return general.stale_button(turn.t)
    return current_task(turn)


def module_input(turn: Turn, incoming: Incoming) -> Outcome:
    place = _place(turn, addon=_state(turn).module)
    if place is None:
        return Outcome()
    enrollment, view = place
    planning = _plan_exercise(view, incoming)
    if planning is not None:
        return planning
    at_end = view.position.at_end(len(view.module.steps))
    if incoming.kind == "button" and incoming.action == "reflect" and at_end:
        return then_open(module_follow_up.DIALOGUE, "open", view.module.number)
    if incoming.kind == "button" and incoming.action == "write" and at_end:
        return then_open(messages.DIALOGUE, "ask")  # "Skriv till din behandlare"
    crisis = incoming.kind == "text" and crisis_terms_in(incoming.text)  # flagged by the router
    outcome, change = module_steps.handle(view, incoming, turn.t, crisis=crisis)
    _store(turn, enrollment, view, change)
    reminders.mark_answered(turn.conn, turn.patient.id, MODULE.name, turn.now)
    if any(event.type == "module_finished" for event in outcome.events):
        number = view.module.number
        choose = therapist_opens_next(turn.conn, turn.world, enrollment, number)
        prompt_feedback(turn.conn, turn.world, turn.patient, number, turn.now, choose_next=choose)
        outcome = outcome.then(_final_measures(turn, enrollment, number))
        outcome = outcome.followed_by(module_follow_up.DIALOGUE, "open", view.module.number)
    return outcome


def _final_measures(turn: Turn, enrollment: Enrollment, number: int) -> Outcome:
    """The last core module finished: the final measurement is asked for (once)."""
    requested = request_final_measures(turn.conn, turn.world, enrollment, number, turn.now)
    if not requested:
        return Outcome()
    titles = []
    for request_id in requested:
        questionnaire = turn.world.questionnaires[forms.get(turn.conn, request_id).questionnaire]
        titles.append(questionnaire.text(questionnaire.title, turn.t.language))
    return forms_dialogue.final_notice(titles, requested[0], turn.t)


def on_button(turn: Turn, action: str) -> Outcome:
    """A press on the module's own buttons (or "Läs modulen igen" under the follow-up)."""
    return module_input(turn, Incoming(kind="button", action=action))


def current_task(turn: Turn) -> Outcome:
    """What the patient should do now, when they ask for their module or after input that did
    not fit: a questionnaire that opens their module comes before its first step."""
    place = _place(turn)  # also opens the next module when it is due
    if place is None:
        return Outcome()
    enrollment, view = place
    number = enrollment.current_module
    registration = forms.open_module_request(turn.conn, turn.patient.id, number)
    if registration is not None:
        notice = turn.t("form.before_module", number=number)
        return then_open(forms_dialogue.DIALOGUE, "request", registration.id, notice)
    return _show(turn, view)


def _plan_exercise(view: ModuleView, incoming: Incoming) -> Outcome | None:
    """At a plan exercise, "Planera" or typed text starts planning (the typed text is what to
    do): the plan dialogue opens next; else None."""
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
    return then_open(activity_plan.DIALOGUE, "start", item, exercise.activity_type, text)


def _store(turn: Turn, enrollment: Enrollment, view: ModuleView, change: Change) -> None:
    number = view.module.number
    if change.position is not None:
        position = ModuleProgress(change.position.step_index, change.position.finished)
        progress.save(turn.conn, enrollment.id, number, position, turn.now)
    if change.answer is not None:
        step_id, value = change.answer
        answers.save(
            turn.conn, enrollment.id, module_steps.item_key(number, step_id), value, turn.now
        )
