"""The pure dialogues of staff administration: /staff, /cover, /move and /audit."""

from datetime import date

from bot.i18n import Translator
from dialogues import audit_trail, cover, move_patient, staff_admin
from dialogues.cover import CoverView
from dialogues.move_patient import MoveView
from dialogues.staff_admin import MemberLine, StaffView

SV, EN = Translator("sv"), Translator("en")
TODAY = date(2026, 12, 1)


def _cover_view(**kwargs):
    defaults = dict(covers=(), therapists=((1, "Anna"), (2, "David")), today=TODAY, language="sv")
    return CoverView(**{**defaults, **kwargs})


def test_days_are_iso_dates_or_the_words_for_today_and_tomorrow():
    assert cover.parse_day("2026-12-21", TODAY, SV) == date(2026, 12, 21)
    for typed in ("i dag", "I DAG", "idag", " i  dag "):
        assert cover.parse_day(typed, TODAY, SV) == TODAY
    assert cover.parse_day("i morgon", TODAY, SV) == date(2026, 12, 2)
    assert cover.parse_day("today", TODAY, EN) == TODAY
    assert cover.parse_day("21/12", TODAY, SV) is None


def test_a_cover_is_built_step_by_step_and_saved_once_confirmed():
    view = _cover_view()
    outcome, change = cover.on_button(view, {}, "new", SV)
    assert change is None and outcome.data["step"] == "absent"
    outcome, _ = cover.on_button(view, outcome.data, "absent:1", SV)
    assert "Anna" not in outcome.replies[0].buttons[0][0].label  # not her own deputy
    outcome, _ = cover.on_button(view, outcome.data, "deputy:2", SV)
    outcome = cover.on_text(view, outcome.data, "i dag", SV)
    outcome, _ = cover.on_button(view, outcome.data, "last:2026-12-14", SV)
    assert "David ersätter Anna 1 dec. 2026 – 14 dec. 2026" in outcome.replies[0].text
    _, change = cover.on_button(view, outcome.data, "save", SV)
    assert change.kind == "create"
    assert (change.value.absent, change.value.deputy) == (1, 2)
    assert (change.value.first_day, change.value.last_day) == (TODAY, date(2026, 12, 14))


def test_forged_cover_presses_change_nothing():
    view = _cover_view()
    data = {"step": "deputy", "draft": {"absent": 1}, "awaiting": "text"}
    for action in ("deputy:1", "deputy:9", "end:5", "save", "absent:2"):
        _, change = cover.on_button(view, data, action, SV)
        assert change is None, action


def test_a_saved_cover_that_waited_past_midnight_asks_for_the_first_day_again():
    view = _cover_view(today=date(2026, 12, 2))
    draft = {"absent": 1, "deputy": 2, "first": "2026-12-01", "last": "2026-12-03"}
    outcome, change = cover.on_button(view, {"step": "confirm", "draft": draft}, "save", SV)
    assert change is None and "redan varit" in outcome.replies[0].text


def _staff_view():
    members = (
        MemberLine(1, "Cecilia", ("admin",), True, True, 0),
        MemberLine(2, "Anna", ("therapist",), True, True, 3),
        MemberLine(3, "Dora", ("therapist",), False, False, 0),
    )
    return StaffView(unit="Växjö", me=1, members=members)


def test_staff_changes_name_a_member_of_the_unit_and_never_oneself():
    view = _staff_view()
    assert staff_admin.on_button(view, {}, "off:2", SV)[1].kind == "deactivate"
    assert staff_admin.on_button(view, {}, "on:3", SV)[1].kind == "reactivate"
    assert staff_admin.on_button(view, {}, "role:2:admin", SV)[1].value == (2, "admin")
    for action in ("off:1", "role:1:therapist", "off:3", "on:2", "off:9", "role:2:boss"):
        assert staff_admin.on_button(view, {}, action, SV)[1] is None, action


def test_a_new_member_needs_a_name_then_a_role():
    view = _staff_view()
    outcome = staff_admin.on_text(view, {"step": "name"}, "   ", SV)
    assert "Skriv ett namn" in outcome.replies[0].text
    outcome = staff_admin.on_text(view, {"step": "name"}, "Erik  Ek", SV)
    assert outcome.data == {"step": "role", "awaiting": "text", "name": "Erik Ek"}
    _, change = staff_admin.on_button(view, outcome.data, "nrole:patient-admin", SV)
    assert change.value == ("Erik Ek", "patient-admin")
    assert staff_admin.on_button(view, {}, "nrole:admin", SV)[1] is None  # no name asked


def test_move_offers_the_other_therapists_only():
    view = MoveView(label="P1", current="Anna", therapists=((2, "David"),))
    assert move_patient.on_button(view, {}, "to:2", SV)[1] == 2
    assert move_patient.on_button(view, {}, "to:1", SV)[1] is None


def test_audit_pages():
    assert audit_trail.page_asked({"page": 0}, "older") == 1
    assert audit_trail.page_asked({"page": 0}, "newer") == 0
    assert audit_trail.page_asked({"page": 2}, "newer") == 1
    assert audit_trail.page_asked({"page": 2}, "done") is None
