"""The bundled questionnaires: valid, with the exact scoring facts."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from programs.questionnaire_loader import check_questionnaires, default_questionnaires_dir
from programs.questionnaire_models import Questionnaire

FOUR_POINT_SV = ["Inte alls", "Flera dagar", "Mer än hälften av dagarna", "Nästan varje dag"]
FOUR_POINT_EN = ["Not at all", "Several days", "More than half the days", "Nearly every day"]
MADRS_HEADINGS = [
    ("Sinnesstämning", "Mood"),
    ("Oroskänslor", "Feelings of unease"),
    ("Sömn", "Sleep"),
    ("Matlust", "Appetite"),
    ("Koncentrationsförmåga", "Ability to concentrate"),
    ("Initiativförmåga", "Initiative"),
    ("Känslomässigt engagemang", "Emotional involvement"),
    ("Pessimism", "Pessimism"),
    ("Livslust", "Zest for life"),
]


def bands(q: Questionnaire) -> list[tuple[int, int]]:
    return [(b.min, b.max) for b in q.scoring.bands]


def test_every_bundled_file_validates() -> None:
    folder = default_questionnaires_dir()
    result = check_questionnaires(folder)
    cwd = Path(os.getcwd())
    assert result.problems == [], "\n" + "\n".join(p.format(cwd) for p in result.problems)
    assert sorted(result.questionnaires) == ["depression-registration", "gad7", "madrs-s", "phq9"]
    assert result.files == len(list(folder.glob("*.yaml")))


def test_bundled_are_our_own_wording(bundled: dict[str, Questionnaire]) -> None:
    for q in bundled.values():
        assert q.wording == "own"
        assert q.languages == ["sv", "en"]


def four_point(q: Questionnaire, item_id: str) -> None:
    options = q.answer_options(item_id)
    assert [o.value for o in options] == [0, 1, 2, 3]
    assert [o.label["sv"] for o in options] == FOUR_POINT_SV
    assert [o.label["en"] for o in options] == FOUR_POINT_EN


def test_phq9(bundled: dict[str, Questionnaire]) -> None:
    q = bundled["phq9"]
    assert q.item_ids() == [f"q{n}" for n in range(1, 10)]
    for item_id in q.item_ids():
        four_point(q, item_id)
    assert q.scoring.max == 27
    assert bands(q) == [(0, 4), (5, 9), (10, 14), (15, 19), (20, 27)]
    assert [b.label["sv"] for b in q.scoring.bands] == [
        "Minimala besvär",
        "Lindriga besvär",
        "Måttliga besvär",
        "Medelsvåra besvär",
        "Svåra besvär",
    ]
    assert q.scoring.reliable_change == 6
    assert [(i.id, i.risk.min_value) for i in q.risk_items() if i.risk] == [("q9", 1)]
    assert "två veckorna" in q.intro["sv"] and "two weeks" in q.intro["en"]


def test_gad7(bundled: dict[str, Questionnaire]) -> None:
    q = bundled["gad7"]
    assert q.item_ids() == [f"q{n}" for n in range(1, 8)]
    for item_id in q.item_ids():
        four_point(q, item_id)
    assert q.scoring.max == 21
    assert bands(q) == [(0, 4), (5, 9), (10, 14), (15, 21)]
    assert q.scoring.reliable_change == 4
    assert q.risk_items() == []


def test_madrs_s(bundled: dict[str, Questionnaire]) -> None:
    q = bundled["madrs-s"]
    assert q.item_ids() == [f"q{n}" for n in range(1, 10)]
    assert [(i.heading["sv"], i.heading["en"]) for i in q.items if i.heading] == MADRS_HEADINGS
    for item in q.items:
        options = q.answer_options(item)
        assert [o.value for o in options] == list(range(7))
        for o in options:
            for lang in ("sv", "en"):
                assert o.label[lang].startswith(f"{o.value} – "), o.label
        assert options[1].label == {"sv": "1 – mellan 0 och 2", "en": "1 – between 0 and 2"}
        assert options[5].label == {"sv": "5 – mellan 4 och 6", "en": "5 – between 4 and 6"}
    assert q.scoring.max == 54
    assert bands(q) == [(0, 12), (13, 19), (20, 34), (35, 54)]
    assert q.scoring.reliable_change is None
    q9 = q.item("q9")
    assert q9.risk is not None and q9.risk.min_value == 4
    assert q9.hidden_from_patient
    assert [i.id for i in q.items if i.hidden_from_patient] == ["q9"]
    assert "tre dagarna" in q.intro["sv"] and "three days" in q.intro["en"]


def test_depression_registration(bundled: dict[str, Questionnaire]) -> None:
    q = bundled["depression-registration"]
    assert q.item_ids() == ["mood", "quality-of-life", "homework"]
    for item_id in q.item_ids():
        four_point(q, item_id)
        assert "senaste veckan" in q.item(item_id).text["sv"]
    assert q.scoring.max == 9
    assert bands(q) == [(0, 9)]
    assert q.scoring.reliable_change is None
    assert q.risk_items() == []


def test_every_label_fits_a_button(bundled: dict[str, Questionnaire]) -> None:
    for q in bundled.values():
        for item in q.items:
            for option in q.answer_options(item):
                assert all(len(text) <= 40 for text in option.label.values()), option


def test_bundled_files_parse_as_plain_yaml() -> None:
    # no YAML 1.1 surprises (yes/no booleans, sexagesimal numbers) in the bundled files
    for path in default_questionnaires_dir().glob("*.yaml"):
        data = yaml.safe_load(path.read_text("utf-8"))
        assert data["id"] == path.stem
