"""Every validator rule: a broken copy of the valid fixture, asserting FILE:LINE: message."""

from __future__ import annotations

import shutil
from pathlib import Path

from programs.loader import check_programs

from .helpers import edit, line_of, only_problem, problems

SV1 = "demo/sv/module-1.yaml"
EN1 = "demo/en/module-1.yaml"


def sv1(root: Path) -> Path:
    return root / SV1


def en1(root: Path) -> Path:
    return root / EN1


# ------------------------------------------------------------------ per file: shapes


def test_unknown_key_is_an_error(root: Path) -> None:
    path = sv1(root)
    edit(path, "    text: Välj när du vill arbeta.\n", "    txet: Välj när du vill arbeta.\n")
    found = problems(root)
    line = line_of(path, "txet:")
    assert f"{SV1}:{line}: unknown key 'txet'" in "\n".join(found)


def test_unknown_key_in_program_yaml(root: Path) -> None:
    path = root / "demo" / "program.yaml"
    edit(path, "modules: 2\n", "modules: 2\nlanguage: sv\n")
    assert only_problem(root).startswith(f"demo/program.yaml:{line_of(path, 'language:')}: ")
    assert "unknown key 'language'" in only_problem(root)


def test_missing_key_reports_parent_item_line(root: Path) -> None:
    path = sv1(root)
    edit(path, '    title: "Övning: Dina mål"\n', "")
    line = line_of(path, "- id: goals")
    assert only_problem(root) == f"{SV1}:{line}: missing key 'title' in steps[1]"


def test_missing_top_level_key(root: Path) -> None:
    path = root / "demo" / "sv" / "module-2.yaml"
    edit(path, "status: outline\n", "")
    assert only_problem(root) == "demo/sv/module-2.yaml:1: missing key 'status'"


def test_step_id_pattern(root: Path) -> None:
    path = sv1(root)
    edit(path, "- id: goals", "- id: Goals")
    edit(en1(root), "- id: goals", "- id: Goals")
    found = problems(root)
    line = line_of(path, "- id: Goals")
    assert f"{SV1}:{line}: steps[1].id: 'Goals' should match ^[a-z0-9-]+$" in found
    assert len(found) == 2  # the same in en


def test_duplicate_step_ids(root: Path) -> None:
    for path in (sv1(root), en1(root)):
        edit(path, "- id: pace", "- id: goals")
    found = problems(root)
    assert (
        f"{SV1}:{line_of(sv1(root), '- id: goals', 2)}: steps[2].id: duplicate step id 'goals'"
        in found
    )


def test_too_few_options(root: Path) -> None:
    path = sv1(root)
    edit(path, "        - id: evening\n          label: På kvällen\n", "")
    edit(path, "        - id: no\n          label: Vet inte\n", "")
    found = [p for p in problems(root) if p.startswith(SV1)]
    line = line_of(path, "options:")
    assert found == [
        f"{SV1}:{line}: steps[2].exercise.options: List should have at least 2 items "
        "after validation, not 1"
    ]


def test_too_many_options(root: Path) -> None:
    path = sv1(root)
    extra = "".join(f"        - id: opt-{i}\n          label: Val {i}\n" for i in range(6))
    edit(path, "        - id: no\n", extra + "        - id: no\n")
    found = [p for p in problems(root) if p.startswith(SV1)]
    assert len(found) == 1
    assert found[0].startswith(f"{SV1}:{line_of(path, 'options:')}: steps[2].exercise.options:")
    assert "at most 8 items" in found[0]


def test_duplicate_option_ids(root: Path) -> None:
    path = sv1(root)
    edit(path, "- id: evening", "- id: morning")
    found = problems(root)
    line = line_of(path, "- id: morning", 2)
    assert f"{SV1}:{line}: steps[2].exercise.options[1].id: duplicate option id 'morning'" in found


