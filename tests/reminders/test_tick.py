"""The tick against a real database: queue once, catch up once, re-send then missed, pauses,
quiet hours, unreachable patients, batches."""

import json
import logging
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.reminders import reachability, tick
from bot.reminders.kinds.registry import KINDS
from bot.reminders.planning import replan, replan_patient
from storage import dialect, patients, reminders, schedules
from storage.database import run_in_transaction
from tests.bot.test_enrollment_turns import enrolled
from tests.harness.catalogue import says
from tests.harness.records import migrated_database, therapists_patient

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ENROLLED = datetime(2026, 12, 1, 8, 0, tzinfo=STOCKHOLM)


def local(day, hour, minute=0):
    return datetime(2026, 12, day, hour, minute, tzinfo=STOCKHOLM)


@pytest.fixture
def conn(tmp_path):
    return migrated_database(tmp_path / "t.sqlite3")


def make_patient(conn, user_id=5):
    return therapists_patient(conn, ENROLLED, user_id, label=f"P{user_id}")


def diary(conn, patient, **overrides):
    fields = {
        "times": (time(19, 0),),
        "start_date": date(2026, 12, 1),
        "grace_minutes": 600,
        "resend_after_minutes": 120,
    }
    fields.update(overrides)
    schedule_id = schedules.create(
        conn, patient_id=patient.id, kind="diary", known_kinds=KINDS, now=ENROLLED, **fields
    )
    replan(conn, schedule_id, ENROLLED)
    return schedule_id


def run_batch(conn, now, **options):
    """The tick's batch as the tick runs it: in one transaction (its savepoints need one)."""
    return run_in_transaction(conn, lambda c: tick.run_batch(c, now, **options))


def sent(conn, chat_id=5):
    return conn.execute(
        "SELECT payload_json, not_before FROM outbox WHERE chat_id = ? ORDER BY id", (chat_id,)
    ).fetchall()


def next_due(conn, schedule_id):
    return schedules.get(conn, schedule_id).next_due_at


def test_due_schedule_queues_once_and_moves_to_next_day(conn):
    patient = make_patient(conn)
    schedule_id = diary(conn, patient)
    assert next_due(conn, schedule_id) == local(1, 19)
    assert run_batch(conn, local(1, 18, 59)) == 0
    assert run_batch(conn, local(1, 19)) == 1
    assert run_batch(conn, local(1, 19)) == 0
    assert len(sent(conn)) == 1
    assert next_due(conn, schedule_id) == local(2, 19)


def test_after_downtime_one_catch_up_not_several(conn):
    patient = make_patient(conn)
    schedule_id = diary(conn, patient, times=(time(17, 0), time(18, 0), time(19, 0)))
    run_batch(conn, local(1, 19, 30))
    assert len(sent(conn)) == 1
    occurrence = conn.execute("SELECT occurrence FROM reminders").fetchone()[0]
    assert occurrence.startswith("2026-12-01T18:00")  # 19:00 CET, the latest one
    assert next_due(conn, schedule_id) == local(2, 17)


def test_occurrence_older_than_grace_is_not_sent(conn):
    patient = make_patient(conn)
    schedule_id = diary(conn, patient, grace_minutes=60, resend_after_minutes=None)
    run_batch(conn, local(1, 20, 30))
    assert sent(conn) == []
    assert next_due(conn, schedule_id) == local(2, 19)


def test_resend_once_then_missed(conn):
    patient = make_patient(conn)
    diary(conn, patient)
    run_batch(conn, local(1, 19))
    run_batch(conn, local(1, 21))
    assert len(sent(conn)) == 2
    run_batch(conn, local(2, 4, 59))
    assert conn.execute("SELECT status FROM reminders").fetchone()[0] == "open"
    run_batch(conn, local(2, 5))
    assert conn.execute("SELECT status FROM reminders").fetchone()[0] == "missed"
    assert len(sent(conn)) == 2
    kinds = [r[0] for r in conn.execute("SELECT type FROM events")]
    assert "reminder_missed" in kinds


