"""Routes for staff writing to a patient: the stateless `msg:` buttons (Svara, Skriv till,
Kommentera, Ge återkoppling), the text that follows them, `/messages <label>` and
`/answers <label> [module]`. Every button is checked again when pressed and the text once
more when it arrives (access may have changed meanwhile); reads and sends are audited."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.care import identity, messaging
from bot.care.access import may_see, open_patient, patient_of_dialogue
from bot.care.ended import ended_treatment
from bot.care.modules import is_addon, stayed, therapist_opens_next
from bot.care.notify import tell_patient
from bot.care.self_help import is_self_help
from bot.turn.context import Turn
from dialogues import general, messages, module_steps, staff_messages
from dialogues.module_opening import module_name, reflection_title
from dialogues.numbers import parse_int
from dialogues.staff_messages import AnswerLine
from dialogues.types import Outcome, Reply, then_open
from storage import answers, audit, patients, treatment, units
from storage import messages as store
from storage.patients import Patient

MAX_MODULE = 999  # module numbers people type; programs have a dozen

DIALOGUE = staff_messages.DIALOGUE
HISTORY_LENGTH = 10


def msg_button(turn: Turn, rest: str) -> Outcome:
    """`msg:write` (a patient), `msg:reply:<message>`, `msg:to:<patient>`,
    `msg:comment:<answer>`, `msg:feedback:<patient>:<module>` (staff)."""
    action, _, argument = rest.partition(":")
    if action == "write":
        return then_open(messages.DIALOGUE, "ask")
    targets = {
        "reply": _reply_target,
        "to": _new_target,
        "comment": _comment_target,
        "feedback": _feedback_target,
    }
    if turn.staff is None:
        return staff_messages.refused("not_yours", turn.t)
    if action not in targets:
        return general.stale_button(turn.t)
    target = targets[action](turn, argument)
    if isinstance(target, str):
        return staff_messages.refused(target, turn.t)
    not_yet = identity.refusal(patients.get(turn.conn, target["patient"]), turn.t)
    return not_yet or staff_messages.ask(target, turn.t)


def _patient_for(turn: Turn, patient_id: int | None) -> Patient | str:
    """The patient a button names, or why this staff member may not write to them."""
    patient = patients.get(turn.conn, patient_id) if patient_id is not None else None
    if patient is None:
        return "unknown"
    if not may_see(turn.conn, turn.staff, patient, turn.now):
        return "not_yours"
    enrollment = patients.active_enrollment(turn.conn, patient.id)
    if enrollment is None:
        # ended: nothing more to write; maintenance: no messaging either
        return "ended" if ended_treatment(turn.conn, patient) is not None else "unknown"
    if is_self_help(turn.world, enrollment):
        return "self_help"
    return patient


def _number(text: str) -> int | None:
    return parse_int(text, 0, MAX_MODULE)


def _target(patient: Patient, kind: str, **extra) -> dict:
    return {"patient": patient.id, "label": patient.label, "kind": kind, **extra}


def _reply_target(turn: Turn, argument: str) -> dict | str:
    message_id = _number(argument)
    message = store.get(turn.conn, message_id) if message_id is not None else None
    if message is None or message.direction != store.FROM_PATIENT:
        return "unknown"
    patient = _patient_for(turn, message.patient_id)
    if isinstance(patient, str):
        return patient
    store.mark_read(turn.conn, patient.id, turn.now)
    return _target(patient, "message", reply_to=message.id)


def _new_target(turn: Turn, argument: str) -> dict | str:
    patient = _patient_for(turn, _number(argument))
    return patient if isinstance(patient, str) else _target(patient, "message")


def _comment_target(turn: Turn, argument: str) -> dict | str:
    answer_id = _number(argument)
    answer = answers.get(turn.conn, answer_id) if answer_id is not None else None
    if answer is None:
        return "unknown"
    patient = _patient_for(turn, answer.patient_id)
    if isinstance(patient, str):
        return patient
    enrollment = patients.active_enrollment(turn.conn, patient.id)
    if enrollment is None or enrollment.id != answer.enrollment_id:
        return "unknown"
    title = messaging.exercise_title(turn.world, enrollment.program, answer.item_key, turn.t)
    return _target(patient, "comment", item=answer.item_key, exercise=title)


def _feedback_target(turn: Turn, argument: str) -> dict | str:
    raw_patient, _, raw_module = argument.partition(":")
    patient = _patient_for(turn, _number(raw_patient))
    if isinstance(patient, str):
        return patient
    module = _number(raw_module)
    enrollment = patients.active_enrollment(turn.conn, patient.id)
    program = turn.world.programs[enrollment.program]
    if module is None or not 1 <= module <= program.meta.total_modules:
        return "unknown"
    if not is_addon(program, module) and module > enrollment.current_module:
        return "unknown"
    if is_addon(program, module) and module not in treatment.opened_addons(
        turn.conn, enrollment.id
    ):
        return "unknown"
    extra = {}
    if is_addon(program, module):
        title = program.module(module, turn.t.language).title
        extra["addon_name"] = module_name(module, title, True, turn.t)
    at_once = _at_once(turn, patient, module)
    choose = not at_once and therapist_opens_next(turn.conn, turn.world, enrollment, module)
    return _target(patient, "feedback", module=module, at_once=at_once, choose=choose, **extra)


def _at_once(turn: Turn, patient: Patient, module: int) -> bool:
    """Feedback goes with the next module; at once when that has opened already, when there
    is no next module (the last, or an add-on), or when the therapist let the patient stay
    another week in it."""
    enrollment = patients.active_enrollment(turn.conn, patient.id)
    program = turn.world.programs[enrollment.program]
    return (
        enrollment.current_module > module
        or module >= program.module_count
        or stayed(turn.conn, patient.id, module)
    )


# ---- the text -----------------------------------------------------------------------------


def on_text(turn: Turn) -> Outcome:
    data = turn.state.data
    patient = patient_of_dialogue(turn)  # access checked again: it may have ended meanwhile
    if patient is None:
        return staff_messages.refused_text("not_yours", turn.t)
    refused = _patient_for(turn, patient.id)  # the enrollment may have changed meanwhile
    if isinstance(refused, str):
        return staff_messages.refused_text(refused, turn.t)
    not_yet = identity.refusal(patient, turn.t)  # nothing reaches a patient not confirmed yet
    if not_yet is not None:
        return Outcome(dialogue=DIALOGUE, data={}).then(not_yet)
    outcome, text = staff_messages.on_text(data, turn.incoming.text, turn.t)
    if text is None:
        return outcome
    kind = data.get("kind")
    if kind == "feedback":
        data = {**data, "at_once": _at_once(turn, patient, int(data["module"]))}
        _send_feedback(turn, patient, int(data["module"]), text, data["at_once"])
    elif kind == "comment":
        _send_comment(turn, patient, data["item"], text)
    else:
        _send_message(turn, patient, text, data.get("reply_to"))
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action=f"{kind}_sent",
        now=turn.now,
        patient_id=patient.id,
    )
    return outcome.then(staff_messages.sent(data, turn.t))


def _send_message(turn: Turn, patient: Patient, text: str, reply_to: int | None) -> None:
    store.add_to_patient(
        turn.conn,
        patient_id=patient.id,
        staff_id=turn.staff.id,
        kind="message",
        text=text,
        now=turn.now,
        reply_to=reply_to,
    )
    tell_patient(turn.conn, patient, turn.now, lambda t: messages.from_therapist(text, t))


def _send_comment(turn: Turn, patient: Patient, item: str, text: str) -> None:
    store.add_to_patient(
        turn.conn,
        patient_id=patient.id,
        staff_id=turn.staff.id,
        kind="comment",
        text=text,
        now=turn.now,
        item_key=item,
    )
    program = patients.active_enrollment(turn.conn, patient.id).program

    def build(t):
        return messages.comment(messaging.exercise_title(turn.world, program, item, t), text, t)

    tell_patient(turn.conn, patient, turn.now, build)


def _send_feedback(turn: Turn, patient: Patient, module: int, text: str, at_once: bool) -> None:
    store.add_to_patient(
        turn.conn,
        patient_id=patient.id,
        staff_id=turn.staff.id,
        kind="feedback",
        text=text,
        now=turn.now,
        module=module,
        delivered=at_once,
    )
    if not at_once:
        return
    program = turn.world.programs[patients.active_enrollment(turn.conn, patient.id).program]

    def build(t):
        title = program.module(module, t.language).title if is_addon(program, module) else None
        return messages.feedback(module, text, t, title)

    tell_patient(turn.conn, patient, turn.now, build)


def on_button(turn: Turn, action: str) -> Outcome:
    if action == "cancel":
        return staff_messages.cancelled(turn.t)
    return general.stale_button(turn.t)


# ---- /messages <label> ----------------------------------------------------------------------


def messages_command(turn: Turn) -> Outcome | None:
    if turn.staff is None:
        return None
    if len(turn.incoming.args) != 1:
        return Outcome(replies=(Reply(turn.t("messages.staff.usage")),))
    patient = open_patient(turn, turn.incoming.args[0], "messages_viewed")
    if patient is None:
        return Outcome(replies=(Reply(turn.t("staff.no_such_patient")),))
    enrollment = patients.active_enrollment(turn.conn, patient.id)
    program = enrollment.program if enrollment else None
    store.mark_read(turn.conn, patient.id, turn.now)
    zone = ZoneInfo(units.get(turn.conn, turn.staff.unit_id).timezone)
    lines = tuple(
        messaging.history_line(turn.world, turn.conn, program, message, zone, turn.t)
        for message in store.of_patient(turn.conn, patient.id, HISTORY_LENGTH)
    )
    self_help = is_self_help(turn.world, enrollment)
    return messages.staff_history(
        patient.label, lines, patient.id, self_help, turn.t.language, turn.t
    )


# ---- /answers <label> [module] ------------------------------------------------------------


def answers_command(turn: Turn) -> Outcome | None:
    if turn.staff is None:
        return None
    args = turn.incoming.args
    if len(args) not in (1, 2) or (len(args) == 2 and _number(args[1]) is None):
        return Outcome(replies=(Reply(turn.t("staff_messages.answers.usage")),))
    patient = open_patient(turn, args[0], None)
    if patient is None:
        return Outcome(replies=(Reply(turn.t("staff.no_such_patient")),))
    enrollment = patients.active_enrollment(turn.conn, patient.id)
    saved = answers.of_enrollment(turn.conn, enrollment.id) if enrollment else []
    by_module: dict[int, dict[str, answers.Answer]] = {}
    for answer in saved:
        module_part, _, step_id = answer.item_key.partition("/")
        number = _number(module_part.removeprefix("module-"))
        if number is not None:
            by_module.setdefault(number, {})[step_id] = answer
    # Without a module: the newest one with answers.
    module = _number(args[1]) if len(args) == 2 else max(by_module, default=None)
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="answers_viewed",
        now=turn.now,
        patient_id=patient.id,
        module=module,
    )
    program = turn.world.programs[enrollment.program] if enrollment else None
    lines = ()
    addon_name = None
    if program is not None and module is not None and 1 <= module <= program.meta.total_modules:
        content = program.module(module, turn.t.language)
        addon = is_addon(program, module)
        lines = _answer_lines(content, by_module.get(module, {}), addon, turn.t)
        if addon:
            addon_name = module_name(module, content.title, True, turn.t)
    return staff_messages.answers(
        patient.label,
        module,
        lines,
        tuple(sorted(by_module)),
        not is_self_help(turn.world, enrollment),
        turn.t,
        addon_name,
    )


def _answer_lines(module, saved: dict, addon: bool, t) -> tuple[AnswerLine, ...]:
    """The module's answers in step order, choices by their label; the reflection last."""
    lines = []
    for step in module.steps:
        exercise = step.exercise
        answer = saved.get(step.id)
        if exercise is None or answer is None:
            continue
        value = answer.value
        if exercise.kind == "choice":
            value = next((o.label for o in exercise.options if o.id == value), value)
        lines.append(AnswerLine(answer.id, step.title, exercise.prompt.strip(), value))
    reflection = saved.get(module_steps.REFLECTION)
    if reflection is not None:
        question = (module.reflection or t("module_follow_up.question")).strip()
        title = reflection_title(module.number, module.title, addon, t)
        lines.append(AnswerLine(reflection.id, title, question, reflection.value))
    return tuple(lines)
