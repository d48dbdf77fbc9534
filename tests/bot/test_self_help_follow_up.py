"""Self-help mode has no therapist follow-up: no weekly questionnaire at enrollment and no
amber flag for a missed questionnaire or diary, unless staff ordered it (`/measure`,
`/schedule`); red flags always go out, and `/message` says plainly there is no message
function, with the crisis contacts."""

from datetime import UTC, date, datetime, time, timedelta

from bot.reminders import missed_diary, missed_forms
from bot.reminders import tick as reminder_tick
from bot.reminders.defaults import give_program_schedules
from bot.reminders.kinds.registry import KINDS
from storage import forms, schedules
from storage.database import run_in_transaction
from tests.bot.commands import measure_command, reminders_command, schedule_command
from tests.bot.staff_helpers import patient_id
from tests.bot.test_enrollment_turns import enrolled
from tests.bot.test_messages_turns import message, notes, self_help_patient
from tests.harness.catalogue import says
from tests.harness.records import migrated_database, therapists_patient

CHECK_WEEK_49 = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)  # Monday 12:00 in Stockholm
CHECK_WEEK_50 = CHECK_WEEK_49 + timedelta(days=7)


def schedules_of(chat, label):
    return {
        (row[0], row[1], row[2])
        for row in chat.conn.execute(
            "SELECT s.kind, s.questionnaire, s.source FROM schedules s"
            " JOIN patients p ON p.id = s.patient_id WHERE p.label = ?",
            (label,),
        )
    }


def amber_triggers(chat, label, kind):
    return chat.conn.execute(
        "SELECT COUNT(*) FROM flag_triggers t JOIN flags f ON f.id = t.flag_id"
        " JOIN patients p ON p.id = f.patient_id"
        " WHERE p.label = ? AND t.kind = ? AND f.severity = 'amber'",
        (label, kind),
    ).fetchone()[0]


def run(chat, batch, at, **kwargs):
    return run_in_transaction(chat.conn, lambda c: batch(c, at, **kwargs))


# ---- enrollment -----------------------------------------------------------------------------


def test_a_self_help_patient_gets_no_weekly_questionnaire(chat, therapist):
    self_help_patient(chat, therapist, user=200)
    enrolled(chat, therapist, user=201)  # P1, guided
    assert ("forms", "phq9", "program") in schedules_of(chat, "P1")
    assert schedules_of(chat, "S1") == {("diary", None, "program"), ("module", None, "program")}


def test_a_self_help_program_gives_no_weekly_questionnaire_either(tmp_path, chat):
    conn = migrated_database(tmp_path / "other.sqlite3")
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    patient = therapists_patient(conn, now)
    meta = chat.world.programs["depression"].meta
    give_program_schedules(conn, patient.id, meta, now, self_help=True)
    kinds = {schedule.kind for schedule in schedules.of_patient(conn, patient.id)}
    assert kinds == {"diary", "module"}


# ---- missed questionnaires ------------------------------------------------------------------


def test_a_missed_questionnaire_flags_in_self_help_only_when_staff_ordered_it(chat, therapist):
    self_help_patient(chat, therapist)
    s1 = patient_id(chat, "S1")
    now = chat.clock.now()
    # A questionnaire nobody on the staff ordered (from before the patient was self-help).
    run_in_transaction(
        chat.conn,
        lambda c: forms.create_request(
            c,
            patient_id=s1,
            questionnaire="phq9",
            reason="repeat",
            due_at=now - timedelta(hours=1),
            window_ends_at=now + timedelta(days=3),
            now=now,
        ),
    )
    titles = {"phq9": "PHQ-9"}
    run(chat, missed_forms.run_batch, now + timedelta(days=3), language="sv", titles=titles)
    assert amber_triggers(chat, "S1", "missed") == 0
    statuses = [row[0] for row in chat.conn.execute("SELECT status FROM form_requests")]
    assert statuses == ["missed"]
    # `/measure S1 phq9`: ordered now, missed after its week: the flag.
    chat.command(measure_command, therapist, "measure", "S1", "phq9")
    assert says(chat.last_text(therapist), "measure.sent", label="S1", title="PHQ-9")
    run(chat, missed_forms.run_batch, now + timedelta(days=8), language="sv", titles=titles)
    assert amber_triggers(chat, "S1", "missed") == 1