def test_label_at_most_40_characters(root: Path) -> None:
    path = sv1(root)
    edit(path, "label: På kvällen", "label: " + "x" * 41)
    line = line_of(path, "x" * 41)
    assert only_problem(root) == (
        f"{SV1}:{line}: steps[2].exercise.options[1].label: "
        "String should have at most 40 characters (has 41)"
    )


def test_label_of_40_characters_is_fine(root: Path) -> None:
    edit(sv1(root), "label: På kvällen", "label: " + "x" * 40)
    assert problems(root) == []


def test_text_at_most_3000_characters(root: Path) -> None:
    path = sv1(root)
    edit(path, "    text: Välj när du vill arbeta.", "    text: " + "a" * 3001)
    line = line_of(path, "a" * 3001)
    assert only_problem(root) == (
        f"{SV1}:{line}: steps[2].text: String should have at most 3000 characters (has 3001)"
    )


def test_complete_module_needs_summary(root: Path) -> None:
    path = sv1(root)
    edit(path, "summary: |\n  Bra jobbat med modul 1.\n", "")
    assert only_problem(root) == f"{SV1}:1: a complete module needs a summary"


def test_complete_module_steps_need_text(root: Path) -> None:
    path = sv1(root)
    edit(path, "    text: Välj när du vill arbeta.\n", "")
    line = line_of(path, "- id: pace")
    assert only_problem(root) == (
        f"{SV1}:{line}: steps[2]: step 'pace' needs text (the module is complete)"
    )


def test_outline_module_needs_only_id_and_title(root: Path) -> None:
    for lang in ("sv", "en"):
        path = root / "demo" / lang / "module-1.yaml"
        path.write_text(
            "number: 1\ntitle: T\nstatus: outline\nsteps:\n"
            "  - id: welcome\n    title: W\n  - id: goals\n    title: G\n",
            encoding="utf-8",
        )
    assert problems(root) == []
    edit(path, "status: outline", "status: complete")
    edit(root / "demo" / "sv" / "module-1.yaml", "status: outline", "status: complete")
    found = problems(root)
    assert f"{EN1}:1: a complete module needs a summary" in found
    assert f"{EN1}:5: steps[0]: step 'welcome' needs text (the module is complete)" in found
    assert f"{EN1}:7: steps[1]: step 'goals' needs text (the module is complete)" in found


def test_media_needs_text_version(root: Path) -> None:
    path = sv1(root)
    edit(path, "      text_version: |\n        Hej, jag heter Anna och är behandlare.\n", "")
    line = line_of(path, "media:")
    assert only_problem(root) == f"{SV1}:{line}: missing key 'text_version' in steps[0].media"


def test_media_kind(root: Path) -> None:
    path = sv1(root)
    edit(path, "kind: video", "kind: film")
    line = line_of(path, "kind: film")
    msg = only_problem(root)
    assert msg.startswith(f"{SV1}:{line}: steps[0].media.kind: Input should be 'video' or 'audio'")


def test_exercise_kind_must_be_known(root: Path) -> None:
    path = sv1(root)
    edit(path, "kind: free_text", "kind: freetext")
    line = line_of(path, "exercise:")
    msg = only_problem(root)
    assert msg.startswith(f"{SV1}:{line}: steps[1].exercise: ")
    assert "'freetext'" in msg


def test_error_inside_discriminated_exercise_maps_to_line(root: Path) -> None:
    path = sv1(root)
    edit(path, "      prompt: När på dagen passar det dig bäst?\n", "")
    line = line_of(path, "kind: choice") - 1  # the `exercise:` key
    assert only_problem(root) == f"{SV1}:{line}: missing key 'prompt' in steps[2].exercise"
    path2 = en1(root)
    edit(
        path2,
        "          label: In the evening\n",
        "          label: In the evening\n          lable: x\n",
    )
    assert f"{EN1}:{line_of(path2, 'lable:')}: unknown key 'lable'" in "\n".join(problems(root))


