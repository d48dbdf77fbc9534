"""The overview's latest score: the newest measurement and the one before it of the same
questionnaire, without loading answers."""

from datetime import timedelta

from storage import forms
from tests.storage.test_messages import NOW, _patient, _therapist, conn  # noqa: F401


def _measure(conn, patient, questionnaire, total, days):  # noqa: F811
    at = NOW + timedelta(days=days)
    request_id = forms.create_request(
        conn,
        patient_id=patient.id,
        questionnaire=questionnaire,
        reason="extra",
        due_at=at,
        window_ends_at=None,
        now=at,
    )
    forms.submit(conn, forms.get(conn, request_id), total, 27, at)


def test_latest_and_the_one_before_of_the_same_questionnaire(conn):  # noqa: F811
    patient = _patient(conn, _therapist(conn))
    assert forms.latest_totals(conn, patient.id) == []
    _measure(conn, patient, "phq9", 15, 0)
    _measure(conn, patient, "gad7", 9, 1)
    _measure(conn, patient, "phq9", 12, 7)
    assert forms.latest_totals(conn, patient.id) == [("phq9", 12, 27), ("phq9", 15, 27)]
    _measure(conn, patient, "gad7", 6, 8)
    assert forms.latest_totals(conn, patient.id) == [("gad7", 6, 27), ("gad7", 9, 27)]
