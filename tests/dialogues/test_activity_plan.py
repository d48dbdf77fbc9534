"""Planning an activity, pure: what, kind, day, time, confirm."""

from datetime import date, time

from bot.i18n import Translator
from dialogues import activity_plan
from dialogues.activity_plan import PlanView
from tests.harness.catalogue import says

T = Translator("sv")
TUESDAY = date(2026, 12, 1)


def view(*, now=time(9, 0), listed=(), ask_types=False):
    return PlanView(
        today=TUESDAY,
        now=now,
        listed=listed,
        ask_types=ask_types,
        quiet_start=time(21, 30),
        quiet_end=time(7, 30),
        language="sv",
    )


def labels(outcome):
    return [button.label for row in outcome.replies[-1].buttons for button in row]


def test_typed_activity_goes_straight_to_the_day_without_types():
    outcome = activity_plan.start(view(), T, text="Promenad")
    assert says(outcome.replies[-1].text, "plan.ask_day", text="Promenad")
    assert labels(outcome)[:2] == ["I dag", "I morgon"]
    assert outcome.data["step"] == "day"


def test_kind_is_asked_from_the_types_module_unless_preset():
    asked = activity_plan.start(view(ask_types=True), T, text="Promenad")
    assert asked.data["step"] == "type"
    preset = activity_plan.start(view(ask_types=True), T, text="Promenad", preset_type="vill")
    assert preset.data["step"] == "day" and preset.data["type"] == "vill"


def test_listed_activities_are_offered_and_a_pick_takes_their_kind():
    listed = ((7, "Baka", "vill"), (8, "Tvätta", "maste"))
    first = activity_plan.start(view(listed=listed, ask_types=True), T, preset_type="vill")
    assert labels(first) == ["Baka", "Avbryt"]  # only the preset kind's activities
    outcome, draft = activity_plan.on_button(
        view(listed=listed, ask_types=True), first.data, "pick:7", T
    )
    assert draft is None
    assert (outcome.data["step"], outcome.data["text"], outcome.data["type"]) == (
        "day",
        "Baka",
        "vill",
    )


def _at_time(now=time(9, 0), day=TUESDAY):
    data = activity_plan.start(view(now=now), T, text="Promenad").data
    outcome, _ = activity_plan.on_button(view(now=now), data, f"day:{day.isoformat()}", T)
    return outcome


def test_times_already_past_today_are_not_offered_and_typed_ones_are_refused():
    outcome = _at_time(now=time(13, 0))
    assert labels(outcome)[:3] == ["15:00", "17:00", "19:00"]
    refused = activity_plan.on_text(view(now=time(13, 0)), outcome.data, "12:30", T)
    assert "Den tiden har redan varit" in refused.replies[-1].text
    assert refused.data["step"] == "time"


def test_a_time_in_quiet_hours_is_refused_with_the_hours_named():
    outcome = _at_time()
    refused = activity_plan.on_text(view(), outcome.data, "22:15", T)
    assert "tysta timmar (21:30–07:30)" in refused.replies[-1].text


def test_typed_time_with_a_dot_then_save_gives_the_draft():
    outcome = _at_time()
    confirm = activity_plan.on_text(view(), outcome.data, "17.30", T)
    assert "Promenad · tisdag 1 december kl. 17:30" in confirm.replies[-1].text
    _, draft = activity_plan.on_button(view(), confirm.data, "save", T)
    assert (draft.text, draft.day, draft.at, draft.item) == (
        "Promenad",
        TUESDAY,
        time(17, 30),
        None,
    )


def test_saving_after_the_time_has_passed_asks_again():
    confirm = activity_plan.on_text(view(), _at_time().data, "09:30", T)
    outcome, draft = activity_plan.on_button(view(now=time(10, 0)), confirm.data, "save", T)
    assert draft is None and "redan varit" in outcome.replies[-1].text


def test_a_day_outside_the_coming_week_is_refused():
    data = activity_plan.start(view(), T, text="Promenad").data
    outcome, draft = activity_plan.on_button(view(), data, "day:2026-12-20", T)
    assert draft is None and says(outcome.replies[0].text, "plan.use_buttons")


def test_late_in_the_evening_today_is_not_offered():
    outcome = activity_plan.start(view(now=time(20, 0)), T, text="Promenad")
    assert labels(outcome)[0] == "I morgon"


def test_cancel_clears_the_dialogue():
    data = activity_plan.start(view(), T, text="Promenad").data
    outcome, draft = activity_plan.on_button(view(), data, "cancel", T)
    assert draft is None and outcome.data == {} and "ingen plan" in outcome.replies[0].text


def test_stray_text_where_a_button_is_expected_keeps_the_draft():
    data = activity_plan.start(view(), T, text="Promenad").data
    assert data["awaiting"] == "text"  # typed text comes back to this dialogue
    outcome = activity_plan.on_text(view(), data, "hmm", T)
    assert says(outcome.replies[0].text, "plan.use_buttons")
    assert (outcome.data["step"], outcome.data["text"]) == ("day", "Promenad")