def test_wrong_type(root: Path) -> None:
    path = root / "demo" / "program.yaml"
    edit(path, "modules: 2", "modules: two")
    msg = only_problem(root)
    assert msg.startswith(f"demo/program.yaml:{line_of(path, 'modules:')}: modules: ")


def test_module_opening_defaults_to_the_therapist(root: Path) -> None:
    assert check_programs(root).programs["demo"].meta.module_opening == "therapist"
    edit(root / "demo" / "program.yaml", "modules: 2\n", "modules: 2\nmodule_opening: weekly\n")
    assert check_programs(root).programs["demo"].meta.module_opening == "weekly"


def test_module_opening_takes_only_therapist_or_weekly(root: Path) -> None:
    path = root / "demo" / "program.yaml"
    edit(path, "modules: 2\n", "modules: 2\nmodule_opening: never\n")
    msg = only_problem(root)
    assert msg.startswith(f"demo/program.yaml:{line_of(path, 'module_opening:')}: module_opening: ")
    assert "'therapist'" in msg and "'weekly'" in msg


def test_duplicate_yaml_key(root: Path) -> None:
    path = sv1(root)
    edit(path, "title: Välkommen\n", "title: Välkommen\ntitle: Igen\n")
    assert only_problem(root) == f"{SV1}:{line_of(path, 'title: Igen')}: duplicate key 'title'"


def test_yaml_syntax_error_has_line(root: Path) -> None:
    path = sv1(root)
    edit(path, "    title: Din takt\n", "    title: [Din takt\n")
    msg = only_problem(root)
    assert msg.startswith(f"{SV1}:")
    assert "YAML syntax error" in msg
    line = int(msg.split(":")[1])
    assert line >= line_of(path, "[Din takt")


def test_empty_file(root: Path) -> None:
    (root / "demo" / "sv" / "module-2.yaml").write_text("# nothing\n", encoding="utf-8")
    assert only_problem(root) == "demo/sv/module-2.yaml:1: file is empty"


# ------------------------------------------------------------------ cross-file rules


def test_id_equals_folder_name(root: Path) -> None:
    shutil.move(root / "demo", root / "demo2")
    assert only_problem(root) == (
        "demo2/program.yaml:1: id 'demo' must equal the folder name 'demo2'"
    )


def test_title_needs_every_language(root: Path) -> None:
    edit(root / "demo" / "program.yaml", "  en: Demo Program\n", "")
    assert only_problem(root) == "demo/program.yaml:3: title: title has no 'en' entry"


def test_every_language_has_every_module_file(root: Path) -> None:
    (root / "demo" / "en" / "module-2.yaml").unlink()
    path = root / "demo" / "program.yaml"
    assert only_problem(root) == (
        f"demo/program.yaml:{line_of(path, 'languages:')}: en/module-2.yaml is missing "
        "(modules: 2, languages include 'en')"
    )


def test_more_modules_declared_than_files(root: Path) -> None:
    edit(root / "demo" / "program.yaml", "modules: 2", "modules: 3")
    found = problems(root)
    assert [p.split(": ", 1)[1] for p in found] == [
        "en/module-3.yaml is missing (modules: 3, languages include 'en')",
        "sv/module-3.yaml is missing (modules: 3, languages include 'sv')",
    ]


def test_unexpected_module_file(root: Path) -> None:
    shutil.copy(root / "demo" / "sv" / "module-2.yaml", root / "demo" / "sv" / "module-3.yaml")
    msg = only_problem(root)
    assert msg.startswith("demo/sv/module-3.yaml:1: unexpected file")


def test_unlisted_language_folder(root: Path) -> None:
    shutil.copytree(root / "demo" / "en", root / "demo" / "de")
    msg = only_problem(root)
    assert msg.startswith("demo/program.yaml:2: folder 'de' has YAML files")


def test_number_equals_file_name(root: Path) -> None:
    path = root / "demo" / "en" / "module-2.yaml"
    edit(path, "number: 2", "number: 3")
    assert only_problem(root) == (
        "demo/en/module-2.yaml:1: number is 3 but the file is module-2.yaml"
    )


