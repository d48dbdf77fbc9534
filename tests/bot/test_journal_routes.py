"""`/journal <label>` and **Införd i journalen** through the real bot (tests/harness): the
summary of the period not yet recorded (contacts, scores with bands, lifecycle), never the
patient's words; the button records the period once and starts the next; access checked
when the summary is asked for and again when the button is pressed; an ended patient's last
period can still be recorded; the unit's KVÅ codes."""

from datetime import timedelta

from bot.care.lifecycle import end_treatment
from programs.scoring import band_for
from storage import kva_codes, patients
from tests.harness.bundled import bundled_questionnaires
from tests.harness.catalogue import said, says, sv
from tests.harness.inprocess import InProcessBot

SECRET = "Jag har svårt att sova om nätterna"


async def _message_and_reply(bot, anna, patient, text=SECRET):
    await bot.command(patient, "message", *text.split())
    await bot.press(anna, "Svara")
    await bot.text(anna, "Tack, vi tar upp det i nästa modul.")


async def _gad7(bot, anna, patient):
    """A GAD-7 ordered now and answered 'Flera dagar' to all seven: 7 of 21."""
    await bot.command(anna, "measure", "P1", "gad7")
    await bot.press(patient, "Svara nu")
    for _ in range(7):
        await bot.press(patient, "Flera dagar")
    await bot.press(patient, "Skicka")


def _journal_text(bot, anna, after):
    texts = [text for text in bot.texts(anna, after=after) if "<pre>" in text]
    assert len(texts) == 1, bot.texts(anna, after=after)
    return texts[0]


async def test_the_summary_then_the_button_starts_the_next_period(tmp_path):
    bot = await InProcessBot.start(tmp_path)
    try:
        anna = await bot.add_staff(100, "Anna")
        patient = await bot.enrol_patient(anna, 200, "P1")
        await _message_and_reply(bot, anna, patient)
        await _gad7(bot, anna, patient)
        bot.advance(timedelta(hours=1))

        before = bot.last_outbox_id()
        await bot.command(anna, "journal", "P1")
        text = _journal_text(bot, anna, before)
        gad7 = bundled_questionnaires()["gad7"]
        band = gad7.text(band_for(gad7, 7).label, "sv")
        assert says(text, "journal.title", label="P1")
        assert says(text, "journal.score", title="GAD-7", total=7, max=21, band=band)
        assert says(text, "journal.contacts.from_patient", n=1)
        assert says(text, "journal.contacts.answered", n=1)
        assert says(text, "journal.contacts.staff_messages", n=1)
        assert sv("journal.change.enrolled") in text
        assert says(text, "journal.kva.not_set")
        assert SECRET not in text and "nästa modul" not in text  # nobody's words are copied
        assert bot.count("audit_log", "action = 'journal_viewed'") == 1

        bot.advance(timedelta(minutes=5))
        await bot.press(anna, sv("journal.button.recorded"))
        assert bot.count("journal_notes") == 1
        assert says(bot.last_text(anna), "journal.recorded", label="P1")
        assert bot.count("audit_log", "action = 'journal_recorded'") == 1
        await bot.press(anna, sv("journal.button.recorded"))  # again: nothing twice
        assert bot.count("journal_notes") == 1
        assert says(bot.last_text(anna), "journal.already_recorded", label="P1")

        bot.advance(timedelta(days=2))
        await bot.command(patient, "message", "En", "fråga", "till")
        bot.advance(timedelta(minutes=1))
        before = bot.last_outbox_id()
        await bot.command(anna, "journal", "P1")
        text = _journal_text(bot, anna, before)
        assert says(text, "journal.contacts.from_patient", n=1)
        assert not says(text, "journal.contacts.answered")
        assert "GAD-7" not in text and sv("journal.change.enrolled") not in text
        assert not bot.errors
    finally:
        await bot.close()