def test_answered_reminder_is_not_resent(conn):
    patient = make_patient(conn)
    diary(conn, patient)
    run_batch(conn, local(1, 19))
    assert reminders.mark_answered(conn, patient.id, "diary", local(1, 19, 30)) == 1
    run_batch(conn, local(1, 21))
    assert len(sent(conn)) == 1


def test_quiet_hours_move_the_send_time(conn):
    patient = make_patient(conn)
    patients.set_quiet_hours(conn, patient.id, "18:00", "08:00")
    schedule_id = diary(conn, patient)
    assert next_due(conn, schedule_id) == local(2, 8)


def test_pause_skips_and_resumes(conn):
    patient = make_patient(conn)
    schedule_id = diary(conn, patient)
    patients.set_paused_until(conn, patient.id, local(3, 12))
    replan_patient(conn, patient.id, ENROLLED)
    assert next_due(conn, schedule_id) == local(3, 19)


def test_unreachable_patient_gets_nothing_until_reachable(conn):
    patient = make_patient(conn)
    schedule_id = diary(conn, patient)
    assert reachability.mark_unreachable(conn, patient.chat_id, ENROLLED)
    assert next_due(conn, schedule_id) is None
    therapist_note = conn.execute("SELECT chat_id FROM outbox").fetchone()[0]
    assert therapist_note == 100
    assert not reachability.mark_unreachable(conn, patient.chat_id, ENROLLED)  # once
    assert reachability.mark_reachable(conn, patient.chat_id, local(2, 12))
    assert next_due(conn, schedule_id) == local(2, 19)


def test_batches_are_bounded(conn):
    for user_id in range(10, 15):
        diary(conn, make_patient(conn, user_id))
    now = local(1, 19)
    assert [run_batch(conn, now, limit=2) for _ in range(4)] == [2, 2, 1, 0]
    assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 5


def test_end_date_stops_the_schedule(conn):
    patient = make_patient(conn)
    schedule_id = diary(conn, patient, end_date=date(2026, 12, 1))
    run_batch(conn, local(1, 19))
    assert next_due(conn, schedule_id) is None
    assert sent(conn)[0][1] == local(1, 19).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_a_form_not_answered_in_its_window_is_missed_and_raises_an_amber_flag(conn):
    from bot.reminders import missed_forms as missed
    from storage import forms

    patient = make_patient(conn)
    forms.create_request(
        conn,
        patient_id=patient.id,
        questionnaire="phq9",
        reason="repeat",
        due_at=local(1, 10),
        window_ends_at=local(4, 10),
        now=local(1, 10),
    )

    def missed_batch(now):
        return run_in_transaction(conn, lambda c: missed.run_batch(c, now, "sv", {"phq9": "PHQ-9"}))

    assert missed_batch(local(4, 9, 59)) == 0
    assert missed_batch(local(4, 10)) == 1
    assert conn.execute("SELECT status FROM form_requests").fetchone()[0] == "missed"
    flag = conn.execute("SELECT severity, next_check_at FROM flags").fetchone()
    assert tuple(flag) == ("amber", None)  # amber: no deadline chain
    summary = conn.execute("SELECT details_json FROM flag_triggers").fetchone()[0]
    assert "PHQ-9 besvarades inte" in summary


def test_each_queued_message_carries_its_own_reminder(conn):
    """The batch's reminders are written at once and their ids read back: every outbox row
    goes to the chat of the patient whose reminder id its buttons carry."""
    for user_id in range(10, 16):
        diary(conn, make_patient(conn, user_id))
    assert run_batch(conn, local(1, 19)) == 6
    rows = conn.execute(
        "SELECT r.id, p.chat_id FROM reminders r JOIN patients p ON p.id = r.patient_id"
    ).fetchall()
    assert len(rows) == 6
    for reminder_id, chat_id in rows:
        (payload,) = conn.execute(
            "SELECT payload_json FROM outbox WHERE dedupe_key = ?",
            (f"reminder:{reminder_id}:first",),
        ).fetchone()
        assert f"rem:open:{reminder_id}" in payload
        assert (
            conn.execute(
                "SELECT chat_id FROM outbox WHERE dedupe_key = ?",
                (f"reminder:{reminder_id}:first",),
            ).fetchone()[0]
            == chat_id
        )


