"""The bundled self-help program `plus` (Egen kurs): what it declares and what every module
holds, so a change that drops an exercise kind or turns on questionnaires is seen."""

from __future__ import annotations

import re

import pytest

from programs.loader import load_programs

PROBLEM_AREAS = {1: "Nedstämdhet", 2: "Oro och ångest", 3: "Stress", 4: "Sömn", 5: "Alkohol"}


@pytest.fixture(scope="module")
def plus():
    return load_programs()["plus"]


def test_plus_is_self_help_paced_by_staff_without_questionnaires_or_diary(plus) -> None:
    meta = plus.meta
    assert meta.self_help and meta.module_opening == "therapist"
    assert meta.measures == [] and meta.diary is None
    assert [schedule.kind for schedule in meta.schedules] == ["module"]
    assert meta.title == {
        "sv": "Egen kurs – självhjälp för psykisk hälsa",
        "en": "Own Course – self-help for mental health",
    }


@pytest.mark.parametrize("number", sorted(PROBLEM_AREAS))
def test_every_module_maps_plans_and_reflects_in_both_languages(plus, number) -> None:
    assert plus.module(number, "sv").title.startswith(PROBLEM_AREAS[number])
    for language in ("sv", "en"):
        module = plus.module(number, language)
        kinds = {step.exercise.kind for step in module.steps if step.exercise}
        assert module.is_complete and module.summary and module.reflection
        assert {"free_text", "plan_activity"} <= kinds  # mapping questions, a planned change
        assert 6 <= len(module.steps) <= 9


def test_no_licensed_name_in_what_people_see(plus) -> None:
    for language in ("sv", "en"):
        shown = [plus.title(language)]
        for module in plus.modules(language):
            shown += [module.title, module.intro or "", module.summary or ""]
            shown += [step.title + (step.text or "") for step in module.steps]
        assert not re.search(r"\bPLUS\b|Depressionshjälpen", "\n".join(shown))
