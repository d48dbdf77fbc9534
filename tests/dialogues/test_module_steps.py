"""The module dialogue, pure: no database, no Telegram."""

import pytest

from bot.i18n import Translator
from dialogues import module_steps
from dialogues.module_steps import ModuleState, ModuleView, Position
from dialogues.types import Incoming
from programs.loader import load_programs
from programs.models import Module
from tests.harness.catalogue import says

T = Translator("sv")


@pytest.fixture(scope="module")
def module():
    return load_programs()["depression"].module(1, "sv")


def view(module, index=0, finished=False, answers=None):
    return ModuleView(module, Position(index, finished), answers or {})


def press(v, action):
    return module_steps.handle(v, Incoming(kind="button", action=action), T)


def write(v, text):
    return module_steps.handle(v, Incoming(kind="text", text=text), T)


def test_show_current_has_progress_and_navigation(module):
    outcome = module_steps.show_current(view(module, 2), T)
    step = outcome.replies[-1]
    assert says(step.text, "module.step_of", current=3, total=len(module.steps))
    labels = [button.label for row in step.buttons for button in row]
    assert labels[-2:] == [T("module.button.back"), T("module.button.next")]
    assert outcome.dialogue == module_steps.DIALOGUE


def test_first_step_has_no_back_button(module):
    step = module_steps.show_current(view(module, 0), T).replies[-1]
    labels = [button.label for row in step.buttons for button in row]
    assert "Tillbaka" not in labels


def test_media_is_given_as_text_version_before_the_step(module):
    outcome = module_steps.show_current(view(module, 0), T)
    assert module.steps[0].media is not None
    assert len(outcome.replies) == 2
    assert "film som text" in outcome.replies[0].text


def test_next_and_back_move_one_step(module):
    _, change = press(view(module, 3), "next")
    assert change.position == Position(4, False)
    _, change = press(view(module, 3), "back")
    assert change.position == Position(2, False)


def test_free_text_saves_without_moving(module):
    index = next(
        i for i, s in enumerate(module.steps) if s.exercise and s.exercise.kind == "free_text"
    )
    outcome, change = write(view(module, index), "  mitt svar  ")
    assert change.answer == (module.steps[index].id, "mitt svar")
    assert change.position is None
    assert "sparat" in outcome.replies[0].text
    assert outcome.events[0].details == {"item": f"module-1/{module.steps[index].id}"}
    assert "mitt svar" not in str(outcome.events)  # events never carry patient text


def test_text_is_escaped_as_html(module):
    index = next(
        i for i, s in enumerate(module.steps) if s.exercise and s.exercise.kind == "free_text"
    )
    outcome, _ = write(view(module, index), "<b>x</b> & y")
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in outcome.replies[0].text


def test_choice_saves_and_edits_the_pressed_message(module):
    index = next(
        i for i, s in enumerate(module.steps) if s.exercise and s.exercise.kind == "choice"
    )
    option = module.steps[index].exercise.options[0]
    outcome, change = press(view(module, index), f"opt:{option.id}")
    assert change.answer == (module.steps[index].id, option.id)
    assert outcome.replies[-1].edit_pressed
    assert "✓ " + option.label in [b.label for row in outcome.replies[-1].buttons for b in row]
    assert option.label in outcome.toast


def test_unknown_option_changes_nothing(module):
    index = next(
        i for i, s in enumerate(module.steps) if s.exercise and s.exercise.kind == "choice"
    )
    outcome, change = press(view(module, index), "opt:nope")
    assert change.answer is None and change.position is None
    assert outcome.toast


def test_text_on_a_reading_step_explains_and_shows_the_step(module):
    index = next(i for i, s in enumerate(module.steps) if s.exercise is None)
    outcome, change = write(view(module, index), "hej")
    assert change.answer is None
    assert outcome.replies[0].text == T("module.no_text_here")
    assert says(outcome.replies[-1].text, "module.step_of", current=index + 1)


def test_finishing_shows_summary_once_and_lists_unanswered(module):
    last = len(module.steps) - 1
    outcome, change = press(view(module, last), "next")
    assert change.position == Position(last + 1, True)
    text = outcome.replies[0].text
    assert says(text, "module.finished_title", number=1)
    assert says(text, "module.unanswered")
    assert [e.type for e in outcome.events] == ["module_finished"]
    again, _ = press(view(module, last, finished=True), "next")
    assert again.events == ()


