"""The harness itself: the real application, offline, end to end."""

import pytest

from tests.harness.inprocess import InProcessBot


@pytest.fixture
async def bot(tmp_path):
    bot = await InProcessBot.start(tmp_path)
    yield bot
    await bot.close()


async def test_staff_and_patient_enrol_through_the_real_handlers(bot):
    anna = await bot.add_staff(100, "Anna")
    assert "Anna" in bot.texts(anna)[0]
    patient = await bot.enrol_patient(anna, 200, "P1")
    assert bot.count("patients", "label = ?", "P1") == 1
    assert bot.answered_callbacks()  # the consent press was answered
    assert bot.latest_buttons(patient)
    assert not bot.errors and not bot.apologies()


async def test_a_repeated_update_changes_nothing(bot):
    anna = await bot.add_staff(100, "Anna")
    patient = await bot.enrol_patient(anna, 200, "P1")
    before = bot.last_outbox_id()
    update_id = await bot.command(patient, "help")
    after_first = bot.last_outbox_id()
    assert after_first > before
    await bot.repeat(update_id)
    assert bot.last_outbox_id() == after_first
    assert not bot.unhandled_updates()


async def test_crisis_text_raises_a_flag(bot):
    anna = await bot.add_staff(100, "Anna")
    patient = await bot.enrol_patient(anna, 200, "P1")
    before = bot.last_outbox_id()
    await bot.text(patient, "jag vill inte leva längre")
    assert bot.count("flag_triggers") == 1
    assert "112" in bot.texts(patient, after=before)[0]
