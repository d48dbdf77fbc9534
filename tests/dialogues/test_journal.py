"""The journal summary, pure (dialogues/journal.py): facts as plain lines inside one <pre>
block to copy, dates grouped, the patient's status, flags with who handled them, KVÅ lines,
and the stateless button that carries the period's end."""

from datetime import date, datetime

from bot.escalation.triggers import TRIGGERS
from bot.i18n import LANGUAGES, Translator
from dialogues import journal
from dialogues.journal import ChangeLine, FlagLine, KvaLine, ScoreLine, Summary
from storage import kva_codes, lifecycle
from tests.harness.catalogue import says, sv

DAY = date(2026, 12, 1)


def _summary(**changes) -> Summary:
    base = dict(
        patient_id=7,
        label="P<1>",
        program="Steg för steg – när livet känns tungt",
        self_help=False,
        status="active",
        maintenance_until=None,
        ended_on=None,
        end_reason=None,
        start=datetime(2026, 12, 1, 9, 0),
        end=datetime(2026, 12, 8, 10, 30),
        end_token=1796115600000000,
    )
    return Summary(**{**base, **changes})


def _text(summary: Summary, t=sv) -> str:
    (reply,) = journal.summary(summary, t).replies
    return reply.text


def _record(text: str) -> str:
    return text.split("<pre>", 1)[1].split("</pre>", 1)[0]


def test_the_record_is_one_pre_block_with_the_period_and_every_section():
    text = _text(_summary())
    assert text.count("<pre>") == 1
    record = _record(text)
    assert "Period: 2026-12-01 09:00 – 2026-12-08 10:30" in record
    for section in ("contacts", "modules", "scores", "flags", "changes", "written"):
        assert sv(f"journal.section.{section}") in record
    assert record.count("- " + sv("journal.none")) == 5  # everything but the counts
    assert says(record, "journal.status.active")
    assert "P&lt;1&gt;" in text  # the label is escaped where it is shown


def test_dates_are_grouped_and_counted():
    days = (DAY, date(2026, 12, 3), DAY)
    record = _record(_text(_summary(from_patient=days)))
    assert "Meddelanden från patienten: 3 (2026-12-01 (2), 2026-12-03)" in record


def test_scores_flags_and_changes():
    summary = _summary(
        scores=(ScoreLine("PHQ-9", 14, 27, "Måttliga besvär", DAY),),
        flags=(
            FlagLine("red", "risk_answer", DAY, DAY, "Anna"),
            FlagLine("amber", "made_up_kind", DAY, None, None),
        ),
        changes=(ChangeLine("maintenance", None, "Anna", DAY),),
        status="maintenance",
        maintenance_until=date(2027, 1, 15),
    )
    record = _record(_text(summary))
    assert "- PHQ-9: 14/27, Måttliga besvär (2026-12-01)" in record
    assert (
        "Röd flagga (riskfråga i formulär) 2026-12-01, omhändertagen 2026-12-01 av Anna" in record
    )
    assert "Gul flagga (annan orsak) 2026-12-01, ännu inte omhändertagen" in record
    assert "- 2026-12-01 Vidmakthållande påbörjat (av Anna)" in record
    assert "Vidmakthållande till 2027-01-15." in record


def test_an_ended_treatment_says_when_and_why():
    summary = _summary(status="ended", ended_on=DAY, end_reason="withdrawn")
    assert "Behandlingen avslutades 2026-12-01: återkallat samtycke." in _record(_text(summary))


def test_the_button_carries_the_patient_and_the_periods_end():
    (reply,) = journal.summary(_summary(), sv).replies
    ((button,),) = reply.buttons
    assert button.label == "Införd i journalen" and button.stateless
    assert button.action == "journal:done:7:1796115600000000"


def test_kva_lines_for_the_contacts_of_the_period():
    assert says(_text(_summary()), "journal.kva.not_set")
    assert says(_text(_summary(kva_set=True)), "journal.kva.no_contact")
    lines = (KvaLine(kva_codes.TEXT_CONTACT, "XX<1>"), KvaLine(kva_codes.RATING_SCALE, None))
    text = _text(_summary(kva_set=True, kva=lines))
    assert "<code>XX&lt;1&gt;</code>" in text
    assert "Skattning med standardiserat formulär: ingen kod inställd" in text


def test_english():
    en = Translator("en")
    summary = _summary(from_patient=(DAY,), status="ended", ended_on=DAY, end_reason="completed")
    record = _record(_text(summary, en))
    assert "Messages from the patient: 1 (2026-12-01)" in record
    assert "The treatment ended on 2026-12-01: completed." in record


def test_every_flag_kind_change_reason_and_contact_type_has_words_in_every_language():
    for language in LANGUAGES:
        t = Translator(language)
        for kind in TRIGGERS:
            assert t.has(f"journal.flag_kind.{kind}"), (language, kind)
        reasons = (
            *lifecycle.END_REASONS,
            lifecycle.MAINTENANCE_OVER,
            lifecycle.WITHDRAWN,
            lifecycle.IDENTITY_REJECTED,
            lifecycle.INACTIVE,
        )
        for reason in reasons:
            assert t.has(f"journal.reason.{reason}"), (language, reason)
        for contact_type in kva_codes.CONTACT_TYPES:
            assert t.has(f"journal.kva.type.{contact_type}"), (language, contact_type)
