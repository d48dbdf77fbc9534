"""The wizard helper (dialogues/wizard.py): typed state stored as JSON and read back
tolerantly, questions, the confirm step, "use the buttons", cancel; and the three pure
wizards built on it never fail on whatever state they find stored."""

from datetime import date, time
from typing import ClassVar, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.i18n import Translator
from dialogues import activity_plan, cover, staff_plans
from dialogues.activity_plan import PlanView
from dialogues.cover import CoverView
from dialogues.staff_plans import PlanLine, PlansView
from dialogues.types import Button
from dialogues.wizard import Answers, ClockTime, Invalid, Wizard, WizardState, restarted

T = Translator("sv")
WIZARD = Wizard("plan", cancel_key="plan.button.cancel", use_buttons_key="plan.use_buttons")


class Draft(Answers):
    what: str | None = None
    at: ClockTime | None = None


class State(WizardState):
    NEEDS: ClassVar = {"when": ("what",), "confirm": ("what", "at")}

    step: Literal["what", "when", "confirm"] | None = None
    draft: Draft = Draft()
    day: date | None = None

    def answers(self) -> Draft:
        return self.draft


def labels(outcome):
    return [[button.label for button in row] for row in outcome.replies[-1].buttons]


def test_state_is_stored_as_plain_json_and_read_back_the_same():
    state = State(step="confirm", awaiting="text", draft=Draft(what="Promenad", at=time(17, 30)))
    state = state.but(day=date(2026, 12, 1))
    stored = state.dump()
    assert stored == {
        "step": "confirm",
        "awaiting": "text",
        "draft": {"what": "Promenad", "at": "17:30"},
        "day": "2026-12-01",
    }
    assert State.load(stored) == state
    assert State.load(stored).draft.at == time(17, 30)


@pytest.mark.parametrize(
    "stored",
    [
        {"step": "somewhere"},  # a step this version does not have
        {"step": "confirm", "draft": {"what": "Promenad"}},  # confirm without a time
        {"step": "when"},  # a step shown before what it needs was answered
        {"draft": {"at": "half past"}},
        {"day": "tomorrow"},
        {"draft": "Promenad"},
        ["step", "what"],
        "what",
        42,
    ],
)
def test_stored_state_that_does_not_fit_reads_as_none(stored):
    assert State.load(stored) is None


def test_nothing_stored_or_unknown_keys_read_as_a_fresh_start():
    assert State.load(None) == State()
    assert State.load({}) == State()
    assert State.load({"step": "what", "old_key": 1}) == State(step="what")


def test_a_change_is_checked_like_a_loaded_state():
    with pytest.raises(ValidationError):
        State().but(step="confirm")  # a bug in a wizard, not a person's input
    assert State().but(step="what").step == "what"


def test_a_question_keeps_its_state_asks_with_its_notice_and_offers_avbryt():
    state = State(step="what", awaiting="text")
    outcome = WIZARD.ask(T, state, "Vad?", ((Button("A", "a"),),), notice="Försök igen.")
    assert outcome.dialogue == "plan" and outcome.data == state.dump()
    assert outcome.replies[0].text == "Försök igen.\n\nVad?"
    assert labels(outcome) == [["A"], ["Avbryt"]]
    plain = WIZARD.ask(T, state, "Vad?", cancel=False, edit_pressed=True)
    assert plain.replies[0].text == "Vad?" and labels(plain) == []
    assert plain.replies[0].edit_pressed


def test_the_confirm_step_has_options_then_save_then_avbryt():
    state = State(step="confirm", draft=Draft(what="Promenad", at=time(8)))
    save = Button("Spara", "save")
    outcome = WIZARD.confirm(T, state, "Stämmer det?", save, options=((Button("X", "x"),),))
    assert labels(outcome) == [["X"], ["Spara"], ["Avbryt"]]
    beside = WIZARD.confirm(T, state, "Stämmer det?", save, beside_cancel=Button("Ändra", "back"))
    assert labels(beside) == [["Spara"], ["Ändra", "Avbryt"]]
    assert [b.action for row in beside.replies[0].buttons for b in row] == [
        "save",
        "back",
        "cancel",
    ]


def test_text_where_a_button_is_expected_says_so_then_asks_the_same_again():
    state = State(step="when", awaiting="text", draft=Draft(what="Promenad"))
    question = WIZARD.ask(T, state, "När?")
    outcome = WIZARD.use_buttons(T, question)
    assert [reply.text for reply in outcome.replies] == [T("plan.use_buttons"), "När?"]
    assert outcome.data == state.dump()  # nothing entered is lost


def test_end_closes_the_wizard_and_invalid_names_its_reason():
    ended = WIZARD.end("Okej.")
    assert ended.data == {} and ended.replies[0].text == "Okej." and ended.dialogue == "plan"
    quiet = Invalid("staff_plans.times_quiet", {"quiet": "21:30–07:30"})
    assert "21:30–07:30" in quiet.text(T)
    assert restarted(T) == T("wizard.restarted") != "wizard.restarted"


