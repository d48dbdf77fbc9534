"""The therapist's overview and patient page, pure: ordering, paging, forged actions."""

from datetime import datetime

from bot.i18n import Translator
from dialogues import patient_overview
from dialogues.patient_overview import ModuleChoice, PatientLine, PatientPage, TimelineItem
from tests.harness.catalogue import says

T = Translator("sv")


def line(label, *, red=0, amber=0, unreachable=False, active=None, patient_id=1):
    return PatientLine(
        patient_id=patient_id,
        label=label,
        program="Steg för steg – när livet känns tungt",
        module=1,
        step=1,
        steps=9,
        last_active=active,
        diary_days=0,
        score=None,
        red_flags=red,
        amber_flags=amber,
        paused=False,
        unreachable=unreachable,
    )


def test_attention_order_red_then_unreachable_then_amber_then_longest_inactive():
    lines = [
        line("Aktiv", active=datetime(2026, 12, 5)),
        line("Gul", amber=1, active=datetime(2026, 12, 5)),
        line("Röd", red=1, active=datetime(2026, 12, 5)),
        line("Borta", unreachable=True, active=datetime(2026, 12, 5)),
        line("Tyst", active=datetime(2026, 12, 1)),
        line("Aldrig"),
    ]
    text = patient_overview.overview(lines, "sv", T).replies[0].text
    labels = ("Röd", "Borta", "Gul", "Aldrig", "Tyst", "Aktiv")
    order = [text.index(f"<b>{label}</b>") for label in labels]
    assert order == sorted(order)


def test_the_list_pages_and_has_a_button_per_patient_shown():
    lines = [line(f"P{n:02}", patient_id=n) for n in range(20)]
    first = patient_overview.overview(lines, "sv", T)
    labels = [b.label for r in first.replies[0].buttons for b in r]
    assert len([label for label in labels if label.startswith("P")]) == patient_overview.LIST_PAGE
    assert "▶" in labels and "◀" not in labels
    second = patient_overview.overview(lines, "sv", T, page=1)
    assert "◀" in [b.label for r in second.replies[0].buttons for b in r]


def page(items=25):
    return PatientPage(
        line=line("P1"),
        started=datetime(2026, 12, 1),
        therapist="Anna",
        welcome=None,
        modules=(ModuleChoice(1, "Modul ett", (("a", "Steg A", False), ("b", "Steg B", True))),),
        addons=((8, "Problemlösning", False),),
        timeline=tuple(
            TimelineItem(datetime(2026, 12, 1, 8, n), f"händelse {n}") for n in range(items)
        ),
        language="sv",
    )


def test_timeline_pages_of_ten_newest_first_given():
    outcome, _ = patient_overview.on_button(page(), {}, "timeline:1", T)
    text = outcome.replies[0].text
    assert says(text, "patient.timeline_title", page=2, pages=3)
    assert "händelse 10" in text and "händelse 9" not in text
    labels = [b.label for r in outcome.replies[0].buttons for b in r]
    assert labels[:2] == [T("patient.button.newer"), T("patient.button.older")]


def test_changes_only_for_what_the_page_offers():
    assert patient_overview.on_button(page(), {}, "set:1", T)[1].value == 1
    assert patient_overview.on_button(page(), {}, "set:5", T)[1] is None
    assert patient_overview.on_button(page(), {}, "addon:8", T)[1].kind == "open_addon"
    assert patient_overview.on_button(page(), {}, "addon:3", T)[1] is None
    assert patient_overview.on_button(page(), {}, "toggle:1:b", T)[1].value == (1, "b")
    assert patient_overview.on_button(page(), {}, "toggle:1:zz", T)[1] is None


def test_welcome_text_only_when_asked_for():
    outcome, change = patient_overview.on_text(page(), {}, "Hej", T)
    assert change is None and says(outcome.replies[0].text, "patient.use_buttons")
    _, change = patient_overview.on_text(page(), {"awaiting": "welcome"}, "  Hej  ", T)
    assert (change.kind, change.value) == ("welcome", "Hej")


# ---- sections and the lifecycle (issue 15) -------------------------------------------------


def test_sections_active_unconfirmed_maintenance_ended_in_that_order():
    from dataclasses import replace
    from datetime import date

    lines = [
        replace(
            line("Slut", red=1, patient_id=1), ended_on=date(2026, 12, 3), end_reason="Genomförd"
        ),
        replace(line("Vid", patient_id=2), maintenance_until=date(2027, 1, 12)),
        replace(line("Ny", patient_id=3), confirmed=False),
        line("Igång", patient_id=4),
    ]
    text = patient_overview.overview(lines, "sv", T).replies[0].text
    assert says(text, "patients.title", n=4)
    headings = [
        T("patients.section.active", n=1),
        T("patients.section.unconfirmed", n=1),
        T("patients.section.maintenance", n=1),
        T("patients.section.ended", n=1),
    ]
    order = [text.index(heading) for heading in headings]
    assert order == sorted(order)
    assert text.index("Igång") < order[1] < text.index("<b>Ny</b>") < order[2]
    assert text.index("<b>Vid</b>") < order[3] < text.index("<b>Slut</b>")
    assert "vidmakthållande till 12 jan. 2027" in text
    assert "ej bekräftad" in text
    ended = next(row for row in text.split("\n") if "<b>Slut</b>" in row)
    # An ended patient: when and why, and the open flag; no module, no activity.
    assert "avslutad 3 dec. 2026 · Genomförd" in ended and "1 röd flagga" in ended
    assert "modul" not in ended and "aktiv" not in ended


def test_a_section_heading_counts_the_whole_section_on_every_page():
    lines = [line(f"P{n:02}", patient_id=n) for n in range(20)]
    second = patient_overview.overview(lines, "sv", T, page=1).replies[0].text
    assert T("patients.section.active", n=20) in second


def test_an_ended_patients_page_has_no_treatment_controls_and_refuses_forged_ones():
    from dataclasses import replace
    from datetime import date

    ended = replace(
        page(),
        line=replace(line("P1"), ended_on=date(2026, 12, 3), end_reason="Avbrutit"),
        lifecycle=(
            TimelineItem(datetime(2026, 12, 1, 9, 0), "inskriven (patienten)"),
            TimelineItem(datetime(2026, 12, 3, 9, 0), "avslutad: Avbrutit (Anna)"),
        ),
        controls=False,
    )
    outcome = patient_overview.patient_page(ended, T)
    text = outcome.replies[0].text
    assert T("patient.lifecycle_title") in text
    assert "1 dec. 2026 · inskriven (patienten)" in text
    assert "3 dec. 2026 · avslutad: Avbrutit (Anna)" in text
    assert says(text, "patient.ended_note")
    actions = [b.action for r in outcome.replies[0].buttons for b in r]
    assert actions == ["timeline:0", "list:0"]
    for forged in ("set:1", "addon:8", "toggle:1:b", "modules", "hide:1", "welcome"):
        assert patient_overview.on_button(ended, {}, forged, T)[1] is None
    assert patient_overview.on_text(ended, {"awaiting": "welcome"}, "Hej", T)[1] is None
