"""score() and reliable_change(): every band edge, risk thresholds, invalid answers."""

from __future__ import annotations

import pytest

from programs.questionnaire_models import Questionnaire
from programs.scoring import ScoringError, reliable_change, score


def answers_for(q: Questionnaire, total: int, **fixed: int) -> dict[str, int]:
    """Answers adding up to ``total``: ``fixed`` items as given, the rest filled greedily
    from the first item (so the last items stay 0 for low totals)."""
    answers = dict(fixed)
    remaining = total - sum(fixed.values())
    for item in q.items:
        if item.id in answers:
            continue
        value = max(v for v in q.answer_values(item) if v <= max(remaining, 0))
        answers[item.id] = value
        remaining -= value
    assert remaining == 0, f"cannot make {total} in {q.id}"
    return {i: answers[i] for i in q.item_ids()}


# (total, band index) at both sides of every band edge, and the extremes
EDGES = {
    "phq9": [(0, 0), (4, 0), (5, 1), (9, 1), (10, 2), (14, 2), (15, 3), (19, 3), (20, 4), (27, 4)],
    "gad7": [(0, 0), (4, 0), (5, 1), (9, 1), (10, 2), (14, 2), (15, 3), (21, 3)],
    "madrs-s": [(0, 0), (12, 0), (13, 1), (19, 1), (20, 2), (34, 2), (35, 3), (54, 3)],
    "depression-registration": [(0, 0), (1, 0), (8, 0), (9, 0)],
}
LABELS_EN = {
    "phq9": ["Minimal", "Mild", "Moderate", "Moderately severe", "Severe"],
    "gad7": ["Minimal", "Mild", "Moderate", "Severe"],
    "madrs-s": ["Minimal", "Mild", "Moderate", "Severe"],
    "depression-registration": ["—"],
}


@pytest.mark.parametrize(
    ("qid", "total", "band"), [(q, t, b) for q, edges in EDGES.items() for t, b in edges]
)
def test_every_band_edge(
    bundled: dict[str, Questionnaire], qid: str, total: int, band: int
) -> None:
    q = bundled[qid]
    result = score(q, answers_for(q, total))
    assert result.total == total
    assert result.max == q.scoring.max
    assert result.band == q.scoring.bands[band]
    assert result.band_label["en"] == LABELS_EN[qid][band]
    assert set(result.band_label) == {"sv", "en"}


def test_phq9_band_labels_sv(bundled: dict[str, Questionnaire]) -> None:
    q = bundled["phq9"]
    assert score(q, answers_for(q, 15)).band_label["sv"] == "Medelsvåra besvär"
    assert score(q, answers_for(q, 14)).band_label["sv"] == "Måttliga besvär"


def test_phq9_item9_risk_fires_at_1_not_0(bundled: dict[str, Questionnaire]) -> None:
    q = bundled["phq9"]
    assert score(q, answers_for(q, 20, q9=0)).risk_hits == ()
    hit = score(q, answers_for(q, 1, q9=1))
    assert hit.risk_hits == (("q9", 1),) and hit.has_risk
    assert score(q, answers_for(q, 27)).risk_hits == (("q9", 3),)


def test_madrs_s_item9_risk_fires_at_4_not_3(bundled: dict[str, Questionnaire]) -> None:
    q = bundled["madrs-s"]
    assert score(q, answers_for(q, 40, q9=3)).risk_hits == ()
    assert score(q, answers_for(q, 4, q9=4)).risk_hits == (("q9", 4),)
    assert score(q, answers_for(q, 6, q9=6)).risk_hits == (("q9", 6),)


def test_no_risk_items_never_hit(bundled: dict[str, Questionnaire]) -> None:
    for qid in ("gad7", "depression-registration"):
        q = bundled[qid]
        assert score(q, answers_for(q, q.scoring.max)).risk_hits == ()


@pytest.mark.parametrize(("qid", "threshold"), [("phq9", 6), ("gad7", 4)])
def test_reliable_change_at_exactly_the_threshold(
    bundled: dict[str, Questionnaire], qid: str, threshold: int
) -> None:
    q = bundled[qid]
    assert reliable_change(q, 15, 15 - threshold) == "improved"
    assert reliable_change(q, 15, 15 - threshold + 1) == "no_reliable_change"
    assert reliable_change(q, 5, 5 + threshold) == "worsened"
    assert reliable_change(q, 5, 5 + threshold - 1) == "no_reliable_change"
    assert reliable_change(q, 10, 10) == "no_reliable_change"
    assert reliable_change(q, q.scoring.max, 0) == "improved"


def test_reliable_change_none_without_a_value(bundled: dict[str, Questionnaire]) -> None:
    assert reliable_change(bundled["madrs-s"], 40, 10) is None
    assert reliable_change(bundled["depression-registration"], 9, 0) is None


@pytest.mark.parametrize("totals", [(-1, 5), (5, 28), (5, 2.0), (True, 5)])
def test_reliable_change_rejects_impossible_totals(
    bundled: dict[str, Questionnaire], totals: tuple[object, object]
) -> None:
    with pytest.raises(ScoringError, match="phq9"):
        reliable_change(bundled["phq9"], *totals)  # type: ignore[arg-type]


def test_incomplete_answers_are_rejected(bundled: dict[str, Questionnaire]) -> None:
    q = bundled["phq9"]
    answers = answers_for(q, 5)
    del answers["q9"], answers["q3"]
    with pytest.raises(ScoringError, match=r"phq9: no answer for q3, q9"):
        score(q, answers)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"q1": 4}, r"q1: 4 is not one of \[0, 1, 2, 3\]"),
        ({"q1": -1}, r"q1: -1 is not one of"),
        ({"q1": "2"}, r"q1: '2' is not one of"),
        ({"q1": True}, r"q1: True is not one of"),
        ({"q1": 1.0}, r"q1: 1.0 is not one of"),
        ({"q10": 0}, r"unknown item\(s\) q10"),
    ],
)
def test_invalid_answers_are_rejected(
    bundled: dict[str, Questionnaire], change: dict[str, object], message: str
) -> None:
    q = bundled["phq9"]
    answers: dict[str, object] = {**answers_for(q, 0), **change}
    with pytest.raises(ScoringError, match=message):
        score(q, answers)  # type: ignore[arg-type]


def test_madrs_s_in_between_values_count(bundled: dict[str, Questionnaire]) -> None:
    q = bundled["madrs-s"]
    answers = {f"q{n}": 1 for n in range(1, 10)} | {"q1": 5, "q2": 3}
    assert score(q, answers).total == 5 + 3 + 7


def test_subscales_and_inline_answers(demo_dir) -> None:  # type: ignore[no-untyped-def]
    from programs.questionnaire_loader import load_questionnaires

    q = load_questionnaires(demo_dir)["demo"]
    assert q.answer_values("b") == [0, 3]
    result = score(q, {"a": 2, "b": 3})
    assert result.total == 5 and result.band.label["en"] == "High"
    assert result.subscales == {"first": 2, "both": 5}
    assert result.risk_hits == (("b", 3),)
    with pytest.raises(ScoringError, match=r"b: 1 is not one of \[0, 3\]"):
        score(q, {"a": 0, "b": 1})
    assert reliable_change(q, 4, 2) == "improved"
    assert reliable_change(q, 4, 3) == "no_reliable_change"
