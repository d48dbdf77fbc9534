"""Journal periods (storage/journal.py) over a real migrated database: the first period
starts with the enrollment and holds its first moment, later ones start after the recorded
end; a period is recorded once; what a period holds is read without any patient text."""

from datetime import UTC, datetime, timedelta

from storage import journal, messages, patients
from tests.harness.records import migrated_database, therapists_patient

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _setup(tmp_path):
    conn = migrated_database(tmp_path / "bot.db")
    patient = therapists_patient(conn, NOW)
    enrollment = patients.enroll(conn, patient.id, "depression", NOW)
    return conn, patient, enrollment


def test_the_first_period_holds_its_start_and_later_ones_do_not(tmp_path):
    conn, patient, enrollment = _setup(tmp_path)
    messages.add_from_patient(conn, patient.id, "at the very start", NOW)
    first = journal.current_period(conn, patient.id, enrollment.started_at, NOW + HOUR)
    assert first.first and first.start == NOW
    assert len(journal.messages_in(conn, patient.id, first)) == 1

    assert (
        journal.record_period(conn, patient.id, NOW, NOW + HOUR, patient.therapist_id, NOW + HOUR)
        is not None
    )
    messages.add_from_patient(conn, patient.id, "later", NOW + 2 * HOUR)
    second = journal.current_period(conn, patient.id, enrollment.started_at, NOW + 3 * HOUR)
    assert not second.first and second.start == NOW + HOUR
    (fact,) = journal.messages_in(conn, patient.id, second)
    assert fact.at == NOW + 2 * HOUR and not hasattr(fact, "text")


def test_a_period_is_recorded_once_and_a_colleagues_earlier_one_shortens_it(tmp_path):
    conn, patient, _ = _setup(tmp_path)
    assert journal.record_period(
        conn, patient.id, NOW, NOW + HOUR, patient.therapist_id, NOW + HOUR
    )
    assert (
        journal.record_period(
            conn, patient.id, NOW, NOW + HOUR, patient.therapist_id, NOW + 2 * HOUR
        )
        is None
    )
    assert (
        journal.record_period(
            conn, patient.id, NOW, NOW + HOUR / 2, patient.therapist_id, NOW + 2 * HOUR
        )
        is None
    )
    later = journal.record_period(
        conn, patient.id, NOW, NOW + 3 * HOUR, patient.therapist_id, NOW + 3 * HOUR
    )
    assert (later.start, later.end, later.first) == (NOW + HOUR, NOW + 3 * HOUR, False)
    assert journal.recorded_until(conn, patient.id) == NOW + 3 * HOUR
    assert conn.execute("SELECT COUNT(*) FROM journal_notes").fetchone()[0] == 2
