"""Every validation rule: a broken copy of the demo questionnaire, asserting FILE:LINE: message."""

from __future__ import annotations

from pathlib import Path

import pytest

from programs.questionnaire_loader import (
    QuestionnaireError,
    check_questionnaires,
    load_questionnaires,
)

from ..programs.helpers import edit, line_of

FILE = "demo.yaml"


def problems(folder: Path) -> list[str]:
    return [p.format(folder) for p in check_questionnaires(folder).problems]


def only_problem(folder: Path) -> str:
    found = problems(folder)
    assert len(found) == 1, found
    return found[0]


def demo(folder: Path) -> Path:
    return folder / FILE


def test_demo_is_valid(demo_dir: Path) -> None:
    result = check_questionnaires(demo_dir)
    assert result.problems == [] and list(result.questionnaires) == ["demo"]


def test_id_must_equal_file_name(demo_dir: Path) -> None:
    demo(demo_dir).rename(demo_dir / "other.yaml")
    assert only_problem(demo_dir) == "other.yaml:1: id 'demo' must equal the file name 'other'"


def test_unknown_key(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "    hidden_from_patient: true\n", "    hiden_from_patient: true\n")
    line = line_of(path, "hiden_from_patient")
    assert only_problem(demo_dir) == f"{FILE}:{line}: unknown key 'hiden_from_patient'"


def test_wording_is_own_or_licensed(demo_dir: Path) -> None:
    edit(demo(demo_dir), "wording: own", "wording: ours")
    assert only_problem(demo_dir).startswith(f"{FILE}:2: wording: Input should be 'own' or")


def test_missing_language_in_an_item_text(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "text: {sv: Fråga b, en: Question b}", "text: {sv: Fråga b}")
    line = line_of(path, "text: {sv: Fråga b}")
    assert (
        only_problem(demo_dir) == f"{FILE}:{line}: items[1].text: no 'en' text (languages: sv, en)"
    )


def test_missing_language_in_an_answer_label(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "{sv: Ibland, en: Sometimes}", "{sv: Ibland}")
    line = line_of(path, "Ibland")
    assert (
        only_problem(demo_dir)
        == f"{FILE}:{line}: answer_sets.often[1].label: no 'en' text (languages: sv, en)"
    )


def test_missing_language_in_an_inline_answer_and_band(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "{sv: Ja, en: Yes}", "{en: Yes}")
    edit(path, "{sv: Hög, en: High}", "{sv: Hög}")
    assert problems(demo_dir) == [
        f"{FILE}:{line_of(path, 'en: Yes')}: items[1].answers[1].label: "
        "no 'sv' text (languages: sv, en)",
        f"{FILE}:{line_of(path, 'Hög')}: scoring.bands[1].label: no 'en' text (languages: sv, en)",
    ]


def test_a_language_not_listed(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "title: {sv: Demo, en: Demo}", "title: {sv: Demo, en: Demo, de: Demo}")
    assert only_problem(demo_dir) == f"{FILE}:3: title.de: language 'de' is not in languages"


def test_languages_can_be_narrowed(demo_dir: Path) -> None:
    """A licensed file may come in Swedish only: ``languages: [sv]``, en texts then error."""
    path = demo(demo_dir)
    edit(path, "wording: own\n", "wording: licensed\nlanguages: [sv]\n")
    found = problems(demo_dir)
    assert found and all("language 'en' is not in languages" in p for p in found)


def test_duplicate_item_id(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "  - id: b\n", "  - id: a\n")
    line = line_of(path, "- id: a", nth=2)
    found = problems(demo_dir)
    assert f"{FILE}:{line}: items[1].id: duplicate item id 'a'" in found


def test_answer_values_strictly_ascending_in_a_set(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "{value: 2, label: {sv: Ofta", "{value: 1, label: {sv: Ofta")
    edit(path, "max: 5\n", "max: 4\n")
    edit(path, "{min: 2, max: 5,", "{min: 2, max: 4,")
    line = line_of(path, "Ofta")
    assert only_problem(demo_dir) == (
        f"{FILE}:{line}: answer_sets.often[2].value: "
        "answer values must be strictly ascending: 1 comes after 1"
    )


def test_answer_values_strictly_ascending_inline(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "{value: 0, label: {sv: Nej", "{value: 4, label: {sv: Nej")
    edit(path, "max: 5\n", "max: 6\n")
    edit(path, "{min: 2, max: 5,", "{min: 2, max: 6,")
    line = line_of(path, "Ja, en: Yes")
    assert only_problem(demo_dir) == (
        f"{FILE}:{line}: items[1].answers[1].value: "
        "answer values must be strictly ascending: 3 comes after 4"
    )


@pytest.mark.parametrize("bad", ["1.5", '"1"', "true", "-1"])
def test_answer_values_are_non_negative_integers(demo_dir: Path, bad: str) -> None:
    path = demo(demo_dir)
    edit(path, "{value: 1, label: {sv: Ibland", f"{{value: {bad}, label: {{sv: Ibland")
    line = line_of(path, "Ibland")
    found = problems(demo_dir)
    assert len(found) == 1 and found[0].startswith(f"{FILE}:{line}: answer_sets.often[1].value: ")


def test_inline_answer_error_has_a_clean_location(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "{value: 3, label: {sv: Ja, en: Yes}}", "{value: 3, label: {sv: Ja, en: Yes}, x: 1}")
    line = line_of(path, "x: 1")
    assert only_problem(demo_dir) == f"{FILE}:{line}: unknown key 'x'"


