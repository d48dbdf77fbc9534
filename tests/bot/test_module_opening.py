"""Therapist-paced modules through real turns and a real database: nothing opens by itself
(the default), Öppna nästa modul and Stanna en vecka till under the feedback prompt, `/open`
with and without a module (add-ons included, named "Tillägg: …"), stale and forged presses,
and a unit that chooses weekly opening."""

from datetime import timedelta

from bot.router import button
from dialogues.types import Incoming
from storage import units
from storage.database import run_in_transaction
from tests.bot.commands import command, module_command, patient_command
from tests.bot.staff_helpers import bind
from tests.bot.test_enrollment_turns import enrolled
from tests.bot.test_messages_turns import finish_module_1, other_unit_therapist
from tests.harness.catalogue import says, sv

open_command = command("open")


def _title(chat, number, language="sv"):
    return chat.world.programs["depression"].module(number, language).title


def _current_module(chat):
    return chat.conn.execute("SELECT current_module FROM enrollments").fetchone()[0]


def _audit(chat):
    return [row[0] for row in chat.conn.execute("SELECT action FROM audit_log ORDER BY id")]


def _press_data(chat, user, data):
    result, _ = chat.turn(button, user, Incoming(kind="button"), data=data)
    return result.toast


def test_the_patient_is_told_the_therapist_opens_the_next_module(chat, therapist):
    patient = enrolled(chat, therapist)
    finish_module_1(chat, patient)
    finished = next(t for t in chat.texts(patient) if "Du har gått igenom modul 1" in t)
    assert says(finished, "module.next_by_therapist")
    assert "vecka" not in finished.split("\n")[-1]  # no timer implied
    chat.clock.advance(timedelta(days=14))
    chat.command(module_command, patient, "module")
    assert _current_module(chat) == 1  # no timer: the therapist decides
    assert says(chat.last_text(patient), "module.already_finished", number=1, title=_title(chat, 1))
    assert says(chat.last_text(patient), "module.next_by_therapist")


def test_open_next_module_from_the_feedback_prompt(chat, therapist):
    patient = enrolled(chat, therapist)
    finish_module_1(chat, patient)
    chat.press(therapist, "Öppna nästa modul")
    assert _current_module(chat) == 2
    assert says(chat.last_text(therapist), "pacing.module_opened", label="P1", module=2)
    assert says(chat.last_text(patient), "patient.told_module", module=2, title=_title(chat, 2))
    assert "module_set_current" in _audit(chat)
    # The same button again (or a colleague's copy) does not open module 3.
    result, _ = chat.press(therapist, "Öppna nästa modul")
    assert _current_module(chat) == 2
    assert result.toast == sv("pacing.refused.moved_on")


def test_stay_another_week_delivers_the_feedback_at_once(chat, therapist):
    patient = enrolled(chat, therapist)
    finish_module_1(chat, patient)
    chat.press(therapist, "Ge återkoppling")
    chat.text(therapist, "Ta en vecka till med målen.")
    assert not any("Ta en vecka till" in text for text in chat.texts(patient))
    chat.press(therapist, "Stanna en vecka till")
    assert _current_module(chat) == 1
    assert says(chat.last_text(therapist), "pacing.stayed", label="P1", module=1)
    texts = chat.texts(patient)
    feedback = next(i for i, text in enumerate(texts) if "Ta en vecka till med målen" in text)
    assert says(texts[feedback + 1], "pacing.told_stay", module=1, title=_title(chat, 1))
    assert "module_stay" in _audit(chat)
    # Feedback written after staying goes at once.
    chat.press(therapist, "Ge återkoppling")
    assert says(chat.last_text(therapist), "staff_messages.feedback_at_once", label="P1")
    chat.text(therapist, "Och en sak till.")
    assert "Och en sak till." in chat.last_text(patient)
    # Later the therapist opens module 2 after all.
    chat.press(therapist, "Öppna nästa modul")
    assert _current_module(chat) == 2


def test_open_lists_the_modules_with_add_ons_by_title(chat, therapist):
    patient = enrolled(chat, therapist)
    chat.command(open_command, therapist, "open", "P1")
    listing = chat.last_text(therapist)
    assert says(listing, "pacing.choose", label="P1")
    assert f"✓ Modul 1: {_title(chat, 1)}" in listing
    assert f"Tillägg: {_title(chat, 8)}" in listing and "Modul 8" not in listing
    chat.press(therapist, f"Modul 3: {_title(chat, 3)}")
    assert _current_module(chat) == 3
    assert says(chat.last_text(patient), "patient.told_module", module=3, title=_title(chat, 3))
    chat.press(therapist, f"Tillägg: {_title(chat, 8)}")
    assert says(
        chat.last_text(therapist), "pacing.addon_opened", label="P1", name="Tillägg: Problemlösning"
    )
    assert "Tillägg: Problemlösning" in chat.last_text(patient)
    chat.press(patient, "Öppna tilläggsmodulen")
    assert "<b>Tillägg: Problemlösning</b>" in chat.last_text(patient)
    assert "Modul 8" not in chat.last_text(patient)
    assert _audit(chat).count("patient_viewed") == 1  # the listing
    assert "module_set_current" in _audit(chat) and "addon_opened" in _audit(chat)