def test_same_status_across_languages(root: Path) -> None:
    path = root / "demo" / "en" / "module-2.yaml"
    edit(path, "status: outline", "status: complete\nsummary: Done.")
    for i, step in ((1, "Activities"), (2, "Plan the week")):
        edit(path, f"    title: {step}\n", f"    title: {step}\n    text: T{i}\n")
    assert only_problem(root) == (
        f"demo/en/module-2.yaml:{line_of(path, 'status:')}: status is 'complete' but "
        "sv/module-2.yaml has 'outline' (line 3)"
    )


def test_same_step_ids_across_languages(root: Path) -> None:
    path = en1(root)
    edit(path, "- id: goals", "- id: aims")
    found = problems(root)
    assert found == [
        f"{EN1}:{line_of(path, 'steps:')}: step 'goals' of sv/module-1.yaml (line 19) is missing",
        f"{EN1}:{line_of(path, '- id: aims')}: step 'aims' is not in sv/module-1.yaml",
    ]


def test_same_step_order_across_languages(root: Path) -> None:
    path = root / "demo" / "en" / "module-2.yaml"
    edit(path, "  - id: activities\n    title: Activities\n", "")
    edit(
        path,
        "    title: Plan the week\n",
        "    title: Plan the week\n  - id: activities\n    title: Activities\n",
    )
    assert only_problem(root) == (
        f"demo/en/module-2.yaml:{line_of(path, '- id: plan')}: steps are in a different order "
        "than in sv/module-2.yaml: expected 'activities' here, found 'plan'"
    )


def test_same_exercise_kind_across_languages(root: Path) -> None:
    path = en1(root)
    edit(path, "      kind: free_text\n      prompt: Write down one to three goals.\n", "")
    edit(
        path,
        "    text: |\n      Think about what you want to achieve.\n    exercise:\n",
        "    text: |\n      Think about what you want to achieve.\n",
    )
    line = line_of(path, "- id: goals")
    assert only_problem(root) == (
        f"{EN1}:{line}: step 'goals': exercise kind is none but sv/module-1.yaml has 'free_text'"
    )


def test_same_option_ids_across_languages(root: Path) -> None:
    path = en1(root)
    edit(path, "- id: evening", "- id: night")
    assert only_problem(root) == (
        f"{EN1}:{line_of(path, 'options:')}: step 'pace': option ids ['night', 'morning', 'no'] "
        "differ from ['morning', 'evening', 'no'] in sv/module-1.yaml"
    )


def test_option_order_may_differ_across_languages(root: Path) -> None:
    # the fixture lists evening/morning in en and morning/evening in sv
    assert problems(root) == []


def test_media_on_same_steps_across_languages(root: Path) -> None:
    path = en1(root)
    edit(path, "    media:\n      kind: video\n", "    media:\n      kind: audio\n")
    assert problems(root) == []  # only presence must match
    text = path.read_text(encoding="utf-8")
    start = text.index("    media:\n")
    end = text.index("  - id: goals")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert only_problem(root) == (
        f"{EN1}:{line_of(path, '- id: welcome')}: step 'welcome' has no media but has in "
        "sv/module-1.yaml"
    )


def test_file_must_be_a_mapping(root: Path) -> None:
    (root / "demo" / "sv" / "module-2.yaml").write_text("- a\n- b\n", encoding="utf-8")
    assert only_problem(root) == (
        "demo/sv/module-2.yaml:1: the file should be a mapping (key: value lines)"
    )


def test_nested_value_must_be_a_mapping(root: Path) -> None:
    path = sv1(root)
    edit(
        path,
        "    media:\n      kind: video\n",
        "    media: film\n    x-media:\n      kind: video\n",
    )
    found = problems(root)
    assert (
        f"{SV1}:{line_of(path, 'media: film')}: steps[0].media: should be a mapping "
        "(key: value lines)" in found
    )