def test_a_schedule_the_batch_cannot_write_is_set_aside_alone(conn, caplog):
    """The database refuses one schedule's reminder (here a trigger): the batch's writes are
    undone and done again one schedule at a time; only that one is set aside."""
    schedule_ids = [diary(conn, make_patient(conn, user_id)) for user_id in range(10, 14)]
    refused = schedule_ids[2]
    conn.execute(
        dialect.pick(
            conn,
            sqlite=f"CREATE TEMP TRIGGER refuse BEFORE INSERT ON reminders"
            f" WHEN NEW.schedule_id = {refused} BEGIN SELECT RAISE(ABORT, 'refused'); END",
            postgres="CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN RAISE EXCEPTION 'refused'; END $$;"
            " CREATE TRIGGER refuse BEFORE INSERT ON reminders FOR EACH ROW"
            f" WHEN (NEW.schedule_id = {refused}) EXECUTE FUNCTION refuse()",
        )
    )
    refusal = dialect.pick(conn, sqlite="IntegrityError", postgres="RaiseException")
    with caplog.at_level(logging.WARNING):
        assert run_batch(conn, local(1, 19)) == 4
    queued = {row[0] for row in conn.execute("SELECT schedule_id FROM reminders")}
    assert queued == set(schedule_ids) - {refused}
    assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 3
    assert next_due(conn, refused) is None  # set aside: the next tick does not trip on it
    assert all(next_due(conn, other) == local(2, 19) for other in queued)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == [f"tick: schedule {refused} set aside: {refusal}"]


# ---------------------------------------------------------------- one message per half hour


def other(conn, patient, kind="module", at=time(19, 10), **overrides):
    """A second schedule beside the diary (default: the module nudge at 19:10)."""
    fields = {"times": (at,), "start_date": date(2026, 12, 1), "grace_minutes": 720}
    fields.update(overrides)
    schedule_id = schedules.create(
        conn, patient_id=patient.id, kind=kind, known_kinds=KINDS, now=ENROLLED, **fields
    )
    replan(conn, schedule_id, ENROLLED)
    return schedule_id


def outbox_rows(conn, chat_id=5):
    return conn.execute(
        "SELECT dedupe_key, payload_json, not_before FROM outbox WHERE chat_id = ? ORDER BY id",
        (chat_id,),
    ).fetchall()


def buttons_of(payload):
    markup = json.loads(json.loads(payload)["reply_markup"])
    return [(b["text"], b["callback_data"]) for line in markup["inline_keyboard"] for b in line]


def reminder_of(conn, schedule_id):
    return conn.execute(
        "SELECT id, status, check_at FROM reminders WHERE schedule_id = ?", (schedule_id,)
    ).fetchone()


def test_two_kinds_ten_minutes_apart_go_as_one_message_with_both_buttons(conn):
    patient = make_patient(conn)
    diary_id = diary(conn, patient)
    module_id = other(conn, patient)  # 19:10
    assert run_batch(conn, local(1, 19)) == 1  # the diary is due; the module comes along
    (key, payload, not_before), *more = outbox_rows(conn)
    assert more == []
    first, second = reminder_of(conn, diary_id)[0], reminder_of(conn, module_id)[0]
    assert key == f"reminders:{first},{second}:first"
    assert not_before == local(1, 19).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert "Några påminnelser på en gång" in payload
    assert "veckodagboken" in payload and "fortsätta med din modul" in payload
    assert buttons_of(payload) == [
        ("Öppna dagboken", f"-|rem:open:{first}"),
        ("Öppna modulen", f"-|rem:open:{second}"),
        ("Påminn mig om 1 timme", f"-|rem:snooze:{first},{second}"),
    ]
    # each keeps its own row and its own life: the diary's re-send at 21:00, the module's
    # missed check at its own time plus grace
    assert reminder_of(conn, diary_id)[1:] == ("open", "2026-12-01T20:00:00.000000Z")
    assert reminder_of(conn, module_id)[1:] == ("open", "2026-12-02T06:10:00.000000Z")
    # the module's own time comes and nothing more is sent; both planned for tomorrow
    assert run_batch(conn, local(1, 19, 10)) == 0
    assert len(outbox_rows(conn)) == 1
    assert next_due(conn, diary_id) == local(2, 19)
    assert next_due(conn, module_id) == local(2, 19, 10)


