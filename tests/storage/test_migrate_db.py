"""`python -m bot migrate-db SOURCE TARGET`: a clinic's SQLite database moved to PostgreSQL.

The whole move: a database made by a real conversation script (the bot as a child process),
copied by the command into a fresh PostgreSQL database: the counts printed agree, every row
of every table is equal column by column, and the bot goes on against the copy (real
turns: a patient's crisis words raise a flag, a new patient is enrolled), the new rows
taking ids after the copied ones. And the refusals, each leaving the target as it was: a
non-empty target, a bot holding the SQLite file, a row PostgreSQL will not take, counts that
differ. No output names a patient's words.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest

from bot.cli.main import main as cli_main
from bot.devtools.demo import run_script
from storage import flags, notes, outbox, run_lock, staff
from storage.database import Database, connect_sync, migrate_sync
from storage.outbox import LANE_SAFETY, OutgoingCall
from storage.transfer import tables_in_order
from tests.harness.databases import own_postgres_database
from tests.harness.inprocess import InProcessBot, Person
from tests.harness.script_env import SCRIPT_BOT_ENV

SCRIPTS = Path(__file__).parents[1] / "scripts"
# A therapist's plan, reminders, a patient's answer and comment, an amber flag, a channel.
SOURCE_SCRIPT = SCRIPTS / "activities-staff-plan.chat"
AFTER_SCRIPT = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)  # the script ends at 08:00
MARKER = "MARKÖR-7f3a ingen ska se detta"


def migrate_db(source: Path | str, target: str, capsys) -> tuple[int, str, str]:
    code = cli_main(["migrate-db", str(source), target])
    out, err = capsys.readouterr()
    return code, out, err


def rows(conn, table: str, columns: list[str]) -> list[tuple]:
    """A table's rows as tuples, in one order for both databases (not the databases' own
    collation)."""
    found = conn.execute(f"SELECT {', '.join(columns)} FROM {table}")
    return sorted((tuple(row) for row in found), key=repr)


def table_columns(conn, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def counts(conn, tables: list[str]) -> dict[str, int]:
    return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


# ---- the whole move ----------------------------------------------------------------------


@pytest.fixture
async def scripted_copy(tmp_path, capsys):
    """A clinic made by a real conversation script, moved by the command into a fresh
    PostgreSQL database: (SQLite path, PostgreSQL URL, the command's output)."""
    db = tmp_path / "clinic.sqlite3"
    transcript = StringIO()
    code = await _run_script(SOURCE_SCRIPT, db, transcript)
    assert code == 0, transcript.getvalue()[-2000:]
    capsys.readouterr()
    with own_postgres_database("migrate") as url:
        code, out, err = migrate_db(f"sqlite:///{db}", url, capsys)
        assert code == 0, err
        yield db, url, out


@pytest.mark.scripts
async def test_a_scripted_clinic_moves_to_postgresql_and_goes_on(scripted_copy):
    db, url, out = scripted_copy
    source, copy = connect_sync(db), connect_sync(url)
    try:
        _assert_printed_counts(out, source, copy)
        _assert_rows_equal(source, copy)
        before = _highest_ids(copy)
        patient = source.execute("SELECT id, unit_id, chat_id FROM patients").fetchone()
        copied_flags = _flag_times(source, patient[0])
    finally:
        source.close()
        copy.close()
    await _goes_on_with_repositories(url, before, tuple(patient), copied_flags)


@pytest.mark.scripts
async def test_the_bot_takes_turns_against_the_copy(scripted_copy, tmp_path):
    db, url, _ = scripted_copy
    copy = connect_sync(url)
    try:
        before = _highest_ids(copy)
        patient = copy.execute("SELECT id, telegram_user_id FROM patients").fetchone()
        therapist = copy.execute(
            "SELECT telegram_user_id FROM staff WHERE name = 'anna'"
        ).fetchone()[0]
    finally:
        copy.close()
    await _goes_on_with_turns(tmp_path, url, before, tuple(patient), therapist)


async def _run_script(script: Path, db: Path, transcript: StringIO) -> int:
    # run_script runs its own event loop: off this test's loop, in a thread.
    return await asyncio.to_thread(
        run_script, script, db_path=db, out=transcript, bot_env=dict(SCRIPT_BOT_ENV)
    )


def _assert_printed_counts(out: str, source, copy) -> None:
    tables = tables_in_order(copy)
    printed = {}
    for line in out.splitlines()[1:]:
        parts = line.split()
        if len(parts) == 3 and parts[0] in tables:
            printed[parts[0]] = (int(parts[1]), int(parts[2]))
    expected = counts(source, tables)
    assert printed == {t: (n, n) for t, n in expected.items()}
    assert counts(copy, tables) == expected
    # The script made what the move must carry: not a copy of empty tables.
    for table in ("patients", "flags", "activity_outcomes", "diary_entries", "reminders"):
        assert expected[table] > 0, table
    assert expected["outbox"] > 20 and expected["send_ledger"] > 20


def _assert_rows_equal(source, copy) -> None:
    compared = 0
    for table in tables_in_order(copy):
        columns = table_columns(source, table)
        lite = rows(source, table, columns)
        assert rows(copy, table, columns) == lite, table
        compared += len(lite) * len(columns)
    assert compared > 1000


def _highest_ids(conn) -> dict[str, int]:
    tables = ("patients", "invites", "flags", "outbox", "events", "enrollments", "staff", "notes")
    return {t: conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {t}").fetchone()[0] for t in tables}


def _flag_times(conn, patient_id: int) -> list[tuple]:
    return [(f.id, f.severity, f.created_at) for f in flags.of_patient(conn, patient_id)]


async def _goes_on_with_repositories(url, before, patient, copied_flags) -> None:
    """The bot's own database object on the copy, and the repositories the turns use: the
    copied rows read back as they were written, new rows take the next ids."""
    patient_id, unit_id, chat_id = patient
    database = await Database.open(url)
    try:

        def work(conn) -> dict[str, int | None]:
            code = staff.add_staff_role(
                conn,
                name="Nils",
                role="therapist",
                unit_name="Växjö",
                telegram_user_id=None,
                now=AFTER_SCRIPT,
            )
            call = OutgoingCall(chat_id, "sendMessage", {"text": "hej"}, lane=LANE_SAFETY)
            return {
                "staff": conn.execute(
                    "SELECT id FROM staff WHERE bind_code = ?", (code,)
                ).fetchone()[0],
                "flags": flags.create(
                    conn,
                    patient_id=patient_id,
                    unit_id=unit_id,
                    severity="red",
                    next_check_at=None,
                    now=AFTER_SCRIPT,
                ),
                "notes": notes.add(conn, patient_id, MARKER, AFTER_SCRIPT),
                "outbox": outbox.enqueue(conn, call, AFTER_SCRIPT),
            }

        new_ids = await database.transaction(work)
        assert new_ids == {table: before[table] + 1 for table in new_ids}
        read = await database.call(lambda conn: _flag_times(conn, patient_id))
        # The copied flags read back as they were written (times too), and the new one.
        assert sorted(read) == sorted([*copied_flags, (new_ids["flags"], "red", AFTER_SCRIPT)])
        due = await database.call(lambda conn: outbox.next_due(conn, AFTER_SCRIPT, set()))
        assert due is not None and due.id == new_ids["outbox"]  # the copied rows were sent
    finally:
        await database.close()


async def _goes_on_with_turns(tmp_path, url, before, patient, therapist_user_id) -> None:
    """Real turns on the copy: the patient's crisis words raise a red flag, the therapist
    enrols a new patient; every new row takes an id after the copied ones."""
    bot = await InProcessBot.start(tmp_path, now=AFTER_SCRIPT, target=url)
    try:
        patient_id, alice_user_id = patient
        alice, anna = Person(alice_user_id), Person(therapist_user_id)
        first_new_outbox = bot.last_outbox_id()
        assert first_new_outbox == before["outbox"]

        await bot.text(alice, "jag vill ta livet av mig")
        flag = bot.conn.execute(
            "SELECT id, patient_id, severity FROM flags ORDER BY id DESC LIMIT 1"
        ).fetchone()
        assert tuple(flag) == (before["flags"] + 1, patient_id, "red")

        bob = await bot.enrol_patient(anna, 990001, "P2")
        new_patient = bot.conn.execute(
            "SELECT id FROM patients WHERE telegram_user_id = ?", (bob.user_id,)
        ).fetchone()[0]
        assert new_patient == before["patients"] + 1
        assert bot.count("invites", "id = ?", before["invites"] + 1) == 1
        assert bot.count("enrollments", "id > ?", before["enrollments"]) == 1

        new_rows = bot.outbox(alice, after=first_new_outbox)
        # after the copied ones (not always the very next: on PostgreSQL an insert that
        # meets its dedupe key still takes a number from the sequence)
        assert new_rows and min(r["id"] for r in new_rows) > before["outbox"]
        assert bot.errors == [] and bot.apologies(after=first_new_outbox) == []
        assert bot.unhandled_updates() == []
    finally:
        await bot.close()


# ---- refusals: nothing written -----------------------------------------------------------


@pytest.fixture
async def small_clinic(tmp_path) -> Path:
    """A SQLite database with a therapist, a patient and the patient's message (MARKER)."""
    bot = await InProcessBot.start(tmp_path, target=tmp_path / "clinic.sqlite3")  # both passes
    try:
        anna = await bot.add_staff(100, "Anna")
        alice = await bot.enrol_patient(anna, 200, "P1")
        await bot.command(alice, "message", MARKER)
        assert bot.count("messages") == 1
    finally:
        await bot.close()
    return bot.path


def _all_empty(url: str) -> bool:
    conn = connect_sync(url)
    try:
        return not any(counts(conn, tables_in_order(conn)).values())
    finally:
        conn.close()


def test_a_non_empty_target_is_refused(small_clinic, capsys):
    with own_postgres_database("migrate") as url:
        assert migrate_db(small_clinic, url, capsys)[0] == 0
        conn = connect_sync(url)
        before = counts(conn, tables_in_order(conn))
        conn.close()

        code, out, err = migrate_db(small_clinic, url, capsys)

        assert code == 1
        assert "not empty" in err and "nothing was committed" in err
        conn = connect_sync(url)
        assert counts(conn, tables_in_order(conn)) == before
        conn.close()


def test_a_running_bot_is_refused(small_clinic, capsys):
    lock = run_lock.hold_shared(small_clinic)  # as bot/app.py holds it while running
    try:
        with own_postgres_database("migrate") as url:
            code, out, err = migrate_db(small_clinic, url, capsys)
            assert code == 1
            assert "a bot is running" in err
            assert out == ""
    finally:
        run_lock.release(lock)


def test_a_row_postgresql_refuses_rolls_everything_back(small_clinic, capsys):
    # A message naming a patient that does not exist: SQLite let it in with its foreign
    # keys off; PostgreSQL's foreign key stops the copy after several tables went in.
    conn = sqlite3.connect(small_clinic, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute(
        "INSERT INTO messages (patient_id, direction, text, created_at)"
        " VALUES (999, 'from_patient', ?, '2026-12-01T08:00:00.000000Z')",
        (MARKER,),
    )
    conn.close()
    with own_postgres_database("migrate") as url:
        code, out, err = migrate_db(small_clinic, url, capsys)

        assert code == 1
        assert "ForeignKeyViolation copying table messages" in err
        assert "nothing was committed" in err
        assert "MARKÖR" not in out + err
        assert _all_empty(url)


def test_counts_that_differ_roll_everything_back(small_clinic, capsys):
    with own_postgres_database("migrate") as url:
        target = connect_sync(url)
        migrate_sync(target)
        # A trigger that quietly drops every message row: the copy "succeeds", the count
        # does not.
        target.execute(
            "CREATE FUNCTION drop_row() RETURNS trigger LANGUAGE plpgsql"
            " AS $$ BEGIN RETURN NULL; END $$"
        )
        target.execute(
            "CREATE TRIGGER drop_messages BEFORE INSERT ON messages"
            " FOR EACH ROW EXECUTE FUNCTION drop_row()"
        )
        target.close()

        code, out, err = migrate_db(small_clinic, url, capsys)

        assert code == 1
        assert "counts differ" in err and "nothing was committed" in err
        differs = [line.split() for line in out.splitlines() if line.endswith("DIFFERS")]
        assert differs == [["messages", "1", "0", "DIFFERS"]]
        assert _all_empty(url)


def test_source_and_target_must_be_what_they_say(tmp_path, capsys):
    missing = tmp_path / "none.sqlite3"
    code, _, err = migrate_db(missing, "postgresql://ikbt@127.0.0.1:1/x", capsys)
    assert code == 1 and "no SQLite database" in err
    assert not missing.exists()  # not made by asking
    code, _, err = migrate_db("postgresql://a@b/c", "postgresql://a@b/d", capsys)
    assert code == 1 and "source must be the SQLite database" in err
    code, _, err = migrate_db(missing, str(tmp_path / "other.sqlite3"), capsys)
    assert code == 1 and "target must be a PostgreSQL database" in err