def test_outline_module_is_not_shown_to_patients():
    # Built here: the bundled modules are being written, so none can be relied on to stay an
    # outline.
    outline = Module(number=4, title="Rutiner", status="outline", steps=[{"id": "a", "title": "A"}])
    outcome = module_steps.show_current(view(outline), T)
    assert says(outcome.replies[0].text, "module.not_available", number=4)


def test_reading_again_reaches_the_last_step_before_the_summary(module):
    last = len(module.steps) - 1
    _, change = press(view(module, last + 1, finished=True), "again")
    assert change.position == Position(0, True)
    outcome = module_steps.show_current(view(module, last, finished=True), T)
    assert says(outcome.replies[-1].text, "module.step_of", current=last + 1, total=last + 1)
    outcome, change = press(view(module, last + 1, finished=True), "next")
    assert change.position is None and outcome.toast


def _finished_text(v):
    outcome, _ = press(
        ModuleView(
            v.module,
            Position(len(v.module.steps) - 1, False),
            v.answers,
            messaging=v.messaging,
            addon=v.addon,
            last=v.last,
            opening=v.opening,
        ),
        "next",
    )
    return outcome.replies[0].text


@pytest.mark.parametrize(
    ("changes", "said", "not_said"),
    [
        ({}, "module.next_by_therapist", "module.next_opens_later"),
        ({"opening": "weekly"}, "module.next_opens_later", "module.next_by_therapist"),
        ({"messaging": False}, "module.next_by_therapist_self_help", "module.next_opens_self_help"),
        (
            {"messaging": False, "opening": "weekly"},
            "module.next_opens_self_help",
            "module.next_by_therapist_self_help",
        ),
        ({"last": True}, "module.therapist_reads", "module.next_by_therapist"),
    ],
)
def test_the_end_of_a_module_says_truthfully_what_happens_next(module, changes, said, not_said):
    v = ModuleView(module, Position(0, False), {}, **changes)
    text = _finished_text(v)
    assert says(text, said) and not says(text, not_said)
    # The same words when the patient comes back to the finished module.
    again = module_steps.show_current(
        ModuleView(module, Position(len(module.steps), True), {}, **changes), T
    )
    assert says(again.replies[0].text, said)


def test_an_add_on_is_named_by_its_title_never_its_number():
    addon = load_programs()["depression"].module(8, "sv")
    v = ModuleView(addon, Position(0, False), {}, addon=True)
    step = module_steps.show_current(v, T).replies[-1].text
    assert step.startswith(f"<b>Tillägg: {addon.title}</b>")
    assert "Modul 8" not in step
    text = _finished_text(v)
    assert f"Du har gått igenom Tillägg: {addon.title}" in text and "modul 8" not in text
    assert says(text, "module.therapist_reads") and not says(text, "module.next_by_therapist")


# ---- an answer is never lost -----------------------------------------------------------


def _free_text_index(module):
    return next(
        i for i, s in enumerate(module.steps) if s.exercise and s.exercise.kind == "free_text"
    )


def _held(outcome) -> ModuleState:
    state = ModuleState.load(outcome.data)
    assert state is not None
    return state


def _labels(reply):
    return [button.label for row in reply.buttons for button in row]


def _after(module, outcome, index, answers):
    """The view of the next turn: the state the outcome stored."""
    return ModuleView(module, Position(index, False), answers, state=_held(outcome))


def test_text_on_an_answered_exercise_asks_and_saves_nothing_yet(module):
    index = _free_text_index(module)
    step_id = module.steps[index].id
    answered = view(module, index, answers={step_id: "det gamla"})
    outcome, change = write(answered, "det nya")
    assert change.answer is None and change.position is None
    assert outcome.events == ()
    ask = outcome.replies[-1]
    assert _labels(ask) == [
        T("module.button.replace"),
        T("module.button.add"),
        T("module.button.keep"),
    ]
    assert "det gamla" in ask.text and "det nya" in ask.text
    assert _held(outcome).pending.text == "det nya"
    assert outcome.dialogue == module_steps.DIALOGUE