def test_forty_minutes_apart_go_as_two_messages(conn):
    patient = make_patient(conn)
    diary(conn, patient)
    other(conn, patient, at=time(19, 40))
    run_batch(conn, local(1, 19))
    assert len(outbox_rows(conn)) == 1
    run_batch(conn, local(1, 19, 40))
    keys = [row[0] for row in outbox_rows(conn)]
    assert len(keys) == 2 and all(key.startswith("reminder:") for key in keys)


def test_reminders_of_different_patients_are_never_merged(conn):
    diary(conn, make_patient(conn, 5))
    diary(conn, make_patient(conn, 6))
    run_batch(conn, local(1, 19))
    assert len(outbox_rows(conn, 5)) == 1 and len(outbox_rows(conn, 6)) == 1
    assert (
        conn.execute("SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'reminders:%'").fetchone()[
            0
        ]
        == 0
    )


def test_a_patients_reminders_split_over_batches_still_go_together(conn):
    """Due at the same minute, but the first batch holds only one of them: the other comes
    along from outside the batch, and the next batch has nothing left to send."""
    patient = make_patient(conn)
    diary(conn, patient)
    other(conn, patient, at=time(19, 0))
    assert [run_batch(conn, local(1, 19), limit=1) for _ in range(2)] == [1, 0]
    (key, _, _), *more = outbox_rows(conn)
    assert more == [] and key.startswith("reminders:")


def test_a_re_send_is_its_own_message(conn):
    patient = make_patient(conn)
    diary_id = diary(conn, patient)
    other(conn, patient)
    run_batch(conn, local(1, 19))
    run_batch(conn, local(1, 21))
    reminder_id = reminder_of(conn, diary_id)[0]
    keys = [row[0] for row in outbox_rows(conn)]
    assert len(keys) == 2 and keys[1] == f"reminder:{reminder_id}:again"


def test_one_left_to_its_own_time_is_not_brought_forward(conn):
    """The diary day already filled in: the 19:10 diary would not be sent, so it is not
    brought forward either; its own time records the skip. The module goes alone."""
    from storage import diary as diary_entries

    patient = make_patient(conn)
    module_id = other(conn, patient, at=time(19, 0))
    diary_id = diary(conn, patient, times=(time(19, 10),))
    patients.enroll(conn, patient.id, "depression", ENROLLED)
    for part in ("morning", "late-morning", "afternoon", "evening"):
        diary_entries.save_activity(conn, patient.id, date(2026, 12, 1), part, "x", ENROLLED)
        diary_entries.save_detail(conn, patient.id, date(2026, 12, 1), part, ENROLLED, mood=6)
    run_batch(conn, local(1, 19), diary_parts={"depression": 4})
    keys = [row[0] for row in outbox_rows(conn)]
    assert keys == [f"reminder:{reminder_of(conn, module_id)[0]}:first"]
    assert next_due(conn, diary_id) == local(1, 19, 10)  # left to its own time


def test_a_planned_activity_keeps_its_time_but_others_may_join_it(conn):
    """An activity (or a therapist's own reminder, or a form) is not sent early; a diary due
    ten minutes after it comes along in its message, with the activity's own button."""
    patient = make_patient(conn)
    walk = other(conn, patient, kind="activity", at=time(19, 10), custom_text="Promenad")
    diary(conn, patient)
    run_batch(conn, local(1, 19))
    assert [row[0][:9] for row in outbox_rows(conn)] == ["reminder:"]
    assert next_due(conn, walk) == local(1, 19, 10)
    other(conn, patient, kind="forms", at=time(19, 10), questionnaire="phq9")
    diary(conn, patient, times=(time(19, 20),))
    run_batch(conn, local(1, 19, 10))  # the walk, the form due with it, the diary 10 min later
    key, payload, _ = outbox_rows(conn)[-1]
    assert key.startswith("reminders:") and len(key.split(":")[1].split(",")) == 3
    labels = [label for label, _ in buttons_of(payload)]
    assert labels == ["Berätta hur det gick", "Svara nu", "Öppna dagboken", "Påminn mig om 1 timme"]
    assert "Promenad" in payload


