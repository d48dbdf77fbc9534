"""Routes for questionnaires: `/forms`, the form's buttons, submitting, and the reminder's
"answer now"."""

from __future__ import annotations

from bot.care.final_measures import FINAL, note_when_complete
from bot.escalation.flags import TriggerInfo, raise_flag
from bot.escalation.triggers import TREND
from bot.i18n import Translator
from bot.reminders.kinds.forms import FORMS
from bot.render.form_views import form_view
from bot.turn.context import Turn
from dialogues import forms, general, module_steps
from dialogues.numbers import parse_id
from dialogues.types import Event, Outcome, Reply
from programs.scoring import reliable_change, score
from storage import events, reminders
from storage import forms as form_store
from storage.forms import FormRequest

DIALOGUE = forms.DIALOGUE


def forms_command(turn: Turn) -> Outcome | None:
    if turn.patient is None:
        return None
    due = form_store.open_requests(turn.conn, turn.patient.id, turn.now)
    if not due:
        return forms.nothing_due(turn.t)
    if len(due) == 1:
        return open_request(turn, due[0])
    return forms.choose([(request.id, _title(turn, request)) for request in due], turn.t)


def open_request_by_id(turn: Turn, request_id: int, notice: str = "") -> Outcome:
    """Open the patient's questionnaire `request_id` (the module's registration, first)."""
    request = _own_open_request(turn, str(request_id))
    if request is None:
        return Outcome(toast=turn.t("form.not_open"))
    return open_request(turn, request, notice)


def open_request(turn: Turn, request: FormRequest, notice: str = "") -> Outcome:
    outcome = forms.resume(_view(turn, request), turn.t)
    if notice:
        return Outcome(replies=(Reply(notice),)).then(outcome)
    return outcome


def open_by_id(turn: Turn, raw_id: str) -> Outcome | None:
    """The patient's stateless `form:<request>` button (None for anyone else)."""
    if turn.patient is None:
        return None
    request = _own_open_request(turn, raw_id)
    if request is None:
        return Outcome(toast=turn.t("form.not_open"))
    return open_request(turn, request)


def on_button(turn: Turn, action: str) -> Outcome:
    if turn.patient is None:
        return general.stale_button(turn.t)
    name, _, arg = action.partition(":")
    if name == "open":
        return open_by_id(turn, arg)
    request = _own_open_request(turn, str(turn.state.data.get("request", "")))
    if request is None:
        return Outcome(toast=turn.t("form.not_open"))
    view = _view(turn, request)
    outcome, change = forms.on_button(view, turn.state.data, action, turn.t)
    if change.answer is not None:
        item, value = change.answer
        form_store.save_answer(turn.conn, request.id, item, value, turn.now)
    if change.submit:
        return _submit(turn, request, view)
    return outcome


def risk_events(turn: Turn, action: str) -> tuple[Event, ...]:
    """The risk answers a press on the open form carries, decided by the form dialogue again
    but stored nowhere: for a turn that failed after the press (its flag must still go)."""
    request = _own_open_request(turn, str(turn.state.data.get("request", "")))
    if request is None:
        return ()
    outcome, _ = forms.on_button(_view(turn, request), turn.state.data, action, turn.t)
    return tuple(event for event in outcome.events if event.type == "risk_answer")


def on_text(turn: Turn) -> Outcome:
    request = _own_open_request(turn, str(turn.state.data.get("request", "")))
    if turn.patient is None or request is None:
        return general.bad_input("text", turn.t)
    answer_with_buttons = Outcome(replies=(Reply(turn.t("form.use_buttons")),))
    return answer_with_buttons.then(forms.resume(_view(turn, request), turn.t))


def _submit(turn: Turn, request: FormRequest, view) -> Outcome:
    questionnaire = turn.world.questionnaires[request.questionnaire]
    result = score(questionnaire, view.answers)
    if not form_store.submit(turn.conn, request, result.total, result.max, turn.now):
        return Outcome(toast=turn.t("form.not_open"))
    events.record(
        turn.conn,
        "form_submitted",
        turn.now,
        patient_id=request.patient_id,
        questionnaire=request.questionnaire,
        total=result.total,
    )
    reminders.mark_answered(turn.conn, request.patient_id, FORMS.name, turn.now)
    _flag_worsening(turn, questionnaire, result.total)
    if request.reason == FINAL:  # the last of the final measurement: the care team is told
        note_when_complete(turn.conn, turn.world, turn.patient, turn.now)
    outcome = forms.submitted(view.title, turn.t)
    if request.reason == "module":
        return outcome.followed_by(module_steps.DIALOGUE, "step")  # the registration opens it
    following = form_store.open_requests(turn.conn, turn.patient.id, turn.now)
    if following:
        return outcome.then(open_request(turn, following[0]))
    return outcome


def _flag_worsening(turn: Turn, questionnaire, latest: int) -> None:
    """A reliable worsening since the first measurement (PHQ-9: 6 points) is an amber flag."""
    measured = [
        m
        for m in form_store.measurements(turn.conn, turn.patient.id)
        if m.questionnaire == questionnaire.id
    ]
    if len(measured) < 2:
        return
    first = measured[0].total
    if reliable_change(questionnaire, first, latest) != "worsened":
        return
    t = Translator(turn.world.default_language)
    summary = t(
        "flag.trigger.trend",
        title=questionnaire.text(questionnaire.title, t.language),
        change=latest - first,
        first=first,
        latest=latest,
    )
    trigger = TriggerInfo(TREND, summary, {"questionnaire": questionnaire.id})
    raise_flag(turn.conn, turn.patient, trigger, turn.now, turn.world.default_language)


def _own_open_request(turn: Turn, raw_id: str) -> FormRequest | None:
    request_id = parse_id(raw_id)
    request = form_store.get(turn.conn, request_id) if request_id else None
    if request is None or request.patient_id != turn.patient.id or request.status != "open":
        return None
    return request


def _title(turn: Turn, request: FormRequest) -> str:
    questionnaire = turn.world.questionnaires[request.questionnaire]
    return questionnaire.text(questionnaire.title, turn.t.language)


def _view(turn: Turn, request: FormRequest):
    questionnaire = turn.world.questionnaires[request.questionnaire]
    answers = form_store.answers(turn.conn, request.id)
    return form_view(questionnaire, request.id, answers, turn.t.language)
