"""Backup and restore round-trip while the bot runs, and a restore never brings purged data
back.

The real bot (`python -m bot run` as a child process, against the emulator) enrols two
patients; alice writes a marker text. While the bot runs, `backup` copies the database
(SQLite's online backup API) and `restore` refuses to overwrite it. Then the bot goes on
(after the backup), stops, and alice's treatment is ended and purged (into the ledger file
beside the database). The restore puts the backup back, which still holds alice, and purges
her again from the ledger: her marker is nowhere in the files. Finally a conversation script
runs on the restored database: bob is still a patient, alice a stranger.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest

from bot.care import purge
from bot.care.lifecycle import end_treatment
from bot.cli.backup import backup, restore
from bot.devtools.demo import run_script
from bot.devtools.script.parser import parse_script
from bot.devtools.script.runner import ScriptSession, SessionOptions
from bot.devtools.script.transcript import Transcript
from storage import journal, patients, purge_ledger, run_lock
from storage.database import connect_sync, run_in_transaction
from storage.timefmt import from_db
from tests.harness.script_env import SCRIPT_BOT_ENV

pytestmark = pytest.mark.scripts

MARKER = "MARKÖR-b4c2"
AFTER_RESTORE = Path(__file__).parent / "backup-after-restore.chat"

BEFORE_BACKUP = f"""
@staff anna therapist unit=Växjö
anna> /invite depression P7
@capture CODE7 anna /start=(\\S+)/
alice> /start ${{CODE7}}
alice> [Jag godkänner]
anna> /invite depression P8
@capture CODE8 anna /start=(\\S+)/
bob> /start ${{CODE8}}
bob> [Jag godkänner]
@flush
alice> /message Jag heter {MARKER} och mår inte bra
expect alice: Ditt meddelande är skickat
@flush
"""

AFTER_BACKUP = """
bob> /message Tack för i dag
expect bob: Ditt meddelande är skickat
@flush
"""


async def _play(session: ScriptSession, source: str) -> None:
    for line in parse_script(source):
        await session.execute(line)


async def _while_the_bot_runs(db_path: Path, backup_file: Path, out: StringIO) -> list:
    session = ScriptSession(
        SessionOptions(db_path=db_path, bot_env=dict(SCRIPT_BOT_ENV)), Transcript(out)
    )
    refused = []
    await session.open()
    try:
        await _play(session, BEFORE_BACKUP)
        assert session.bot.alive
        await asyncio.to_thread(backup, db_path, backup_file)  # the bot runs meanwhile
        try:
            await asyncio.to_thread(restore, backup_file, db_path)
        except run_lock.DatabaseInUse:
            refused.append(True)
        await _play(session, AFTER_BACKUP)  # the bot is unharmed, and goes on
    finally:
        await session.close()
    return refused


def _bytes(db_path: Path) -> bytes:
    return b"".join(
        Path(f"{db_path}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-shm")
        if Path(f"{db_path}{suffix}").exists()
    )


def _end_and_purge_alice(db_path: Path) -> int:
    """What the purge job does once alice's treatment has ended and its days have passed."""
    conn = connect_sync(db_path)
    try:

        def work(c: sqlite3.Connection) -> int:
            row = c.execute("SELECT id FROM patients WHERE label = 'P7'").fetchone()
            alice = patients.get(c, row[0])
            enrollment = patients.latest_enrollment(c, alice.id)
            now = from_db(c.execute("SELECT MAX(created_at) FROM messages").fetchone()[0])
            end_treatment(c, alice, enrollment, "completed", now, staff_id=alice.therapist_id)
            journal.record(c, alice.id, enrollment.started_at, now, alice.therapist_id, now)
            later = now + timedelta(days=91)
            ledger = purge_ledger.file_beside(db_path)
            assert purge.run_batch(c, later, ledger_file=ledger) == 1
            return alice.id

        return run_in_transaction(conn, work)
    finally:
        conn.close()


def test_backup_and_restore_round_trip_while_the_bot_runs(tmp_path):
    db_path = tmp_path / "bot.sqlite3"
    backup_file = tmp_path / "backup.sqlite3"
    out = StringIO()

    refused = asyncio.run(_while_the_bot_runs(db_path, backup_file, out))

    assert refused == [True], "restore overwrote the database of a running bot"
    assert stat.S_IMODE(os.stat(backup_file).st_mode) == 0o600
    assert MARKER.encode() in backup_file.read_bytes()  # the backup holds alice's words
    with sqlite3.connect(backup_file) as copy:
        labels = {row[0] for row in copy.execute("SELECT label FROM patients")}
        later = copy.execute("SELECT COUNT(*) FROM messages WHERE text = 'Tack för i dag'")
        assert labels == {"P7", "P8"} and later.fetchone() == (0,)  # taken before bob wrote

    alice_id = _end_and_purge_alice(db_path)
    assert restore(backup_file, db_path) == 1  # the backup's alice is purged again

    assert MARKER.encode() not in _bytes(db_path)
    with sqlite3.connect(db_path) as conn:
        alice = conn.execute(
            "SELECT label, chat_id, purged_at FROM patients WHERE id = ?", (alice_id,)
        ).fetchone()
        assert alice[:2] == (None, None) and alice[2] is not None
        bob = conn.execute("SELECT label FROM patients WHERE label = 'P8'").fetchone()
        assert bob == ("P8",)
        assert conn.execute("SELECT COUNT(*) FROM purge_ledger").fetchone() == (1,)

    transcript = StringIO()
    code = run_script(AFTER_RESTORE, db_path=db_path, out=transcript, bot_env=SCRIPT_BOT_ENV)
    assert code == 0, transcript.getvalue()[-4000:]
    assert MARKER.encode() not in _bytes(db_path)


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    with pytest.raises(ValueError):
        restore(not_a_backup, tmp_path / "bot.sqlite3")


def test_backup_never_overwrites_a_file(tmp_path):
    db_path = tmp_path / "bot.sqlite3"
    connect_sync(db_path).close()
    existing = tmp_path / "existing"
    existing.write_text("keep me")
    with pytest.raises(FileExistsError):
        backup(db_path, existing)
    assert existing.read_text() == "keep me"