def test_open_with_a_number(chat, therapist):
    patient = enrolled(chat, therapist)
    chat.command(open_command, therapist, "open", "P1", "2")
    assert says(chat.last_text(therapist), "pacing.module_opened", label="P1", module=2)
    chat.press(patient, "Börja modul 2")
    assert _current_module(chat) == 2
    chat.command(open_command, therapist, "open", "P1", "2")
    assert says(chat.last_text(therapist), "pacing.module_already", label="P1", module=2)
    chat.command(open_command, therapist, "open", "P1", "8")
    assert "Tillägg: Problemlösning" in chat.last_text(therapist)
    chat.command(open_command, therapist, "open", "P1", "8")
    assert says(
        chat.last_text(therapist),
        "pacing.addon_already",
        label="P1",
        name="Tillägg: Problemlösning",
    )
    chat.command(open_command, therapist, "open", "P1", "9")
    assert says(chat.last_text(therapist), "pacing.no_such_module", label="P1")
    chat.command(open_command, therapist, "open", "P1", "två")
    assert says(chat.last_text(therapist), "pacing.usage")
    chat.command(open_command, therapist, "open")
    assert says(chat.last_text(therapist), "pacing.usage")
    chat.command(open_command, therapist, "open", "P9", "2")
    assert says(chat.last_text(therapist), "staff.no_such_patient")


def test_open_is_not_for_patients_nor_other_units(chat, therapist):
    patient = enrolled(chat, therapist)
    chat.command(open_command, patient, "open", "P1", "3")
    assert _current_module(chat) == 1
    assert any(says(text, "input.unknown_command") for text in chat.texts(patient)[-3:])
    stranger = other_unit_therapist(chat)
    chat.command(open_command, stranger, "open", "P1", "3")
    assert says(chat.last_text(stranger), "staff.no_such_patient")
    # Forged presses: a colleague without access, the patient, nonsense.
    for user, data, reason in (
        (stranger, "-|pace:open:1:3", "not_yours"),
        (stranger, "-|pace:next:1:1", "not_yours"),
        (patient, "-|pace:stay:1:1", "not_yours"),
        (therapist, "-|pace:open:1:x", "unknown"),
        (therapist, "-|pace:jump:1:3", "unknown"),
        (therapist, "-|pace:open:99:3", "unknown"),
        (therapist, "-|pace:next:1:7", "moved_on"),  # not the current module
    ):
        assert _press_data(chat, user, data) == sv(f"pacing.refused.{reason}")
        assert _current_module(chat) == 1
    assert "module_stay" not in _audit(chat)


def test_the_patient_page_names_add_ons_by_title(chat, therapist):
    enrolled(chat, therapist)
    chat.command(open_command, therapist, "open", "P1", "8")
    chat.command(patient_command, therapist, "patient", "P1")
    page = chat.last_text(therapist)
    assert "Tillägg: Problemlösning" in page and "8" not in page.split("Tillägg")[0][-3:]
    chat.press(therapist, "📜 Tidslinje")
    timeline = chat.last_text(therapist)
    assert "Tillägg: Problemlösning öppnades" in timeline


def test_a_unit_may_choose_weekly_opening(chat, therapist):
    patient = enrolled(chat, therapist)
    run_in_transaction(chat.conn, lambda c: units.set_module_opening(c, 1, "weekly"))
    finish_module_1(chat, patient)
    prompt = chat.texts(therapist)[-1]
    assert says(prompt, "staff_messages.finished", label="P1", number=1)
    assert "Stanna en vecka till" not in str(chat.outbox(therapist)[-1]["params"])
    finished = next(t for t in chat.texts(patient) if "Du har gått igenom modul 1" in t)
    assert says(finished, "module.next_opens_later")
    chat.clock.advance(timedelta(days=7))
    chat.command(module_command, patient, "module")
    assert _current_module(chat) == 2


def test_an_admin_chooses_weekly_opening_for_the_unit_in_unit(chat, therapist):
    admin = bind(chat, "Cecilia", "admin", "Växjö", 400)
    patient = enrolled(chat, therapist)
    chat.command(command("unit"), admin, "unit")
    assert says(chat.last_text(admin), "unit.opening", how=sv("unit.opening.program"))
    chat.press(admin, "📘 Modulöppning")
    assert says(chat.last_text(admin), "unit.pick_opening")
    chat.press(admin, "Varje vecka")
    assert says(chat.last_text(admin), "unit.opening_set", how=sv("unit.opening.weekly"))
    assert units.module_opening(chat.conn, 1) == "weekly"
    assert "unit_module_opening_changed" in _audit(chat)
    finish_module_1(chat, patient)
    chat.clock.advance(timedelta(days=7))
    chat.command(module_command, patient, "module")
    assert _current_module(chat) == 2
    # Back to the program's choice: the therapist decides again.
    chat.command(command("unit"), admin, "unit")
    chat.press(admin, "📘 Modulöppning")
    assert "✓ Varje vecka" in str(chat.outbox(admin)[-1]["params"])
    chat.press(admin, "Som programmet anger")
    assert units.module_opening(chat.conn, 1) is None