def test_unknown_answer_set(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "    answers: often\n", "    answers: oftne\n")
    line = line_of(path, "answers: oftne")
    assert only_problem(demo_dir) == (
        f"{FILE}:{line}: items[0].answers: no answer set 'oftne' (answer_sets: often)"
    )


def test_max_equals_sum_of_highest_values(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "max: 5\n", "max: 6\n")
    edit(path, "{min: 2, max: 5,", "{min: 2, max: 6,")
    line = line_of(path, "  max: 6")
    assert only_problem(demo_dir) == (
        f"{FILE}:{line}: scoring.max: max is 6 but the items' highest values add up to 5"
    )


def test_bands_gap(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "{min: 2, max: 5,", "{min: 3, max: 5,")
    line = line_of(path, "{min: 3, max: 5")
    assert only_problem(demo_dir) == (
        f"{FILE}:{line}: scoring.bands[1].min: band min is 3 but the previous band ends at 1: "
        "a gap (bands must be contiguous)"
    )


def test_bands_overlap(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "{min: 2, max: 5,", "{min: 1, max: 5,")
    line = line_of(path, "{min: 1, max: 5")
    assert only_problem(demo_dir) == (
        f"{FILE}:{line}: scoring.bands[1].min: band min is 1 but the previous band ends at 1: "
        "an overlap (bands must be contiguous)"
    )


def test_bands_start_at_0(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "{min: 0, max: 1,", "{min: 1, max: 1,")
    line = line_of(path, "{min: 1, max: 1")
    assert only_problem(demo_dir) == (
        f"{FILE}:{line}: scoring.bands[0].min: the first band starts at 1, not at 0"
    )


def test_bands_end_at_max(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "{min: 2, max: 5,", "{min: 2, max: 4,")
    line = line_of(path, "{min: 2, max: 4")
    assert only_problem(demo_dir) == (
        f"{FILE}:{line}: scoring.bands[1].max: the last band ends at 4 but scoring.max is 5"
    )


def test_band_max_below_min(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "{min: 0, max: 1,", "{min: 0, max: -1,")
    line = line_of(path, "max: -1")
    found = problems(demo_dir)
    assert f"{FILE}:{line}: scoring.bands[0].max: band max -1 is below its min 0" in found


def test_risk_min_value_is_an_answer_value(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "risk: {min_value: 3}", "risk: {min_value: 2}")
    line = line_of(path, "risk:")
    assert only_problem(demo_dir) == (
        f"{FILE}:{line}: items[1].risk.min_value: 2 is not one of item 'b''s answer values [0, 3]"
    )


def test_button_label_at_most_40_characters(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "en: Sometimes}", "en: " + "s" * 41 + "}")
    line = line_of(path, "s" * 41)
    assert only_problem(demo_dir) == (
        f"{FILE}:{line}: answer_sets.often[1].label.en: "
        "String should have at most 40 characters (has 41)"
    )


def test_button_label_of_40_characters_is_fine(demo_dir: Path) -> None:
    edit(demo(demo_dir), "en: Sometimes}", "en: " + "s" * 40 + "}")
    assert problems(demo_dir) == []


def test_subscale_items_exist(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "both: [a, b]", "both: [a, c]")
    line = line_of(path, "both: [a, c]")
    assert (
        only_problem(demo_dir)
        == f"{FILE}:{line}: scoring.subscales.both[1]: subscale 'both': no item 'c'"
    )


def test_reliable_change_is_positive(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "reliable_change: 2", "reliable_change: 0")
    line = line_of(path, "reliable_change")
    assert only_problem(demo_dir).startswith(f"{FILE}:{line}: scoring.reliable_change: ")


def test_duplicate_key(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "wording: own\n", "wording: own\nwording: own\n")
    assert only_problem(demo_dir) == f"{FILE}:3: duplicate key 'wording'"


def test_yaml_syntax_error(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "title: {sv: Demo, en: Demo}", "title: {sv: Demo, en: Demo")
    found = only_problem(demo_dir)
    assert found.startswith(f"{FILE}:") and "YAML syntax error" in found


def test_yml_suffix_is_reported(demo_dir: Path) -> None:
    demo(demo_dir).rename(demo_dir / "demo.yml")
    assert only_problem(demo_dir) == "demo.yml:1: name questionnaire files <id>.yaml, not .yml"


def test_load_raises_listing_every_problem(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "both: [a, b]", "both: [a, c]")
    edit(path, "risk: {min_value: 3}", "risk: {min_value: 2}")
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaires(demo_dir)
    assert len(caught.value.problems) == 2
    message = str(caught.value)
    assert message.startswith("2 problem(s) in questionnaires:")
    assert f"{path}:{line_of(path, 'risk:')}: " in message
    assert f"{path}:{line_of(path, 'both: [a, c]')}: " in message


def test_subscale_item_listed_twice(demo_dir: Path) -> None:
    path = demo(demo_dir)
    edit(path, "both: [a, b]", "both: [a, a]")
    line = line_of(path, "both: [a, a]")
    assert only_problem(demo_dir) == (
        f"{FILE}:{line}: scoring.subscales.both[1]: subscale 'both': item 'a' is listed twice"
    )


def test_language_listed_twice(demo_dir: Path) -> None:
    edit(demo(demo_dir), "wording: own\n", "wording: own\nlanguages: [sv, en, sv]\n")
    assert only_problem(demo_dir) == f"{FILE}:3: languages[2]: language 'sv' is listed twice"