@pytest.mark.parametrize(
    ("choice", "stored", "said"),
    [
        ("replace", "det nya", "module.answer_updated"),
        ("add", "det gamla\n\ndet nya", "module.answer_added"),
        ("keep", None, "module.answer_kept"),
    ],
)
def test_the_choice_decides_what_is_stored(module, choice, stored, said):
    index = _free_text_index(module)
    step_id = module.steps[index].id
    answers = {step_id: "det gamla"}
    asked, _ = write(view(module, index, answers=answers), "det nya")
    outcome, change = press(_after(module, asked, index, answers), f"answer:{choice}")
    assert change.answer == ((step_id, stored) if stored else None)
    assert says(outcome.replies[-1].text, said)
    assert outcome.replies[-1].edit_pressed
    assert _held(outcome).pending is None  # nothing waits any more
    assert [e.type for e in outcome.events] == (["answer_saved"] if stored else [])


def test_more_text_while_asked_is_added_to_what_waits(module):
    index = _free_text_index(module)
    answers = {module.steps[index].id: "det gamla"}
    asked, _ = write(view(module, index, answers=answers), "första delen")
    again, change = write(_after(module, asked, index, answers), "andra delen")
    assert change.answer is None
    assert _held(again).pending.text == "första delen\n\nandra delen"


def test_crisis_text_is_not_saved_unless_chosen(module):
    index = _free_text_index(module)
    step_id = module.steps[index].id
    outcome, change = module_steps.handle(
        view(module, index), Incoming(kind="text", text="jag vill inte leva"), T, crisis=True
    )
    assert change.answer is None and outcome.events == ()
    assert _labels(outcome.replies[-1]) == [T("module.button.save"), T("module.button.dont_save")]
    assert says(outcome.replies[-1].text, "module.choice.not_saved")
    assert _held(outcome).pending.crisis
    kept, change = press(_after(module, outcome, index, {}), "answer:save")
    assert change.answer == (step_id, "jag vill inte leva")
    dropped, change = press(_after(module, outcome, index, {}), "answer:drop")
    assert change.answer is None
    assert says(dropped.replies[-1].text, "module.answer_not_saved")


def test_crisis_text_on_an_answered_exercise_offers_the_same_choice(module):
    index = _free_text_index(module)
    answers = {module.steps[index].id: "det gamla"}
    outcome, change = module_steps.handle(
        view(module, index, answers=answers),
        Incoming(kind="text", text="jag vill inte leva"),
        T,
        crisis=True,
    )
    assert change.answer is None
    assert T("module.button.keep") in _labels(outcome.replies[-1])


def test_a_choice_with_nothing_waiting_is_stale(module):
    index = _free_text_index(module)
    outcome, change = press(view(module, index), "answer:replace")
    assert change.answer is None and outcome.toast == T("button.stale")


def test_a_choice_for_another_step_is_stale(module):
    index = _free_text_index(module)
    answers = {module.steps[index].id: "det gamla"}
    asked, _ = write(view(module, index, answers=answers), "det nya")
    elsewhere = ModuleView(module, Position(index + 1, False), answers, state=_held(asked))
    outcome, change = press(elsewhere, "answer:replace")
    assert change.answer is None and outcome.toast == T("button.stale")
    assert _held(outcome).pending is None


def test_first_answer_is_saved_at_once(module):
    index = _free_text_index(module)
    outcome, change = write(view(module, index), "mitt första svar")
    assert change.answer == (module.steps[index].id, "mitt första svar")
    assert says(outcome.replies[0].text, "module.answer_saved")


def test_moving_on_lets_go_of_held_text(module):
    index = _free_text_index(module)
    answers = {module.steps[index].id: "det gamla"}
    asked, _ = write(view(module, index, answers=answers), "det nya")
    moved, change = press(_after(module, asked, index, answers), "next")
    assert change.position == Position(index + 1, False) and change.answer is None
    assert _held(moved).pending is None
    plain, _ = press(view(module, index), "next")
    assert plain.data is None  # nothing held: the state (an add-on's number) is kept
