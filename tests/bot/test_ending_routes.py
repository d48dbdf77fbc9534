"""`/end <label>` and what follows, through the real handlers (tests/harness/inprocess.py):
who may end a treatment, the reason and the confirmation, a repeated or stale press, the
patient's closing message, the one kind answer an ended patient gets to whatever they send
(/crisis, /help, /language and /results still answer), staff commands refusing after the
end, and /patients and /patient showing it."""

import logging
from datetime import timedelta

from storage import cover, lifecycle, patients
from tests.harness.catalogue import says, sv
from tests.harness.inprocess import InProcessBot

ANNA, BO, CILLA, LARS, PATIENT = 100, 101, 102, 500, 200


async def _ended_by_anna(bot, reason_label="Genomförd"):
    anna = await bot.add_staff(ANNA, "Anna")
    patient = await bot.enrol_patient(anna, PATIENT, "P1")
    await bot.command(anna, "end", "P1")
    await bot.press(anna, reason_label)
    await bot.press(anna, "Avsluta behandlingen")
    return anna, patient


def _enrollment(bot):
    row = bot.conn.execute(
        "SELECT status, end_reason, end_comment, ended_by FROM enrollments"
    ).fetchone()
    return tuple(row)


def _staff_id(bot, user_id):
    return bot.conn.execute(
        "SELECT id FROM staff WHERE telegram_user_id = ?", (user_id,)
    ).fetchone()[0]


async def test_the_therapist_ends_with_a_reason_and_the_patient_gets_the_closing_message(
    tmp_path,
):
    bot = await InProcessBot.start(tmp_path)
    try:
        anna = await bot.add_staff(ANNA, "Anna")
        patient = await bot.enrol_patient(anna, PATIENT, "P1")
        await bot.command(anna, "end", "P1")
        assert says(bot.last_text(anna), "end.ask_reason", label="P1")
        await bot.press(anna, "Genomförd")
        summary = bot.last_text(anna)
        assert "Det går inte att ångra" in summary
        assert _enrollment(bot)[0] == "active"  # nothing before the confirmation
        before = bot.last_outbox_id()
        await bot.press(anna, "Avsluta behandlingen")
        assert says(bot.last_text(anna), "end.done", label="P1", reason="Genomförd")
        assert _enrollment(bot) == ("ended", "completed", None, _staff_id(bot, ANNA))
        closing = bot.texts(patient, after=before)
        assert len(closing) == 1
        assert says(closing[0], "lifecycle.closing.completed") and "112" in closing[0]
        assert bot.count("audit_log", "action = 'treatment_ended'") == 1
        assert bot.count("lifecycle_events", "change = 'ended'") == 1
        assert not bot.errors
    finally:
        await bot.close()


async def test_a_repeated_press_or_a_second_end_changes_nothing(tmp_path):
    bot = await InProcessBot.start(tmp_path)
    try:
        anna, patient = await _ended_by_anna(bot)
        confirm = next(
            b for b in bot.buttons(anna, messages=200) if b["text"] == "Avsluta behandlingen"
        )
        before = bot.last_outbox_id()
        await bot.press_data(anna, confirm["callback_data"], confirm["message_id"])
        assert bot.answered_callbacks()[-1].get("text") == sv("button.stale")
        await bot.command(anna, "end", "P1")
        assert says(bot.last_text(anna), "end.already_ended", label="P1")
        assert bot.texts(patient, after=before) == []
        assert bot.count("lifecycle_events", "change = 'ended'") == 1
        assert bot.count("audit_log", "action = 'treatment_ended'") == 1
    finally:
        await bot.close()


async def test_annat_takes_a_comment_kept_out_of_the_logs(tmp_path, caplog):
    bot = await InProcessBot.start(tmp_path)
    try:
        anna = await bot.add_staff(ANNA, "Anna")
        await bot.enrol_patient(anna, PATIENT, "P1")
        await bot.command(anna, "end", "P1")
        await bot.press(anna, "Annat")
        await bot.text(anna, "   ")
        assert says(bot.last_text(anna), "end.comment_empty")
        with caplog.at_level(logging.DEBUG):
            await bot.text(anna, "Flyttar till Norrland")
            assert "Kommentar: Flyttar till Norrland" in bot.last_text(anna)
            await bot.press(anna, "Avsluta behandlingen")
        assert _enrollment(bot)[:3] == ("ended", "other", "Flyttar till Norrland")
        assert "Norrland" not in caplog.text
    finally:
        await bot.close()


