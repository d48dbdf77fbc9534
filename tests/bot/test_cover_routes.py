"""Absence cover and moving patients: /cover (patient-admins, admins) sets and ends deputies
for a period in the unit's zone; a deputy sees the covered patients only during it and is in
their care team; /move gives a patient another therapist. All audited."""

import json
from datetime import UTC, datetime, timedelta

from bot.care.access import care_team, may_see
from storage import cover, patients, staff
from storage.database import run_in_transaction
from tests.bot.commands import COMMANDS
from tests.bot.staff_helpers import audit_rows, bind, enroll, patient_id, replies_to, staff_id
from tests.harness.catalogue import says, sv

ANNA, DAVID, BO, ADMIN, PATIENT = 100, 102, 101, 300, 200
NO_PATIENT = sv("staff.no_such_patient")  # the refusal of a patient one may not see


def _unit(chat):
    bind(chat, "Anna", "therapist", "Växjö", ANNA)
    bind(chat, "David", "therapist", "Växjö", DAVID)
    bind(chat, "Bo", "patient-admin", "Växjö", BO)
    enroll(chat, ANNA, "P1", PATIENT)


def _set_cover(chat, who, first, last):
    chat.command(COMMANDS["cover"], who, "cover")
    chat.press(who, "➕ Ny ersättare")
    chat.press(who, "Anna")
    chat.press(who, "David")
    chat.text(who, first)
    chat.text(who, last)
    chat.press(who, "Spara")


def test_patient_admin_sets_a_cover_with_typed_dates(chat):
    _unit(chat)  # the clock: 2026-12-01 08:00 Stockholm
    _set_cover(chat, BO, "2026-12-03", "2026-12-04")
    page = chat.last_text(BO)
    assert says(page, "cover.saved")
    assert "Anna → ersättare David: 3 dec. 2026 – 4 dec. 2026" in page  # the dates, as shown
    assert not says(page, "cover.current")
    (row,) = audit_rows(chat, "cover_set")
    details = json.loads(row["details_json"])
    assert details["first_day"] == "2026-12-03" and details["last_day"] == "2026-12-04"
    assert row["staff_id"] == staff_id(chat, BO)
    (saved,) = cover.of_unit(chat.conn, 1, chat.clock.now())
    # Midnight to midnight in Stockholm (UTC+1 in December).
    assert saved.starts_at == datetime(2026, 12, 2, 23, 0, tzinfo=UTC)
    assert saved.ends_at == datetime(2026, 12, 4, 23, 0, tzinfo=UTC)
    assert says(chat.last_text(DAVID), "cover.told_deputy", name="Anna")
    assert says(chat.last_text(ANNA), "cover.told_absent", name="David")


def test_today_can_be_typed_or_pressed_and_past_days_are_refused(chat):
    _unit(chat)
    chat.command(COMMANDS["cover"], BO, "cover")
    chat.press(BO, "➕ Ny ersättare")
    chat.press(BO, "Anna")
    chat.press(BO, "David")
    chat.text(BO, "2026-11-30")
    assert says(chat.last_text(BO), "cover.day_past")
    chat.text(BO, "idag")
    chat.text(BO, "2026-11-30")
    assert says(chat.last_text(BO), "cover.last_before_first")
    chat.press(BO, "1 v")
    assert "1 dec. 2026 – 7 dec. 2026" in chat.last_text(BO)
    chat.press(BO, "Spara")
    assert says(chat.last_text(BO), "cover.current")


def test_a_deputy_sees_the_covered_patient_only_during_the_period(chat):
    _unit(chat)
    _set_cover(chat, BO, "2026-12-03", "2026-12-04")
    patient = patients.get(chat.conn, patient_id(chat, "P1"))
    david = staff.get(chat.conn, staff_id(chat, DAVID))
    moments = {
        datetime(2026, 12, 2, 22, 59, tzinfo=UTC): False,  # 23:59 the day before
        datetime(2026, 12, 2, 23, 0, tzinfo=UTC): True,  # the first day's midnight
        datetime(2026, 12, 4, 22, 59, tzinfo=UTC): True,  # the last day, 23:59
        datetime(2026, 12, 4, 23, 0, tzinfo=UTC): False,  # over
    }
    for moment, seen in moments.items():
        assert may_see(chat.conn, david, patient, moment) is seen, moment
        in_team = [m.id for m in care_team(chat.conn, patient, moment)]
        assert (david.id in in_team) is seen, moment

    # And through a real command.
    assert NO_PATIENT in replies_to(chat, DAVID, COMMANDS["results"], "results", "P1")[0]
    chat.clock.advance(timedelta(days=2))
    assert NO_PATIENT not in replies_to(chat, DAVID, COMMANDS["results"], "results", "P1")[0]
    chat.clock.advance(timedelta(days=3))
    assert NO_PATIENT in replies_to(chat, DAVID, COMMANDS["results"], "results", "P1")[0]