def test_a_repeating_measure_staff_ordered_flags_when_missed(chat, therapist):
    self_help_patient(chat, therapist)
    chat.command(measure_command, therapist, "measure", "S1", "phq9", "every", "7")
    assert ("forms", "phq9", "staff") in schedules_of(chat, "S1")
    due = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # 10:00 the next day in Stockholm
    run(chat, reminder_tick.run_batch, due)
    assert [row[0] for row in chat.conn.execute("SELECT reason FROM form_requests")] == ["repeat"]
    titles = {"phq9": "PHQ-9"}
    run(chat, missed_forms.run_batch, due + timedelta(hours=72), language="sv", titles=titles)
    assert amber_triggers(chat, "S1", "missed") == 1


def test_a_self_help_program_flags_no_questionnaire_it_did_not_order(chat, therapist):
    enrolled(chat, therapist)  # guided by mode, but its program is self-help in this test
    p1 = patient_id(chat, "P1")
    now = chat.clock.now()
    schedule_id = run_in_transaction(
        chat.conn,
        lambda c: schedules.create(
            c,
            patient_id=p1,
            kind="forms",
            known_kinds=KINDS,
            questionnaire="phq9",
            times=(time(10, 0),),
            start_date=date(2026, 12, 1),
            every_days=7,
            grace_minutes=72 * 60,
            now=now,
        ),
    )
    run_in_transaction(
        chat.conn,
        lambda c: forms.create_request(
            c,
            patient_id=p1,
            questionnaire="phq9",
            reason="repeat",
            schedule_id=schedule_id,
            due_at=now,
            window_ends_at=now + timedelta(days=3),
            now=now,
        ),
    )
    later = now + timedelta(days=3)
    titles = {"phq9": "PHQ-9"}
    run(
        chat,
        missed_forms.run_batch,
        later,
        language="sv",
        titles=titles,
        self_help_programs=frozenset({"depression"}),
    )
    assert amber_triggers(chat, "P1", "missed") == 0


# ---- the missed diary -----------------------------------------------------------------------


def test_the_diary_flags_in_self_help_only_for_days_staff_set(chat, therapist):
    self_help_patient(chat, therapist, user=200)
    enrolled(chat, therapist, user=201)
    run(chat, missed_diary.run_batch, CHECK_WEEK_49, language="sv")
    assert amber_triggers(chat, "P1", "diary_missed") == 1
    assert amber_triggers(chat, "S1", "diary_missed") == 0
    # The therapist sets S1's diary days with /schedule: an order.
    chat.command(schedule_command, therapist, "schedule", "S1")
    chat.press(therapist, "📅 Veckodagbok: dagar")
    chat.press(therapist, "Varje dag")
    assert ("diary", None, "staff") in schedules_of(chat, "S1")
    run(chat, missed_diary.run_batch, CHECK_WEEK_50, language="sv")
    assert amber_triggers(chat, "S1", "diary_missed") == 1


def test_a_patients_own_schedule_change_is_no_order(chat, therapist):
    self_help_patient(chat, therapist, user=200)
    chat.command(reminders_command, 200, "reminders")
    chat.press(200, "🕒 Veckodagbok: ändra tid")
    chat.press(200, "20:00")
    assert ("diary", None, "program") in schedules_of(chat, "S1")


# ---- red flags and the message refusal ------------------------------------------------------


def test_crisis_words_still_raise_a_red_flag_in_self_help(chat, therapist):
    patient = self_help_patient(chat, therapist)
    notes(chat, patient, "/notes jag vill inte leva längre")
    severities = [row[0] for row in chat.conn.execute("SELECT severity FROM flags")]
    assert severities == ["red"]


def test_the_message_refusal_says_there_is_no_message_function_with_the_contacts(chat, therapist):
    patient = self_help_patient(chat, therapist)
    message(chat, patient, "/message Hej?")
    refusal = chat.last_text(patient)
    assert says(refusal, "messages.self_help")
    assert "ingen meddelandefunktion" in refusal
    for contact in ("112", "1177", "90101", "/crisis", "/notes"):
        assert contact in refusal