async def test_who_may_end(tmp_path):
    bot = await InProcessBot.start(tmp_path)
    try:
        anna = await bot.add_staff(ANNA, "Anna")
        bo = await bot.add_staff(BO, "Bo")  # another therapist of the unit
        cilla = await bot.add_staff(CILLA, "Cilla", role="patient-admin")
        lars = await bot.add_staff(LARS, "Lars", role="admin", unit="Lund")
        await bot.enrol_patient(anna, PATIENT, "P1")
        for other in (bo, lars):
            await bot.command(other, "end", "P1")
            assert says(bot.last_text(other), "staff.no_such_patient")
        await bot.command(cilla, "end")
        assert says(bot.last_text(cilla), "end.usage")
        await bot.command(cilla, "end", "P1")
        await bot.press(cilla, "Avbrutit")
        await bot.press(cilla, "Avsluta behandlingen")
        assert _enrollment(bot) == ("ended", "dropped_out", None, _staff_id(bot, CILLA))
    finally:
        await bot.close()


async def test_a_deputy_sees_the_patient_but_the_ending_waits_for_the_therapist(tmp_path):
    bot = await InProcessBot.start(tmp_path)
    try:
        anna = await bot.add_staff(ANNA, "Anna")
        bo = await bot.add_staff(BO, "Bo")
        await bot.enrol_patient(anna, PATIENT, "P1")
        now = bot.clock.now()
        absent, deputy = _staff_id(bot, ANNA), _staff_id(bot, BO)
        await bot.database.transaction(
            lambda conn: cover.add(
                conn,
                staff_id=absent,
                deputy_id=deputy,
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=7),
                created_by=None,
                now=now,
            )
        )
        await bot.command(bo, "end", "P1")
        assert says(bot.last_text(bo), "end.not_allowed")
        assert _enrollment(bot)[0] == "active"
    finally:
        await bot.close()


async def test_an_ending_that_comes_second_is_told_kindly(tmp_path):
    bot = await InProcessBot.start(tmp_path)
    try:
        anna = await bot.add_staff(ANNA, "Anna")
        cilla = await bot.add_staff(CILLA, "Cilla", role="patient-admin")
        await bot.enrol_patient(anna, PATIENT, "P1")
        await bot.command(anna, "end", "P1")
        await bot.press(anna, "Genomförd")
        await bot.command(cilla, "end", "P1")
        await bot.press(cilla, "Remitterad till annan vård")
        await bot.press(cilla, "Avsluta behandlingen")
        await bot.press(anna, "Avsluta behandlingen")
        assert says(bot.last_text(anna), "end.already_ended", label="P1")
        assert _enrollment(bot)[:2] == ("ended", "referred")
        assert bot.count("lifecycle_events", "change = 'ended'") == 1
    finally:
        await bot.close()


async def test_an_ended_patient_gets_one_kind_answer_to_whatever_they_send(tmp_path):
    bot = await InProcessBot.start(tmp_path)
    try:
        _, patient = await _ended_by_anna(bot)
        sends = (
            lambda: bot.text(patient, "hej"),
            lambda: bot.command(patient, "start"),
            lambda: bot.command(patient, "module"),
            lambda: bot.command(patient, "diary"),
            lambda: bot.command(patient, "message", "Hej", "där"),
            lambda: bot.command(patient, "forms"),
            lambda: bot.command(patient, "nonsense"),
            lambda: bot.sticker(patient),
            lambda: bot.edit(patient, "ändrat"),
            lambda: bot.press_data(patient, "-|module:1"),
            lambda: bot.press_data(patient, "3|next"),
        )
        for send in sends:
            before = bot.last_outbox_id()
            await send()
            texts = bot.texts(patient, after=before)
            assert len(texts) == 1, texts
            assert says(texts[0], "ended.answer") and "112" in texts[0]
        assert bot.count("messages") == 0 and bot.count("diary_entries") == 0
        assert not bot.errors
    finally:
        await bot.close()


