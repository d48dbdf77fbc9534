"""Routes for the therapist opening a patient's modules: `/open <label> [module]` and the
stateless `pace:` buttons (the `/open` list's `pace:open:<patient>:<n>`, and the feedback
prompt's Öppna nästa modul `pace:next:<patient>:<finished>` and Stanna en vecka till
`pace:stay:<patient>:<finished>`). Each press is checked again when it comes (may this staff
member see the patient; is the choice still open); the actions are bot/care/modules.py's, the
same as `/patient`'s, and audited there."""

from __future__ import annotations

from bot.care import identity
from bot.care.access import may_see, open_patient
from bot.care.ended import ended_treatment, refused_when_ended
from bot.care.modules import is_addon, open_addon, set_current, stay
from bot.turn.context import Turn
from dialogues import module_opening
from dialogues.module_opening import Choice, module_name
from dialogues.numbers import parse_id, parse_int
from dialogues.types import Outcome, Reply
from storage import patients, treatment
from storage.patients import Enrollment, Patient

MAX_MODULE = 999  # module numbers people type; programs have a dozen


def open_command(turn: Turn) -> Outcome | None:
    """`/open P1 3` opens module 3 (or add-on 3) for P1; `/open P1` lists the modules."""
    if turn.staff is None:
        return None
    args = turn.incoming.args
    number = parse_int(args[1], 1, MAX_MODULE) if len(args) == 2 else None
    if len(args) not in (1, 2) or (len(args) == 2 and number is None):
        return module_opening.usage(turn.t)
    # Opening is audited as what it does; the list is a read of the patient's modules.
    patient = open_patient(turn, args[0], None if number else "patient_viewed")
    refusal = refused_when_ended(turn.conn, patient, turn.t) if patient else None
    if refusal is not None:
        return refusal
    enrollment = patients.active_enrollment(turn.conn, patient.id) if patient else None
    if enrollment is None:
        return Outcome(replies=(Reply(turn.t("staff.no_such_patient")),))
    if number is None:
        return module_opening.choices(
            patient.label, patient.id, _choices(turn, patient, enrollment), turn.t
        )
    return _open(turn, patient, enrollment, number)


def _choices(turn: Turn, patient: Patient, enrollment: Enrollment) -> tuple[Choice, ...]:
    program = turn.world.programs[enrollment.program]
    opened = treatment.opened_addons(turn.conn, enrollment.id)
    found = []
    for number in range(1, program.meta.total_modules + 1):
        addon = is_addon(program, number)
        chosen = number in opened if addon else number == enrollment.current_module
        title = program.module(number, turn.t.language).title
        found.append(Choice(number, title, addon, chosen))
    return tuple(found)


def _open(turn: Turn, patient: Patient, enrollment: Enrollment, number: int) -> Outcome:
    """Module `number` for the patient: a core module made current, an add-on opened beside."""
    program = turn.world.programs[enrollment.program]
    if not 1 <= number <= program.meta.total_modules:
        return module_opening.no_such_module(patient.label, turn.t)
    not_yet = (
        identity.refusal(patient, turn.t) if number > 1 else None
    )  # module 1 is theirs already
    if not_yet is not None:
        return not_yet
    if is_addon(program, number):
        name = module_name(number, program.module(number, turn.t.language).title, True, turn.t)
        done = open_addon(turn.conn, turn.world, turn.staff.id, patient, number, turn.now)
        key = "addon_opened" if done else "addon_already"
        return module_opening.result(key, patient.label, turn.t, name=name)
    done = set_current(turn.conn, turn.world, turn.staff.id, patient, number, turn.now)
    key = "module_opened" if done else "module_already"
    return module_opening.result(key, patient.label, turn.t, module=number)


def pace_button(turn: Turn, rest: str) -> Outcome:
    """`pace:open|next|stay:<patient>:<module>`, from staff only."""
    action, _, argument = rest.partition(":")
    raw_patient, _, raw_module = argument.partition(":")
    if turn.staff is None:
        return module_opening.refused("not_yours", turn.t)
    patient_id, number = parse_id(raw_patient), parse_int(raw_module, 1, MAX_MODULE)
    patient = patients.get(turn.conn, patient_id) if patient_id is not None else None
    if patient is None or number is None or action not in ("open", "next", "stay"):
        return module_opening.refused("unknown", turn.t)
    if not may_see(turn.conn, turn.staff, patient, turn.now):
        return module_opening.refused("not_yours", turn.t)
    enrollment = patients.active_enrollment(turn.conn, patient.id)
    if enrollment is None:
        ended = ended_treatment(turn.conn, patient) is not None
        return module_opening.refused("ended" if ended else "unknown", turn.t)
    if action == "open":
        return _open(turn, patient, enrollment, number)
    # Öppna nästa / Stanna: only while the module finished is still the current one, so an
    # old prompt never moves a patient back, nor opens the same module twice.
    program = turn.world.programs[enrollment.program]
    if number != enrollment.current_module or number >= program.module_count:
        return module_opening.refused("moved_on", turn.t)
    if action == "next":
        return _open(turn, patient, enrollment, number + 1)
    not_yet = identity.refusal(patient, turn.t)  # staying sends the feedback: not before confirmed
    if not_yet is not None:
        return not_yet
    stay(turn.conn, turn.world, turn.staff.id, patient, number, turn.now)
    return module_opening.result("stayed", patient.label, turn.t, module=number)
