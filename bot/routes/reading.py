"""Routes for the patient's reading view in maintenance (dialogues/reading.py): the word
the router gives wherever the patient would work (`closed`), the list of the modules they
kept and their steps to read (the stateless `read:` buttons)."""

from __future__ import annotations

from bot.care import maintenance
from bot.care.modules import is_addon
from bot.turn.context import Turn
from dialogues import module_opening, reading
from dialogues.reading import ModuleChoice, StepPage
from dialogues.types import Outcome
from storage import treatment
from storage.patients import Enrollment


def closed(turn: Turn) -> Outcome | None:
    """For a patient in maintenance: what is closed until when, and the way to the reading
    view; None for everybody else (the turn goes on as usual)."""
    if turn.patient is None:
        return None
    enrollment = maintenance.maintained(turn.conn, turn.patient.id)
    if enrollment is None:
        return None
    return reading.closed(maintenance.until_text(turn.conn, enrollment, turn.t.language), turn.t)


def read_button(turn: Turn, raw: str) -> Outcome | None:
    """`read:list` and `read:<module>:<step>`; None (stale) outside maintenance, or for a
    module the patient does not keep or a step it does not have."""
    if turn.patient is None:
        return None
    enrollment = maintenance.maintained(turn.conn, turn.patient.id)
    if enrollment is None:
        return None
    kept = maintenance.kept_modules(turn.conn, turn.world, enrollment)
    if raw == "list":
        until = maintenance.until_text(turn.conn, enrollment, turn.t.language)
        choices = tuple(ModuleChoice(n, _name(turn, enrollment, n)) for n in kept)
        return reading.module_list(choices, until, turn.t, edit=True)
    where = reading.parse_step(raw)
    if where is None or where[0] not in kept:
        return None
    return _step(turn, enrollment, *where)


def _name(turn: Turn, enrollment: Enrollment, number: int) -> str:
    program = turn.world.programs[enrollment.program]
    title = program.module(number, turn.t.language).title
    return module_opening.module_name(number, title, is_addon(program, number), turn.t)


def _step(turn: Turn, enrollment: Enrollment, number: int, index: int) -> Outcome | None:
    module = turn.world.programs[enrollment.program].module(number, turn.t.language)
    hidden = treatment.hidden_steps(turn.conn, enrollment.id, number)
    steps = [step for step in module.steps if step.id not in hidden] or list(module.steps)
    if index >= len(steps):
        return None
    step = steps[index]
    page = StepPage(
        module=number,
        name=_name(turn, enrollment, number),
        index=index,
        total=len(steps),
        title=step.title,
        text=step.text,
        media_title=step.media.title if step.media else None,
        media_text=step.media.text_version if step.media else None,
        intro=getattr(module, "intro", None),
    )
    return reading.step_page(page, turn.t)
