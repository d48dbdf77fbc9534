"""A photo's caption is a patient's free text too: read for crisis words."""

from tests.harness.inprocess import InProcessBot


async def test_a_caption_with_crisis_words_raises_a_flag(tmp_path):
    bot = await InProcessBot.start(tmp_path)
    try:
        anna = await bot.add_staff(100, "Anna")
        patient = await bot.enrol_patient(anna, 200, "P1")
        before = bot.last_outbox_id()
        await bot.photo(patient, caption="Alla vore bättre utan mig")
        assert bot.count("flag_triggers") == 1
        assert "112" in bot.texts(patient, after=before)[0]
        await bot.photo(patient)  # no caption: the usual word about pictures, no flag
        assert bot.count("flag_triggers") == 1
        assert not bot.errors
    finally:
        await bot.close()