async def test_crisis_help_language_and_results_still_answer_after_the_end(tmp_path):
    bot = await InProcessBot.start(tmp_path)
    try:
        _, patient = await _ended_by_anna(bot)
        await bot.command(patient, "crisis")
        assert says(bot.last_text(patient), "crisis.text")
        await bot.command(patient, "help")
        help_text = bot.last_text(patient)
        assert says(help_text, "ended.help_title")
        assert "/crisis" in help_text and "/results" in help_text and "/diary" not in help_text
        await bot.command(patient, "results")
        assert not says(bot.last_text(patient), "ended.answer")
        await bot.command(patient, "language")
        await bot.press_data(patient, bot.button_data(patient, r"-\|lang:en"))
        assert bot.conn.execute("SELECT language FROM patients").fetchone()[0] == "en"
        assert not bot.errors
    finally:
        await bot.close()


async def test_words_of_crisis_after_the_end_still_reach_a_human(tmp_path):
    bot = await InProcessBot.start(tmp_path)
    try:
        _, patient = await _ended_by_anna(bot)
        before = bot.last_outbox_id()
        await bot.text(patient, "Jag vill inte leva längre")
        assert bot.count("flag_triggers") == 1
        texts = bot.texts(patient, after=before)
        assert "112" in texts[0] and says(texts[-1], "ended.answer")
    finally:
        await bot.close()


async def test_staff_commands_that_act_on_the_treatment_refuse_after_the_end(tmp_path):
    bot = await InProcessBot.start(tmp_path)
    try:
        anna, _ = await _ended_by_anna(bot)
        requests = bot.count("form_requests")
        for args in (("open", "P1", "2"), ("open", "P1"), ("measure", "P1", "phq9")):
            await bot.command(anna, *args)
            assert says(bot.last_text(anna), "end.already_ended", label="P1"), args
        for name in ("schedule", "plan"):
            await bot.command(anna, name, "P1")
            assert says(bot.last_text(anna), "end.already_ended", label="P1"), name
        assert bot.count("form_requests") == requests
        patient_id = bot.conn.execute("SELECT id FROM patients").fetchone()[0]
        await bot.press_data(anna, f"-|msg:to:{patient_id}")
        assert bot.answered_callbacks()[-1].get("text") == sv("staff_messages.refused.ended")
        await bot.press_data(anna, f"-|pace:open:{patient_id}:2")
        assert bot.answered_callbacks()[-1].get("text") == sv("pacing.refused.ended")
    finally:
        await bot.close()


async def test_the_overview_lists_the_ended_patient_and_the_page_shows_the_lifecycle(tmp_path):
    bot = await InProcessBot.start(tmp_path)
    try:
        anna, _ = await _ended_by_anna(bot)
        await bot.enrol_patient(anna, 201, "P2")
        await bot.command(anna, "patients")
        text = bot.last_text(anna)
        assert text.index("<b>P2</b>") < text.index(sv("patients.section.ended", n=1))
        assert text.index(sv("patients.section.ended", n=1)) < text.index("<b>P1</b>")
        assert "avslutad 1 dec. 2026 · Genomförd" in text
        await bot.command(anna, "patient", "P1")
        page = bot.last_text(anna)
        assert "1 dec. 2026 · inskriven (patienten)" in page
        assert "1 dec. 2026 · avslutad: Genomförd (Anna)" in page
        labels = [b["text"] for b in bot.latest_buttons(anna)]
        assert sv("patient.button.set_module") not in labels
        assert sv("patient.button.timeline") in labels
        await bot.press(anna, sv("patient.button.timeline"))
        assert says(bot.last_text(anna), "timeline.treatment_ended")
        assert bot.count("audit_log", "action = 'patient_viewed'") == 1
    finally:
        await bot.close()


async def test_a_purged_patient_is_not_listed(tmp_path):
    bot = await InProcessBot.start(tmp_path)
    try:
        anna, _ = await _ended_by_anna(bot)
        bot.conn.execute(
            "UPDATE patients SET label = NULL, telegram_user_id = NULL, chat_id = NULL,"
            " purged_at = '2027-03-01T00:00:00.000000Z'"
        )
        bot.conn.commit()
        await bot.command(anna, "patients")
        assert says(bot.last_text(anna), "patients.none")
        assert patients.latest_enrollment(bot.conn, 1).status == "ended"
        assert lifecycle.history(bot.conn, 1)[-1].change == "ended"
    finally:
        await bot.close()