async def test_access_is_checked_when_asked_and_again_when_pressed(tmp_path):
    bot = await InProcessBot.start(tmp_path)
    try:
        anna = await bot.add_staff(100, "Anna")
        bo = await bot.add_staff(101, "Bo")
        lena = await bot.add_staff(102, "Lena", role="patient-admin")
        patient = await bot.enrol_patient(anna, 200, "P1")
        await bot.command(anna, "journal", "P1")
        data = bot.button_data(anna, r"-\|journal:done:")

        await bot.command(bo, "journal", "P1")  # not his patient
        assert says(bot.last_text(bo), "staff.no_such_patient")
        await bot.press_data(bo, data)
        assert says(bot.last_text(bo), "journal.refused")
        await bot.press_data(patient, data)  # a patient pressing forged data
        assert bot.count("journal_notes") == 0

        _, _, patient_id, end = data.split(":")
        future = int(end) + 10**9
        await bot.press_data(anna, f"-|journal:done:{patient_id}:{future}")  # a period not seen
        assert bot.count("journal_notes") == 0
        await bot.press_data(anna, f"-|journal:done:{patient_id}:{2**63 - 1}")  # no overflow
        assert says(bot.last_text(anna), "journal.refused")
        await bot.press_data(anna, f"-|journal:done:{patient_id}:1")  # before the enrollment
        assert bot.count("journal_notes") == 0
        await bot.press_data(anna, "-|journal:done:x:1")
        assert bot.count("journal_notes") == 0

        await bot.press_data(lena, data)  # a patient-admin may see every patient of the unit
        assert bot.count("journal_notes") == 1
        await bot.command(anna, "journal")
        assert says(bot.last_text(anna), "journal.usage")
        assert not bot.errors
    finally:
        await bot.close()


async def test_an_ended_patients_last_period_can_be_recorded(tmp_path):
    bot = await InProcessBot.start(tmp_path)
    try:
        anna = await bot.add_staff(100, "Anna")
        user = await bot.enrol_patient(anna, 200, "P1")
        bot.advance(timedelta(days=3))

        def end(conn):
            patient = patients.by_telegram_user(conn, user.user_id)
            enrollment = patients.active_enrollment(conn, patient.id)
            therapist = patient.therapist_id
            end_treatment(
                conn, patient, enrollment, "completed", bot.clock.now(), staff_id=therapist
            )

        await bot.database.transaction(end)
        bot.advance(timedelta(hours=1))
        before = bot.last_outbox_id()
        await bot.command(anna, "journal", "P1")
        text = _journal_text(bot, anna, before)
        assert says(text, "journal.status.ended", reason=sv("journal.reason.completed"))
        assert sv("journal.change.ended") in text and "(av Anna)" in text
        await bot.press(anna, sv("journal.button.recorded"))
        assert bot.count("journal_notes") == 1
        assert not bot.errors
    finally:
        await bot.close()


async def test_the_units_kva_codes_for_the_periods_contacts(tmp_path):
    bot = await InProcessBot.start(tmp_path)
    try:
        anna = await bot.add_staff(100, "Anna")
        patient = await bot.enrol_patient(anna, 200, "P1")

        def set_codes(conn):
            unit_id = conn.execute("SELECT id FROM units WHERE name = 'Växjö'").fetchone()[0]
            kva_codes.set_codes(conn, unit_id, kva_codes.TEXT_CONTACT, "XX001 (exempel)")

        await bot.database.transaction(set_codes)
        before = bot.last_outbox_id()
        await bot.command(anna, "journal", "P1")
        assert says(_journal_text(bot, anna, before), "journal.kva.no_contact")

        await _message_and_reply(bot, anna, patient)
        await _gad7(bot, anna, patient)
        before = bot.last_outbox_id()
        await bot.command(anna, "journal", "P1")
        text = _journal_text(bot, anna, before)
        assert "<code>XX001 (exempel)</code>" in text
        contact = sv("journal.kva.type.rating_scale")
        assert says(text, "journal.kva.line", contact=contact, codes=sv("journal.kva.missing"))
        assert not said(bot.texts(patient), "journal.title")
        assert not bot.errors
    finally:
        await bot.close()
