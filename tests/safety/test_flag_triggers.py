"""Flag triggers are a registry (bot/escalation/triggers.py): a flag is raised with its
trigger's declared severity, an undeclared trigger or severity is refused before anything is
written, and every trigger's summary is in both catalogues."""

from datetime import UTC, datetime

import pytest

from bot.escalation import triggers
from bot.escalation.flags import TriggerInfo, raise_flag
from bot.escalation.triggers import FlagTrigger, UnknownTrigger
from bot.i18n import LANGUAGES, catalogue
from storage import flags
from tests.harness.records import migrated_database, therapists_patient

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def conn(tmp_path):
    return migrated_database(tmp_path / "t.sqlite3")


@pytest.fixture
def patient(conn):
    return therapists_patient(conn, NOW)


def test_every_trigger_has_its_summary_in_sv_and_en():
    assert triggers.missing_keys() == []
    for trigger in triggers.TRIGGERS.values():
        for language in LANGUAGES:
            assert all(catalogue(language).get(key) for key in trigger.summary_keys)


def test_a_flag_takes_its_triggers_severity_and_kind(conn, patient):
    info = TriggerInfo(triggers.DIARY_MISSED, "vecka 10", {"week": "2026-03-02"})
    assert raise_flag(conn, patient, info, NOW, "sv") is None  # amber: the patient is not told
    (flag,) = flags.of_patient(conn, patient.id)
    assert flag.severity == "amber"
    assert [t.kind for t in flags.triggers(conn, flag.id)] == ["diary_missed"]


def test_a_trigger_that_tells_the_patient_returns_the_safety_message(conn, patient):
    info = TriggerInfo(triggers.CRISIS_TERMS, "text", {}, free_text="...")
    safety = raise_flag(conn, patient, info, NOW, "sv", severity="amber")
    assert safety is not None and safety.safety
    assert flags.of_patient(conn, patient.id)[0].severity == "amber"


def test_an_undeclared_trigger_or_severity_is_refused_before_anything_is_written(conn, patient):
    stranger = FlagTrigger("mood_drop", ("amber",), ("flag.trigger.mood_drop",))
    with pytest.raises(UnknownTrigger, match="'mood_drop' is not declared"):
        raise_flag(conn, patient, TriggerInfo(stranger, "x", {}), NOW, "sv")
    with pytest.raises(UnknownTrigger, match="'risk_answer' is never 'amber'"):
        raise_flag(
            conn, patient, TriggerInfo(triggers.RISK_ANSWER, "x", {}), NOW, "sv", severity="amber"
        )
    assert flags.of_patient(conn, patient.id) == []
