"""A therapist's recurring activity plan, pure: the walk from "Ny plan" to "Spara"."""

from datetime import date, time

from bot.i18n import Translator
from dialogues import staff_plans
from dialogues.staff_plans import PlansView
from tests.harness.catalogue import says

T = Translator("sv")
BASE = {"patient": 1, "label": "P1"}


def view(plans=()):
    return PlansView(
        label="P1",
        plans=plans,
        recent=(),
        today=date(2026, 12, 7),
        quiet_start=time(21, 30),
        quiet_end=time(7, 30),
        language="sv",
    )


def press(data, action):
    return staff_plans.on_button(view(), data, action, T)


def test_the_whole_walk_gives_a_plan_line():
    outcome, _ = press(BASE, "new")
    outcome = staff_plans.on_text(view(), outcome.data, "Morgonpromenad", T)
    outcome, _ = press(outcome.data, "type:vill")
    for day in ("0", "2", "4"):
        outcome, _ = press(outcome.data, f"wd:{day}")
    assert outcome.data["draft"]["weekdays"] == [0, 2, 4]
    outcome, _ = press(outcome.data, "days_done")
    outcome = staff_plans.on_text(view(), outcome.data, "18:00, 8.00", T)
    outcome = staff_plans.on_text(view(), outcome.data, "2026-12-08", T)
    assert "respit 1 d" in outcome.replies[-1].text
    outcome, _ = press(outcome.data, "grace")
    outcome, _ = press(outcome.data, "flag")
    outcome, change = press(outcome.data, "save")
    line = change.value
    assert change.kind == "create"
    assert (line.text, line.activity_type, line.weekdays, line.every_days) == (
        "Morgonpromenad",
        "vill",
        frozenset({0, 2, 4}),
        None,
    )
    assert line.times == (time(8, 0), time(18, 0))
    assert (line.start, line.grace_days, line.flag_when_missed, line.comments_allowed) == (
        date(2026, 12, 8),
        2,
        True,
        True,
    )


def test_every_n_days_clears_weekdays_and_goes_on_to_times():
    outcome, _ = press(BASE, "new")
    outcome = staff_plans.on_text(view(), outcome.data, "Ring en vän", T)
    outcome, _ = press(outcome.data, "type:-")
    outcome, _ = press(outcome.data, "wd:1")
    outcome, _ = press(outcome.data, "every:3")
    assert outcome.data["draft"]["every_days"] == 3 and outcome.data["draft"]["weekdays"] is None
    assert outcome.data["step"] == "times"


def test_times_in_quiet_hours_unclear_times_and_past_dates_are_asked_again():
    outcome, _ = press(BASE, "new")
    outcome = staff_plans.on_text(view(), outcome.data, "Promenad", T)
    outcome, _ = press(outcome.data, "type:vill")
    outcome, _ = press(outcome.data, "every:1")
    quiet = staff_plans.on_text(view(), outcome.data, "23:00", T)
    assert "tysta timmar (21:30–07:30)" in quiet.replies[-1].text
    unclear = staff_plans.on_text(view(), outcome.data, "kvart över åtta", T)
    assert says(unclear.replies[-1].text, "staff_plans.times_unclear")
    start = staff_plans.on_text(view(), outcome.data, "08:00", T)
    past = staff_plans.on_text(view(), start.data, "2026-12-01", T)
    assert says(past.replies[-1].text, "staff_plans.start_past")


def test_toggle_only_for_a_listed_plan():
    _, change = press(BASE, "toggle:99")
    assert change is None


def test_stray_text_on_the_options_page_keeps_the_draft():
    outcome, _ = press(BASE, "new")
    outcome = staff_plans.on_text(view(), outcome.data, "Promenad", T)
    outcome, _ = press(outcome.data, "type:vill")
    outcome, _ = press(outcome.data, "every:1")
    outcome = staff_plans.on_text(view(), outcome.data, "08:00", T)
    outcome = staff_plans.on_text(view(), outcome.data, "2026-12-08", T)
    stray = staff_plans.on_text(view(), outcome.data, "ok?", T)
    assert says(stray.replies[0].text, "staff_plans.use_buttons")
    assert stray.data["step"] == "options" and stray.data["draft"]["text"] == "Promenad"
