"""Reminder kinds are a registry in the code: a new kind is one module plus its catalogue
entries and needs no migration; an unknown kind is refused with a clear error; every kind in
the registry has its texts in both languages; a program asking for a kind we lack is found."""

import shutil
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import LANGUAGES, catalogue
from bot.reminders.kinds import registry
from bot.reminders.kinds.base import NOTHING, ReminderKind
from bot.reminders.kinds.registry import KINDS, RegistryError, kind_of
from bot.reminders.planning import replan
from bot.reminders.tick import run_batch
from bot.routes import reminders as reminder_routes
from programs.check import main as check_programs
from programs.loader import default_programs_dir, load_programs
from storage import schedules
from storage.database import run_in_transaction
from storage.schedules import UnknownKind
from tests.harness.records import migrated_database, therapists_patient

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ENROLLED = datetime(2026, 12, 1, 8, 0, tzinfo=STOCKHOLM)
NUDGE_TEXTS = {
    "kind.nudge": {"sv": "Knuff", "en": "Nudge"},
    "reminder.nudge": {"sv": "En liten knuff: {text}", "en": "A small nudge: {text}"},
    "reminder.open.nudge": {"sv": "Klart", "en": "Done"},
}


@pytest.fixture
def conn(tmp_path):
    return migrated_database(tmp_path / "t.sqlite3")


@pytest.fixture
def patient(conn):
    return therapists_patient(conn, ENROLLED)


@pytest.fixture
def nudge():
    """A throwaway kind, registered for one test (as a module in bot/reminders/kinds/ would
    be at start-up)."""
    kind = registry.register(ReminderKind(name="nudge", opens=NOTHING, carries_text=True))
    yield kind
    registry.unregister("nudge")


@pytest.fixture
def nudge_texts(monkeypatch):
    """The new kind's catalogue entries: the data that goes with its module."""
    for key, texts in NUDGE_TEXTS.items():
        for language, text in texts.items():
            monkeypatch.setitem(catalogue(language), key, text)


def create(conn, patient, kind):
    return schedules.create(
        conn,
        patient_id=patient.id,
        kind=kind,
        known_kinds=KINDS,
        times=(time(19, 0),),
        start_date=date(2026, 12, 1),
        custom_text="Drick ett glas vatten",
        source="staff",
        now=ENROLLED,
    )


def test_the_bundled_kinds_are_registered():
    assert set(KINDS) >= {"diary", "module", "forms", "activity", "custom"}
    assert kind_of("diary").skip_filled_day and kind_of("activity").follow_up_resend


def test_every_kind_has_its_catalogue_keys_in_sv_and_en():
    for kind in KINDS.values():
        for language in LANGUAGES:
            for key in kind.catalogue_keys:
                assert catalogue(language).get(key), f"{kind.name}: {key} missing in {language}"
    programs = load_programs(default_programs_dir())
    registry.validate(
        openable=reminder_routes.OPENERS, programs=[programs[id_] for id_ in programs]
    )


def test_a_new_kind_is_scheduled_and_sent_without_a_migration(conn, patient, nudge, nudge_texts):
    registry.validate(openable=reminder_routes.OPENERS)
    schedule_id = create(conn, patient, nudge.name)
    replan(conn, schedule_id, ENROLLED)
    due = datetime(2026, 12, 1, 19, 0, tzinfo=STOCKHOLM)
    assert run_in_transaction(conn, lambda c: run_batch(c, due)) == 1  # as the tick runs it
    status, kind = conn.execute(
        "SELECT r.status, s.kind FROM reminders r JOIN schedules s ON s.id = r.schedule_id"
    ).fetchone()
    assert (status, kind) == ("open", "nudge")
    payload = conn.execute("SELECT payload_json FROM outbox WHERE chat_id = 5").fetchone()[0]
    assert "En liten knuff: Drick ett glas vatten" in payload


def test_an_unknown_kind_is_refused_before_anything_is_written(conn, patient):
    with pytest.raises(UnknownKind, match="unknown reminder kind 'nudge' \\(known: activity, "):
        create(conn, patient, "nudge")
    assert conn.execute("SELECT COUNT(*) FROM schedules").fetchone()[0] == 0
    with pytest.raises(UnknownKind, match="'nudge'"):
        kind_of("nudge")


def test_a_kind_without_its_texts_stops_the_start(nudge):
    with pytest.raises(RegistryError) as error:
        registry.validate(openable=reminder_routes.OPENERS)
    assert "no 'kind.nudge' in the sv catalogue" in str(error.value)
    assert "no 'reminder.open.nudge' in the en catalogue" in str(error.value)


def test_a_kind_that_opens_what_no_press_can_open_stops_the_start(nudge_texts):
    registry.register(ReminderKind(name="nudge", opens="no_such_dialogue"))
    try:
        with pytest.raises(RegistryError, match="nudge: a press cannot open 'no_such_dialogue'"):
            registry.validate(openable=reminder_routes.OPENERS)
    finally:
        registry.unregister("nudge")


def test_a_name_is_registered_once():
    with pytest.raises(RegistryError, match="registered already"):
        registry.register(ReminderKind(name="diary", opens=NOTHING))


def test_a_program_asking_for_an_unknown_kind_is_found(tmp_path, capsys):
    folder = tmp_path / "depression"
    shutil.copytree(default_programs_dir() / "depression", folder)
    meta = folder / "program.yaml"
    meta.write_text(meta.read_text().replace("- kind: module ", "- kind: modul  "))
    line = next(i for i, text in enumerate(meta.read_text().splitlines(), 1) if "modul " in text)
    assert check_programs([str(folder)], schedule_kinds=registry.program_default_names()) == 1
    out = capsys.readouterr().out
    assert f"program.yaml:{line}: schedules: no reminder kind 'modul'" in out
    programs = load_programs(tmp_path)
    with pytest.raises(RegistryError, match="program depression: schedules: no reminder kind"):
        registry.validate(
            openable=reminder_routes.OPENERS, programs=[programs[id_] for id_ in programs]
        )


def test_custom_is_no_program_default():
    assert "custom" not in registry.program_default_names()
