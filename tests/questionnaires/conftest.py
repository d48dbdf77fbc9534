from __future__ import annotations

from pathlib import Path

import pytest

from programs.questionnaire_loader import load_questionnaires
from programs.questionnaire_models import Questionnaire

#: A small valid questionnaire using every feature of the format (named and inline answers,
#: heading, risk, hidden item, subscales, reliable change).
DEMO = """\
id: demo
wording: own
title: {sv: Demo, en: Demo}
intro: {sv: Senaste veckan., en: The past week.}
answer_sets:
  often:
    - {value: 0, label: {sv: Aldrig, en: Never}}
    - {value: 1, label: {sv: Ibland, en: Sometimes}}
    - {value: 2, label: {sv: Ofta, en: Often}}
items:
  - id: a
    text: {sv: Fråga a, en: Question a}
    answers: often
  - id: b
    heading: {sv: Rubrik, en: Heading}
    text: {sv: Fråga b, en: Question b}
    answers:
      - {value: 0, label: {sv: Nej, en: No}}
      - {value: 3, label: {sv: Ja, en: Yes}}
    risk: {min_value: 3}
    hidden_from_patient: true
scoring:
  max: 5
  bands:
    - {min: 0, max: 1, label: {sv: Låg, en: Low}}
    - {min: 2, max: 5, label: {sv: Hög, en: High}}
  reliable_change: 2
  subscales:
    first: [a]
    both: [a, b]
"""


@pytest.fixture(scope="session")
def bundled() -> dict[str, Questionnaire]:
    return load_questionnaires()


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    (folder / "demo.yaml").write_text(DEMO, encoding="utf-8")
    return folder
