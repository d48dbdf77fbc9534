"""Results as text, pure: the change since the first measurement (the patient's totals only,
never a risk item) and the care team's note when the final measurement is complete."""

from bot.i18n import Translator
from dialogues import results
from dialogues.results import FinalChange, Point, ResultItem, Series
from tests.harness.catalogue import says

T = Translator("sv")

ITEMS = (
    ResultItem("q1", "Nedstämdhet", risk=False, hidden_from_patient=False, answer_labels={}),
    ResultItem("q9", "Tankar på att dö", risk=True, hidden_from_patient=True, answer_labels={}),
)


def series(*totals, final_last=False):
    last = len(totals) - 1
    points = tuple(
        Point(f"{1 + 7 * i} dec", total, "band", {"q1": 1, "q9": 2}, final=final_last and i == last)
        for i, total in enumerate(totals)
    )
    return Series("phq9", "PHQ-9", 27, ITEMS, points, "improved")


def test_patient_sees_the_change_since_the_first_time_and_the_final_point():
    text = results.patient_results([series(16, 12, 5, final_last=True)], T).replies[0].text
    assert says(text, "results.change_since_first", date="1 dec", first=16, latest=5, change="-11")
    assert "15 dec: 5/27 – band (eftermätning)" in text
    assert "Tankar på att dö" not in text  # a risk item is never shown back


def test_one_point_has_no_change_line():
    text = results.patient_results([series(16)], T).replies[0].text
    assert "Sedan första gången" not in text


def test_final_note_has_first_and_final_with_reliable_change():
    changes = [
        FinalChange("phq9", "PHQ-9", 16, 5, 27, "improved"),
        FinalChange("gad7", "GAD-7", None, 4, 21),
        FinalChange("madrs-s", "MADRS-S", 20, 18, 54),
    ]
    text = results.final_change_note("P1", changes, T).text
    assert says(text, "results.final_note_title", label="P1")
    assert "PHQ-9: 16 → 5 av 27 (-11) – " + T("results.rc.improved") in text
    assert says(text, "results.final_note_only", title="GAD-7", final=4, max=21)
    assert "MADRS-S: 20 → 18 av 54 (-2)\n" in text  # no reliable-change value: no verdict
    assert "/results P1" in text
