"""What the patient should do now, when they ask for their module or after input that did
not fit: a questionnaire that opens their module comes before its first step."""

from __future__ import annotations

from bot.routes import forms as form_routes
from bot.routes import module_steps as module_routes
from bot.turn.context import Turn
from dialogues.types import Outcome
from storage import forms, patients


def current_task(turn: Turn) -> Outcome:
    view = module_routes.module_view(turn)  # also opens the next module when it is due
    if view is None:
        return Outcome()
    enrollment = patients.active_enrollment(turn.conn, turn.patient.id)
    registration = forms.open_module_request(turn.conn, turn.patient.id, enrollment.current_module)
    if registration is not None:
        notice = turn.t("form.before_module", number=enrollment.current_module)
        return form_routes.open_request(turn, registration, notice)
    return module_routes.module_step(turn)