def test_ending_a_cover_takes_access_away_at_once(chat):
    _unit(chat)
    _set_cover(chat, BO, "i dag", "2026-12-10")
    assert NO_PATIENT not in replies_to(chat, DAVID, COMMANDS["diary"], "diary", "P1")[0]
    chat.command(COMMANDS["cover"], BO, "cover")
    chat.press(BO, "Avsluta: Anna → David")
    assert says(chat.last_text(BO), "cover.ended")
    assert says(chat.last_text(BO), "cover.none")
    assert says(chat.last_text(DAVID), "cover.told_ended", name="Anna")
    assert audit_rows(chat, "cover_ended")
    assert NO_PATIENT in replies_to(chat, DAVID, COMMANDS["diary"], "diary", "P1")[0]


def test_cover_is_for_patient_admins_and_admins(chat):
    _unit(chat)
    bind(chat, "Cecilia", "admin", "Växjö", ADMIN)
    assert says(replies_to(chat, ADMIN, COMMANDS["cover"], "cover")[0], "cover.title")
    for therapist in (ANNA, DAVID):
        refusal = replies_to(chat, therapist, COMMANDS["cover"], "cover")[0]
        assert refusal == sv("cover.not_allowed")
        refusal = replies_to(chat, therapist, COMMANDS["move"], "move", "P1")[0]
        assert refusal == sv("cover.not_allowed")


def test_only_active_therapists_of_the_unit_are_offered(chat):
    _unit(chat)
    bind(chat, "Lars", "therapist", "Lund", 500)
    run_in_transaction(chat.conn, lambda c: staff.set_active(c, staff_id(chat, DAVID), False))
    chat.command(COMMANDS["cover"], BO, "cover")
    chat.press(BO, "➕ Ny ersättare")
    markup = chat.outbox(BO)[-1]["params"]["reply_markup"]
    assert "Anna" in markup and "David" not in markup and "Lars" not in markup
    chat.press(BO, "Anna")
    assert says(chat.last_text(BO), "cover.no_deputy")


def test_move_gives_the_patient_another_therapist(chat):
    _unit(chat)
    chat.command(COMMANDS["move"], BO, "move", "P1")
    assert says(chat.last_text(BO), "move.title", label="P1", therapist="Anna")
    patient_texts = len(chat.texts(PATIENT))
    chat.press(BO, "David")
    assert says(chat.last_text(BO), "move.done", label="P1", therapist="David")
    assert patients.get(chat.conn, patient_id(chat, "P1")).therapist_id == staff_id(chat, DAVID)
    assert says(chat.last_text(ANNA), "move.told_old", label="P1", name="David")
    assert says(chat.last_text(DAVID), "move.told_new", label="P1", name="Anna")
    told = chat.texts(PATIENT)[patient_texts:]
    assert told == [sv("move.told_patient")]
    assert "Anna" not in told[0] and "David" not in told[0]  # no staff names to patients
    (row,) = audit_rows(chat, "patient_moved")
    assert row["patient_id"] == patient_id(chat, "P1")
    details = json.loads(row["details_json"])
    assert details == {"before": staff_id(chat, ANNA), "after": staff_id(chat, DAVID)}
    # Anna no longer sees P1; David does.
    assert NO_PATIENT in replies_to(chat, ANNA, COMMANDS["results"], "results", "P1")[0]
    assert NO_PATIENT not in replies_to(chat, DAVID, COMMANDS["results"], "results", "P1")[0]


def test_move_needs_a_label_the_mover_may_see(chat):
    _unit(chat)
    assert "Skriv: /move" in replies_to(chat, BO, COMMANDS["move"], "move")[0]
    assert NO_PATIENT in replies_to(chat, BO, COMMANDS["move"], "move", "P9")[0]
    chat.command(COMMANDS["move"], BO, "move", "P1")
    chat.press(BO, "Avbryt")
    assert says(chat.last_text(BO), "move.cancelled")
    assert not audit_rows(chat, "patient_moved")


def test_without_a_channel_a_red_alert_reaches_the_deputy_whatever_their_role(chat):
    _unit(chat)
    bind(chat, "Cecilia", "admin", "Växjö", ADMIN)  # admins get no first alert of their own
    now = chat.clock.now()
    run_in_transaction(
        chat.conn,
        lambda c: cover.add(
            c,
            staff_id=staff_id(chat, ANNA),
            deputy_id=staff_id(chat, ADMIN),
            starts_at=now,
            ends_at=now + timedelta(days=1),
            created_by=None,
            now=now,
        ),
    )
    chat.text(PATIENT, "Jag vill inte leva längre")
    red = sv("flag.severity.red")
    assert any(red in text and "P1" in text for text in chat.texts(ADMIN))
    assert any(red in text and "P1" in text for text in chat.texts(ANNA))