# ---- the wizards built on it ---------------------------------------------------------------

PLAN_VIEW = PlanView(
    today=date(2026, 12, 1),
    now=time(9),
    listed=((7, "Baka", "vill"),),
    ask_types=True,
    quiet_start=time(21, 30),
    quiet_end=time(7, 30),
    language="sv",
)
PLANS_VIEW = PlansView(
    label="P1",
    plans=(
        PlanLine(
            1, "Promenad", "vill", None, None, (time(8),), date(2026, 12, 1), 1, False, True, True
        ),
    ),
    recent=(),
    today=date(2026, 12, 1),
    quiet_start=time(21, 30),
    quiet_end=time(7, 30),
    language="sv",
)
COVER_VIEW = CoverView(
    covers=(), therapists=((1, "Anna"), (2, "David")), today=date(2026, 12, 1), language="sv"
)


def test_a_plan_whose_stored_state_cannot_be_read_starts_again_kindly():
    forged = {"step": "confirm", "awaiting": "text", "text": "Promenad"}  # no day, no time
    outcome = activity_plan.on_text(PLAN_VIEW, forged, "hej", T)
    assert outcome.replies[0].text.startswith(restarted(T))
    assert outcome.data["step"] == "what" and outcome.data["text"] is None
    pressed, draft = activity_plan.on_button(PLAN_VIEW, forged, "save", T)
    assert draft is None and pressed.data["step"] == "what"


def test_a_staff_plan_or_cover_that_cannot_be_read_shows_its_page_again_kindly():
    forged = {"patient": 3, "step": "options", "draft": {"text": "Promenad", "times": "8"}}
    outcome, change = staff_plans.on_button(PLANS_VIEW, forged, "save", T)
    assert change is None and outcome.replies[0].text.startswith(restarted(T))
    assert outcome.data["patient"] == 3 and outcome.data["step"] is None
    outcome = cover.on_text(COVER_VIEW, {"step": "last", "draft": {"absent": "Anna"}}, "x", T)
    assert outcome.replies[0].text.startswith(restarted(T)) and outcome.data["step"] is None


def test_a_typed_answer_not_taken_asks_again_and_keeps_the_draft():
    draft = {"absent": 1, "deputy": 2, "first": "2026-12-07", "last": None}
    data = {"step": "last", "awaiting": "text", "draft": draft}
    outcome = cover.on_text(COVER_VIEW, data, "2026-12-01", T)
    assert outcome.replies[0].text.startswith(T("cover.last_before_first"))
    assert outcome.data == data


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 9) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)
KEYS = (
    "step",
    "awaiting",
    "item",
    "text",
    "type",
    "day",
    "time",
    "patient",
    "draft",
    "weekdays",
    "times",
    "start",
    "absent",
    "deputy",
    "first",
    "last",
)
PLAUSIBLE = st.sampled_from(
    ["what", "type", "day", "time", "confirm", "saved", "text", "days", "times", "start"]
    + ["options", "absent", "deputy", "first", "last", "vill", "2026-12-02", "17:30", "08:00"]
)
VALUES = JSON | PLAUSIBLE | st.integers(1, 3) | st.lists(PLAUSIBLE | st.integers(0, 7), max_size=3)
STORED = st.dictionaries(
    st.sampled_from(KEYS),
    VALUES | st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=5),
    max_size=7,
)
ACTIONS = st.sampled_from(
    ["cancel", "restart", "pick:7", "type:vill", "type:-", "days", "day:2026-12-02"]
    + ["time:17:00", "save", "new", "done", "toggle:1", "wd:2", "every:3", "days_done"]
    + ["start:2026-12-02", "grace", "flag", "comments", "absent:1", "deputy:2"]
    + ["first:2026-12-02", "last:2026-12-09", "end:1", "x:y"]
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stored=STORED, action=ACTIONS, typed=st.sampled_from(["", "Promenad", "17:30", "i dag"]))
def test_whatever_is_stored_the_wizards_answer_and_never_fail(stored, action, typed):
    outcomes = [
        activity_plan.on_text(PLAN_VIEW, stored, typed, T),
        activity_plan.on_button(PLAN_VIEW, stored, action, T)[0],
        staff_plans.on_text(PLANS_VIEW, {**stored, "patient": 3}, typed, T),
        staff_plans.on_button(PLANS_VIEW, {**stored, "patient": 3}, action, T)[0],
        cover.on_text(COVER_VIEW, stored, typed, T),
        cover.on_button(COVER_VIEW, stored, action, T)[0],
    ]
    for outcome in outcomes:
        # An answer, unless a change is handed to the route (toggle, save, end).
        assert outcome.replies or outcome.data is None