def test_two_buttons_that_would_read_the_same_are_numbered(conn):
    patient = make_patient(conn)
    for words in ("Promenad", "Ringa Eva"):
        other(conn, patient, kind="activity", at=time(19, 0), custom_text=words)
    run_batch(conn, local(1, 19))
    ((_, payload, _),) = outbox_rows(conn)
    labels = [label for label, _ in buttons_of(payload)]
    assert labels == ["1. Berätta hur det gick", "2. Berätta hur det gick", "Påminn mig om 1 timme"]
    text = json.loads(payload)["text"]
    assert "1. 🚶" in text and "2. 🚶" in text


# ------------------------------------------- a shared message's buttons, through the routes


def _tick(chat):
    run_batch(chat.conn, chat.clock.now())


def _at(chat, moment):
    chat.clock.advance(moment - chat.clock.now())
    _tick(chat)


def _shared_message(chat, therapist):
    """A real enrollment (the program's schedules: the weekly PHQ-9 at 10:00) with the diary
    moved to 10:10, so on the first day the two share the 10:00 message. Returns the patient
    and the forms and diary reminders' ids."""
    patient = enrolled(chat, therapist)
    conn = chat.conn
    own = schedules.of_patient(conn, patients.by_chat(conn, patient).id)
    (forms_id,) = [schedule.id for schedule in own if schedule.kind == "forms"]
    (diary_id,) = [schedule.id for schedule in own if schedule.kind == "diary"]
    schedules.update(conn, diary_id, chat.clock.now(), times=(time(10, 10),))
    replan(conn, diary_id, chat.clock.now())
    _at(chat, local(1, 10))
    return patient, reminder_of(conn, forms_id)[0], reminder_of(conn, diary_id)[0]


def _status(chat, reminder_id):
    return reminders.get(chat.conn, reminder_id).status


def test_each_button_of_a_shared_message_works(chat, therapist):
    patient, form, diary = _shared_message(chat, therapist)
    shared = chat.outbox(patient)[-1]
    assert says(shared["params"]["text"], "reminder.together")
    markup = json.loads(shared["params"]["reply_markup"])["inline_keyboard"]
    labels = [button["text"] for line in markup for button in line]
    assert labels == ["Svara nu", "Öppna dagboken", "Påminn mig om 1 timme"]
    chat.press(patient, "Öppna dagboken")
    assert says(chat.last_text(patient), "diary.title_today")
    assert (_status(chat, form), _status(chat, diary)) == ("open", "answered")
    chat.press(patient, "Svara nu")  # the shared message's other button still works
    assert "PHQ-9" in chat.last_text(patient)
    assert _status(chat, form) == "answered"


def test_the_snooze_of_a_shared_message_snoozes_each_reminder_in_one_message(chat, therapist):
    patient, form, diary = _shared_message(chat, therapist)
    chat.press(patient, "Påminn mig om 1 timme")
    key, not_before = chat.conn.execute(
        "SELECT dedupe_key, not_before FROM outbox ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert key == f"reminders:{form},{diary}:snooze1"
    assert not_before == local(1, 11).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert [reminders.get(chat.conn, r).snoozes for r in (form, diary)] == [1, 1]
    # the snoozed message's buttons work as the first one's did
    chat.press(patient, "Öppna dagboken")
    assert _status(chat, diary) == "answered"
    chat.press(patient, "Påminn mig om 1 timme")  # only the form is still open: alone
    key = chat.conn.execute("SELECT dedupe_key FROM outbox ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert key == f"reminder:{form}:snooze2"
